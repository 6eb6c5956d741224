package dev.vane.config;

/**
 * Metrics, traces and logs.
 *
 * @param metrics  the Prometheus endpoint
 * @param tracing  OpenTelemetry traces
 * @param logs     log format and the access log
 */
public record ObservabilitySettings(Metrics metrics, Tracing tracing, Logs logs) {

  /**
   * @param enabled      whether {@code GET /metrics} is served on the admin listener
   * @param authenticate whether it needs a viewer token (false: scrapers without a token)
   */
  public record Metrics(boolean enabled, boolean authenticate) {}

  /**
   * @param endpoint      OTLP/HTTP traces endpoint, or null: tracing off
   * @param samplingRatio share of new traces sampled (an incoming traceparent's decision is followed)
   * @param serviceName   {@code service.name} of the spans
   */
  public record Tracing(String endpoint, double samplingRatio, String serviceName) {
    public boolean enabled() {
      return endpoint != null;
    }
  }

  /**
   * @param json                 one JSON object per line instead of text
   * @param accessLog            one line per proxied request (logger {@code vane.access})
   * @param accessLogSampleRatio share of requests the access log writes
   */
  public record Logs(boolean json, boolean accessLog, double accessLogSampleRatio) {}
}

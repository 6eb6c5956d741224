package dev.vane.gateway.observability.tracing;

import dev.vane.config.ObservabilitySettings;
import dev.vane.config.Redaction;
import io.vertx.core.http.HttpServerRequest;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's OpenTelemetry traces: off (no endpoint configured) or one export pipeline (the SDK's tracer provider,
 * a batch span processor and the OTLP/HTTP exporter). One per gateway, started and closed by it; the request path
 * asks it for a request's span with {@link #startRequest}, which costs one volatile read and returns null while
 * tracing is off, so no SDK object is made then.
 */
public final class Tracing implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Tracing.class);
  /** How long {@link #close} waits for the spans still queued to be exported. */
  static final long CLOSE_WAIT_MILLIS = 5_000;

  private volatile Pipeline pipeline; // null: off
  private ObservabilitySettings.Tracing settings; // guarded by this
  private boolean closed; // guarded by this

  private Tracing() {}

  /** Tracing that is off until {@link #configure} gives it an endpoint. */
  public static Tracing off() {
    return new Tracing();
  }

  /**
   * Exports as {@code settings} say: starts the pipeline, replaces it when the settings changed (the old one
   * exports what it holds, in the background), or stops it when the endpoint is gone. Unchanged settings change
   * nothing. Does nothing once closed.
   */
  public synchronized void configure(ObservabilitySettings.Tracing settings) {
    Objects.requireNonNull(settings, "settings");
    if (closed || settings.equals(this.settings)) {
      return;
    }
    Pipeline next = settings.enabled() ? Pipeline.start(settings) : null; // throws before anything changed
    this.settings = settings;
    Pipeline old = pipeline;
    pipeline = next;
    if (settings.enabled()) {
      log.info("tracing: spans of {} exported over OTLP/HTTP to {}, {} of new traces sampled",
          settings.serviceName(), Redaction.uri(settings.endpoint()), settings.samplingRatio());
    } else if (old != null) {
      log.info("tracing: off");
    }
    if (old != null) {
      old.shutdown(0);
    }
  }

  /** Whether spans are being made and exported now. */
  public boolean enabled() {
    return pipeline != null;
  }

  /**
   * Starts the server span of a proxied request, continuing its {@code traceparent} when it has a valid one (and
   * following that header's sampled flag), else starting a trace sampled at the configured ratio.
   *
   * @return the request's span, or null when tracing is off
   */
  public RequestSpan startRequest(HttpServerRequest req) {
    Pipeline p = pipeline;
    return p == null ? null : p.startRequest(req);
  }

  /** Stops tracing, exporting the spans still queued (waits up to {@value #CLOSE_WAIT_MILLIS} ms). */
  @Override
  public synchronized void close() {
    closed = true;
    Pipeline p = pipeline;
    pipeline = null;
    if (p != null) {
      p.shutdown(CLOSE_WAIT_MILLIS);
    }
  }
}

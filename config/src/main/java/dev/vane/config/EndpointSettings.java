package dev.vane.config;

import java.net.URI;
import java.time.Duration;

/**
 * An upstream model server.
 *
 * @param id                 endpoint id referenced by arms, shadows and routes
 * @param url                base URL; the request path is appended to its path
 * @param timeout            per-request response timeout (no bytes for this long: 504)
 * @param connectTimeout     TCP connect timeout (502 when exceeded)
 * @param maxConnections     keep-alive connection pool size per event loop
 * @param maxShadowInFlight  mirrored requests in flight to this endpoint at most; excess mirrors are dropped
 * @param maxPending         requests waiting for a free connection at most (per event loop); beyond it: 503
 * @param price              what its tokens cost, or null when not configured
 * @param askStreamUsage     streamed OpenAI-style requests that Vane measures (a usage builtin or a price) and that
 *                           do not ask for usage get {@code stream_options.include_usage} on their way here; the
 *                           usage event the client did not ask for is kept from it ({@code streamUsage: ask}, the
 *                           default; {@code leave}: requests go as they came)
 */
public record EndpointSettings(String id, URI url, Duration timeout, Duration connectTimeout, int maxConnections,
    int maxShadowInFlight, int maxPending, Price price, boolean askStreamUsage) {


  /** Without a price, asking for stream usage (the defaults). */
  public EndpointSettings(String id, URI url, Duration timeout, Duration connectTimeout, int maxConnections,
      int maxShadowInFlight, int maxPending) {
    this(id, url, timeout, connectTimeout, maxConnections, maxShadowInFlight, maxPending, null, true);
  }

  /**
   * A price per 1,000 tokens (any currency, the same for every endpoint of an experiment).
   *
   * @param promptPer1k     per 1,000 prompt (input) tokens, >= 0
   * @param completionPer1k per 1,000 completion (output) tokens, >= 0
   */
  public record Price(double promptPer1k, double completionPer1k) {
    public Price {
      if (!(promptPer1k >= 0) || !(completionPer1k >= 0)) {
        throw new IllegalArgumentException("promptPer1k, completionPer1k: " + promptPer1k + ", " + completionPer1k
            + " (expected: >= 0)");
      }
    }

    /** The cost of one response: prompt / 1000 x promptPer1k + completion / 1000 x completionPer1k. */
    public double cost(double promptTokens, double completionTokens) {
      return promptTokens / 1000.0 * promptPer1k + completionTokens / 1000.0 * completionPer1k;
    }
  }

  /** The URL for display (/readyz, logs): its password, if any, shown as {@code ***}. */
  public String displayUrl() {
    return Redaction.uri(url);
  }

  @Override
  public String toString() {
    return "EndpointSettings[id=" + id + ", url=" + displayUrl() + ", timeout=" + timeout + ", connectTimeout="
        + connectTimeout + ", maxConnections=" + maxConnections + ", maxShadowInFlight=" + maxShadowInFlight
        + ", maxPending=" + maxPending + (price == null ? "" : ", price=" + price)
        + (askStreamUsage ? "" : ", streamUsage=leave") + "]";
  }

  public boolean tls() {
    return "https".equals(url.getScheme());
  }

  public int port() {
    return url.getPort() > 0 ? url.getPort() : tls() ? 443 : 80;
  }

  public String host() {
    return url.getHost();
  }

  /** Path prefix of the URL without a trailing slash ("" for none). */
  public String basePath() {
    String p = url.getRawPath();
    if (p == null || p.equals("/")) {
      return "";
    }
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }
}

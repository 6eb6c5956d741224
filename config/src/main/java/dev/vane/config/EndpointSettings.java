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
 */
public record EndpointSettings(String id, URI url, Duration timeout, Duration connectTimeout, int maxConnections,
    int maxShadowInFlight, int maxPending) {

  /** The URL for display (/readyz, logs): its password, if any, shown as {@code ***}. */
  public String displayUrl() {
    return Redaction.uri(url);
  }

  @Override
  public String toString() {
    return "EndpointSettings[id=" + id + ", url=" + displayUrl() + ", timeout=" + timeout + ", connectTimeout="
        + connectTimeout + ", maxConnections=" + maxConnections + ", maxShadowInFlight=" + maxShadowInFlight
        + ", maxPending=" + maxPending + "]";
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

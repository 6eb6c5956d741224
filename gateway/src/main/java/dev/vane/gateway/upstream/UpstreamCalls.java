package dev.vane.gateway.upstream;

import dev.vane.config.EndpointSettings;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/** Small helpers shared by everything that sends a request upstream (the proxy and the shadow sender). */
public final class UpstreamCalls {
  private UpstreamCalls() {}

  /** Method, path and timeout; host, port and TLS come with the pooled connection (its authority is the Host). */
  public static RequestOptions options(HttpMethod method, String uri, EndpointSettings ep) {
    return new RequestOptions()
        .setMethod(method)
        .setURI(ep.basePath() + uri)
        .setIdleTimeout(ep.timeout().toMillis());
  }

  /** Drops an upstream response nobody will read: its connection is reset rather than returned to the pool. */
  public static void abandon(HttpClientResponse up) {
    up.exceptionHandler(t -> { });
    try {
      up.request().reset();
    } catch (RuntimeException e) {
      // already closed: nothing to reset
    }
  }

  /** A Content-Length value, or -1 when it is not a number. */
  public static long contentLength(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}

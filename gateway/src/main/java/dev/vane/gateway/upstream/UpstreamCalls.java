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

  /**
   * Drops an upstream response nobody will read: its connection is reset rather than returned to the pool. A
   * response that already arrived whole is left alone: its connection went back to the pool clean and may be
   * carrying another request, and resetting an ended HTTP/1.1 exchange closes the connection under that request.
   */
  public static void abandon(HttpClientResponse up) {
    if (up.end().isComplete()) {
      return;
    }
    try {
      up.exceptionHandler(t -> { });
      up.request().reset();
    } catch (RuntimeException e) {
      // ended or closed meanwhile: nothing to reset
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

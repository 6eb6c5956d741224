package dev.vane.gateway.shadow;

import dev.vane.config.VaneConfig;
import dev.vane.gateway.observability.tracing.TraceLink;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.List;

/**
 * What a request's shadow copies need, handed to the shadow loop once the client has its response: the request
 * (method, URI, end-to-end headers, body), the config it was routed on, the planned calls and the served answer to
 * compare with. Nothing of the client's exchange or connection is kept. Once handed over, only the shadow loop
 * touches it.
 */
public final class MirroredRequest {
  final VaneConfig config;
  final HttpMethod method;
  final String uri;
  /** The request's headers and body, until every copy has been sent (then dropped: only the comparison waits). */
  MultiMap headers;
  Buffer body;
  final List<ShadowCall> calls;
  final int primaryStatus;
  final long primaryMicros;
  final boolean primaryDone;
  final byte[] primaryBody;
  /** The request's span, which each copy's span links to; null when the request is not traced. */
  final TraceLink trace;
  /** Copies not yet handed to a connection. */
  int unsent;

  /**
   * @param primaryDone  whether the served request got an upstream answer (else nothing is compared)
   * @param primaryBody  the served body, or null when it was too large to keep
   * @param trace        the request's span for the copies' spans to link to, or null: no spans
   */
  public MirroredRequest(VaneConfig config, HttpMethod method, String uri, MultiMap headers, Buffer body,
      List<ShadowCall> calls, int primaryStatus, long primaryMicros, boolean primaryDone, byte[] primaryBody,
      TraceLink trace) {
    this.config = config;
    this.method = method;
    this.uri = uri;
    this.headers = headers;
    this.body = body;
    this.calls = calls;
    this.primaryStatus = primaryStatus;
    this.primaryMicros = primaryMicros;
    this.primaryDone = primaryDone;
    this.primaryBody = primaryBody;
    this.trace = trace;
  }

  void sent() {
    if (--unsent == 0) {
      headers = null;
      body = null;
    }
  }
}

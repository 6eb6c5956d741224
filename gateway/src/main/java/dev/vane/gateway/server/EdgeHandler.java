package dev.vane.gateway.server;

import dev.vane.gateway.api.ApiRouter;
import dev.vane.gateway.http.Errors;
import dev.vane.gateway.http.RequestIds;
import dev.vane.gateway.http.RequestTarget;
import dev.vane.gateway.proxy.ProxyHandler;
import dev.vane.gateway.runtime.GatewayCore;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * The first look at every request on the data port, one per event loop: the connection guard's admission, the
 * request target and head checked against RFC 9112 (400 and close otherwise), health checks only on a connection
 * beyond the budget, then Vane's own endpoints or the proxy.
 */
final class EdgeHandler implements Handler<HttpServerRequest> {
  private final Vertx vertx;
  private final GatewayCore core;
  private final ConnectionGuard.Loop guard;
  private final ApiRouter api;
  private final ProxyHandler proxy;

  EdgeHandler(Vertx vertx, GatewayCore core, ConnectionGuard.Loop guard, ApiRouter api, ProxyHandler proxy) {
    this.vertx = vertx;
    this.core = core;
    this.guard = guard;
    this.api = api;
    this.proxy = proxy;
  }

  @Override
  public void handle(HttpServerRequest req) {
    ConnectionGuard.Admission admission = guard.admit(req);
    RequestTarget target;
    try {
      target = RequestTarget.parse(req.method().name(), req.uri());
      checkHead(req);
    } catch (RequestTarget.Invalid e) {
      refuse(req, 400, "bad_request", e.getMessage());
      return;
    }
    String path = target.path();
    if (admission == ConnectionGuard.Admission.RESERVE) {
      // a connection beyond the listener's budget: health checks are answered, nothing else
      req.response().putHeader("Connection", "close");
      if (path.equals("/healthz") || path.equals("/readyz")) {
        req.response().endHandler(v -> req.connection().close());
        api.handle(req);
      } else {
        refuse(req, 503, "overloaded", "the gateway is at its connection limit ("
            + core.snapshot().config().server().limits().maxConnections() + "); retry later");
      }
      return;
    }
    if (api.handles(path)) {
      api.handle(req);
      return;
    }
    proxy.handle(req, target);
  }

  /**
   * RFC 9112 §3.2: an HTTP/1.1 request carries exactly one {@code Host} (HTTP/1.0 may omit it); §6.1: a body whose
   * final coding is not chunked has no reliable length (a smuggling vector), so {@code Transfer-Encoding} must be
   * exactly {@code chunked}.
   *
   * @throws RequestTarget.Invalid when the head breaks one of these
   */
  static void checkHead(HttpServerRequest req) {
    if (req.version() != HttpVersion.HTTP_1_0) {
      if (req.getHeader("Host") == null) {
        throw new RequestTarget.Invalid("HTTP/1.1 request without a Host header");
      }
      if (req.headers().getAll("Host").size() > 1) {
        throw new RequestTarget.Invalid("more than one Host header");
      }
    }
    String te = req.getHeader("Transfer-Encoding");
    if (te != null && (!te.trim().equalsIgnoreCase("chunked") || req.headers().getAll("Transfer-Encoding").size() > 1)) {
      throw new RequestTarget.Invalid("Transfer-Encoding: only chunked is accepted");
    }
  }

  /** Answers a request Vane will not serve, and closes its connection (what follows on it cannot be trusted). */
  private void refuse(HttpServerRequest req, int status, String code, String message) {
    HttpServerResponse res = req.response();
    if (res.headWritten() || res.ended()) {
      return;
    }
    res.putHeader("Connection", "close");
    Errors.send(res, status, code, message, RequestIds.next());
    // Vert.x keeps a CONNECT's connection open after the answer: close it
    vertx.setTimer(50, id -> req.connection().close());
  }
}

package dev.vane.gateway.proxy;

import dev.vane.gateway.http.Headers;
import dev.vane.gateway.http.RequestIds;
import dev.vane.gateway.http.RequestTarget;
import dev.vane.gateway.runtime.GatewayCore;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.SplittableRandom;

/**
 * The request path, one instance per event loop: runs each proxied request through the steps, in order
 * (see {@link ProxyStep}):
 *
 * <ol>
 *   <li>{@link Trace}: the request's span, when tracing is on (ended after the others' ends);
 *   <li>{@link ReadBody}: the body, whole, within the limit;
 *   <li>{@link ResolveRoute}: the route (model name, path prefix, default endpoint);
 *   <li>{@link IdentifyUnit}: the unit id, for an experiment;
 *   <li>{@link Assign}: the arm, and so the endpoint;
 *   <li>{@link Record}: the experiment's counters (on the way in, and the status and latency at the end);
 *   <li>{@link AccessLog}: at the end, the access log's line, when it is on;
 *   <li>{@link Mirror}: which shadows get a copy (and, at the end, sending them from the shadow loop);
 *   <li>{@link Forward}: the upstream exchange, with fallback, and the response.
 * </ol>
 *
 * Everything runs on this handler's event loop.
 */
public final class ProxyHandler {
  private final GatewayCore core;
  private final ProxyStep[] steps;

  public ProxyHandler(Vertx vertx, Context context, GatewayCore core) {
    this.core = core;
    this.steps = new ProxyStep[] {
        new Trace(core.tracing()),
        new ReadBody(vertx),
        new ResolveRoute(),
        new IdentifyUnit(),
        new Assign(core.assigner(), context),
        new Record(core),
        new AccessLog(new SplittableRandom()),
        new Mirror(core),
        new Forward(vertx),
    };
  }

  /** Proxies {@code req}, whose checked and normalised target is {@code target}. */
  public void handle(HttpServerRequest req, RequestTarget target) {
    Exchange x = new Exchange(req, core.snapshot(), System.nanoTime(), target,
        RequestIds.fromClient(req.getHeader(Headers.REQUEST_ID)), steps);
    x.proceed();
  }
}

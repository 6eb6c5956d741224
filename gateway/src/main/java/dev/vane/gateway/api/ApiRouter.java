package dev.vane.gateway.api;

import dev.vane.gateway.http.Errors;
import dev.vane.gateway.http.Headers;
import dev.vane.gateway.http.RequestIds;
import dev.vane.gateway.runtime.GatewayCore;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Vane's own JSON endpoints on a vertx-web {@link Router}: health, readiness, experiments, results and feedback. Every
 * answer carries an {@code X-Request-Id} (the client's when sane, else a new one); an unknown path under them gets
 * 404, a method an endpoint does not take gets 405, and anything a handler throws is logged with the request id and
 * answered {@code 500 internal}: every request is answered.
 */
public final class ApiRouter {
  private static final String REQUEST_ID = "vane.requestId";

  private final Router router;

  public ApiRouter(Vertx vertx, GatewayCore core) {
    HealthEndpoints health = new HealthEndpoints(core);
    ExperimentEndpoints experiments = new ExperimentEndpoints(core);
    ResultsEndpoint results = new ResultsEndpoint(core);
    FeedbackEndpoint feedback = new FeedbackEndpoint(core);
    router = Router.router(vertx);
    router.route().handler(ctx -> {
      String rid = RequestIds.fromClient(ctx.request().getHeader(Headers.REQUEST_ID));
      ctx.put(REQUEST_ID, rid);
      ctx.response().putHeader(Headers.REQUEST_ID, rid);
      ctx.next();
    });
    read(router.route("/healthz")).handler(ctx -> health.healthz(ctx.request()));
    read(router.route("/readyz")).handler(ctx -> health.readyz(ctx.request()));
    read(router.route("/v1/experiments")).handler(ctx -> experiments.list(ctx.request(), rid(ctx)));
    read(router.route("/v1/experiments/:id")).handler(ctx ->
        experiments.one(ctx.request(), rid(ctx), ctx.pathParam("id")));
    read(router.route("/v1/experiments/:id/results")).handler(ctx ->
        results.results(ctx.request(), rid(ctx), ctx.pathParam("id")));
    router.route("/v1/feedback").method(HttpMethod.POST).handler(ctx -> feedback.feedback(ctx.request(), rid(ctx)));
    router.errorHandler(404, ctx -> Errors.send(ctx.response(), 404,
        "no endpoint " + ctx.request().method() + " " + ctx.normalizedPath(), rid(ctx)));
    router.errorHandler(405, ctx -> Errors.send(ctx.response(), 405,
        ctx.request().method() + " " + ctx.normalizedPath() + " is not supported", rid(ctx)));
    router.errorHandler(500, ctx -> Answers.failed(ctx.request(), rid(ctx),
        ctx.failure() != null ? ctx.failure() : new IllegalStateException("failed with status " + ctx.statusCode())));
  }

  private static Route read(Route r) {
    return r.method(HttpMethod.GET).method(HttpMethod.HEAD);
  }

  private static String rid(RoutingContext ctx) {
    String rid = ctx.get(REQUEST_ID);
    return rid != null ? rid : RequestIds.next();
  }

  /** Whether {@code p}, a request's normalised path, belongs to Vane's own endpoints rather than to the proxy. */
  public boolean handles(String p) {
    return p.equals("/healthz") || p.equals("/readyz") || p.equals("/v1/experiments")
        || p.startsWith("/v1/experiments/") || p.equals("/v1/feedback");
  }

  /** Serves one of Vane's own endpoints. */
  public void handle(HttpServerRequest req) {
    router.handle(req);
  }
}

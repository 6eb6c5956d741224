package dev.vane.gateway.api;

import dev.vane.config.AdminSettings.Role;
import dev.vane.config.ObservabilitySettings;
import dev.vane.gateway.auth.AuthenticationException;
import dev.vane.gateway.auth.Authenticator;
import dev.vane.gateway.auth.Principal;
import dev.vane.gateway.control.ControlPlane;
import dev.vane.gateway.http.Errors;
import dev.vane.gateway.http.Headers;
import dev.vane.gateway.http.RequestIds;
import dev.vane.gateway.http.RequestLogs;
import dev.vane.gateway.observability.PrometheusMetrics;
import dev.vane.gateway.rollout.RolloutDriver;
import dev.vane.gateway.runtime.GatewayCore;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vane's own JSON endpoints on a vertx-web {@link Router}. On the traffic port ({@link #data}): health and readiness
 * only. On the admin listener ({@link #admin}): those, plus experiments, results, feedback, the versioned config,
 * experiment operations and the audit log, each behind a role (see README's role table), {@code whoami} for any
 * known caller, and the dashboard's static files under {@code /ui/} ({@link Dashboard}: no data, no token). Every
 * answer carries an {@code X-Request-Id} (the client's when sane, else a new one); an unknown path gets 404, a method
 * an endpoint does not take 405, and anything a handler throws is logged with the request id and answered
 * {@code 500 internal}.
 */
public final class ApiRouter {
  private static final Logger log = LoggerFactory.getLogger(ApiRouter.class);
  private static final String REQUEST_ID = "vane.requestId";
  private static final String PRINCIPAL = "vane.principal";

  private final Router router;
  private final boolean admin;

  private ApiRouter(Router router, boolean admin) {
    this.router = router;
    this.admin = admin;
  }

  /** What the traffic port serves itself: {@code /healthz} and {@code /readyz}. */
  public static ApiRouter data(Vertx vertx, GatewayCore core) {
    Router router = base(vertx);
    HealthEndpoints health = new HealthEndpoints(core);
    read(router.route("/healthz")).handler(ctx -> health.healthz(ctx.request()));
    read(router.route("/readyz")).handler(ctx -> health.readyz(ctx.request()));
    errors(router);
    return new ApiRouter(router, false);
  }

  /**
   * The admin listener's endpoints.
   *
   * @param auth    the authenticator of the config now serving
   * @param control the control plane, or null until it is attached
   * @param denied  counts refused calls (401 and 403)
   */
  public static ApiRouter admin(Vertx vertx, GatewayCore core, Supplier<Authenticator> auth,
      Supplier<ControlPlane> control, Supplier<RolloutDriver> rollouts, Denials denied) {
    return admin(vertx, core, auth, control, rollouts, denied, null);
  }

  /**
   * The admin listener's endpoints, with {@code GET /metrics} served from {@code metrics} (null: 404) while
   * {@code observability.metrics.enabled}; it needs the viewer role unless {@code authenticate} is false.
   */
  public static ApiRouter admin(Vertx vertx, GatewayCore core, Supplier<Authenticator> auth,
      Supplier<ControlPlane> control, Supplier<RolloutDriver> rollouts, Denials denied, PrometheusMetrics metrics) {
    Router router = base(vertx);
    HealthEndpoints health = new HealthEndpoints(core);
    ExperimentEndpoints experiments = new ExperimentEndpoints(core);
    ResultsEndpoint results = new ResultsEndpoint(core);
    FeedbackEndpoint feedback = new FeedbackEndpoint(core);
    TimeSeriesEndpoint timeseries = new TimeSeriesEndpoint(core);
    AdminEndpoints ops = new AdminEndpoints(control);
    read(router.route("/healthz")).handler(ctx -> health.healthz(ctx.request()));
    read(router.route("/readyz")).handler(ctx -> health.readyz(ctx.request()));
    Guard g = new Guard(auth, control, denied);
    read(router.route("/v1/experiments")).handler(g.needs(Role.VIEWER))
        .handler(ctx -> experiments.list(ctx.request(), rid(ctx)));
    read(router.route("/v1/experiments/:id")).handler(g.needs(Role.VIEWER))
        .handler(ctx -> experiments.one(ctx.request(), rid(ctx), ctx.pathParam("id")));
    read(router.route("/v1/experiments/:id/results")).handler(g.needs(Role.VIEWER))
        .handler(ctx -> results.results(ctx.request(), rid(ctx), ctx.pathParam("id")));
    read(router.route("/v1/experiments/:id/timeseries")).handler(g.needs(Role.VIEWER))
        .handler(ctx -> timeseries.timeseries(ctx.request(), rid(ctx), ctx.pathParam("id")));
    router.route("/v1/feedback").method(HttpMethod.POST).handler(g.needs(Role.FEEDBACK))
        .handler(ctx -> {
          feedback.feedback(ctx.request(), rid(ctx));
          ctx.request().resume();
        });
    read(router.route("/admin/v1/config")).handler(g.needs(Role.VIEWER))
        .handler(ctx -> ops.getConfig(ctx.request(), rid(ctx)));
    router.route("/admin/v1/config").method(HttpMethod.PUT).handler(g.needs(Role.ADMIN))
        .handler(ctx -> ops.putConfig(ctx.request(), rid(ctx), principal(ctx)));
    read(router.route("/admin/v1/config/history")).handler(g.needs(Role.VIEWER))
        .handler(ctx -> ops.history(ctx.request(), rid(ctx)));
    read(router.route("/admin/v1/config/versions/:n")).handler(g.needs(Role.VIEWER))
        .handler(ctx -> ops.version(ctx.request(), rid(ctx), ctx.pathParam("n")));
    read(router.route("/admin/v1/config/diff")).handler(g.needs(Role.VIEWER))
        .handler(ctx -> ops.diff(ctx.request(), rid(ctx)));
    router.route("/admin/v1/config/rollback").method(HttpMethod.POST).handler(g.needs(Role.ADMIN))
        .handler(ctx -> ops.rollbackConfig(ctx.request(), rid(ctx), principal(ctx)));
    for (String op : new String[] {"ramp", "pause", "resume", "promote", "rollback"}) {
      router.route("/admin/v1/experiments/:id/" + op).method(HttpMethod.POST).handler(g.needs(Role.OPERATOR))
          .handler(ctx -> ops.operation(ctx.request(), rid(ctx), principal(ctx), ctx.pathParam("id"), op));
    }
    RolloutEndpoints rollout = new RolloutEndpoints(rollouts);
    read(router.route("/admin/v1/experiments/:id/rollout")).handler(g.needs(Role.VIEWER))
        .handler(ctx -> rollout.status(ctx.request(), rid(ctx), ctx.pathParam("id")));
    for (String command : RolloutDriver.COMMANDS) {
      router.route("/admin/v1/experiments/:id/rollout/" + command).method(HttpMethod.POST)
          .handler(g.needs(Role.OPERATOR))
          .handler(ctx -> rollout.command(ctx.request(), rid(ctx), principal(ctx), ctx.pathParam("id"), command));
    }
    read(router.route("/admin/v1/audit")).handler(g.needs(Role.VIEWER))
        .handler(ctx -> ops.audit(ctx.request(), rid(ctx)));
    read(router.route("/admin/v1/whoami")).handler(g.needs(null))
        .handler(ctx -> Answers.json(ctx.request(), 200, whoami(principal(ctx))));
    // the dashboard's static files: no data in them, so no token (the pages call the API above with one)
    Dashboard dashboard = Dashboard.shared();
    read(router.route("/ui")).handler(dashboard::redirect);
    read(router.route("/ui/*")).handler(ctx -> dashboard.serve(ctx, rid(ctx)));
    Handler<RoutingContext> viewer = g.needs(Role.VIEWER);
    read(router.route("/metrics")).handler(ctx -> {
      ObservabilitySettings.Metrics m = core.snapshot().config().observability().metrics();
      if (metrics == null || !m.enabled()) {
        ctx.fail(404);
      } else if (m.authenticate()) {
        viewer.handle(ctx);
      } else {
        ctx.next();
      }
    }).handler(ctx -> {
      String accept = ctx.request().getHeader("Accept");
      vertx.executeBlocking(() -> metrics.scrape(accept), false).onComplete(ar -> {
        if (ar.failed()) {
          Answers.failed(ctx.request(), rid(ctx), ar.cause());
          return;
        }
        ctx.response().putHeader("Content-Type", ar.result().contentType()).end(ar.result().body());
      });
    });
    errors(router);
    return new ApiRouter(router, true);
  }

  /** {@code GET /admin/v1/whoami}: the caller's name, roles (in the order viewer, feedback, operator, admin) and scheme. */
  static JsonObject whoami(Principal p) {
    JsonArray roles = new JsonArray();
    for (Role r : Role.values()) {
      if (p.roles().contains(r)) {
        roles.add(r.id());
      }
    }
    return new JsonObject().put("name", p.name()).put("roles", roles).put("scheme", p.scheme());
  }

  /** Method and path of every route on this router (the OpenAPI test compares them with the document). */
  public java.util.List<String[]> routes() {
    java.util.List<String[]> out = new java.util.ArrayList<>();
    for (Route r : router.getRoutes()) {
      if (r.getPath() == null || r.methods() == null) {
        continue;
      }
      for (HttpMethod m : r.methods()) {
        out.add(new String[] {m.name(), r.getPath()});
      }
    }
    return out;
  }

  /** Refused admin calls, for readiness and metrics. */
  public static final class Denials {
    private final LongAdder unauthenticated = new LongAdder();
    private final LongAdder forbidden = new LongAdder();

    /** Calls answered 401 (no, or an unknown, token). */
    public long unauthenticated() {
      return unauthenticated.sum();
    }

    /** Calls answered 403 (a known caller without the role). */
    public long forbidden() {
      return forbidden.sum();
    }
  }

  /** Authentication and the role each route needs. */
  private record Guard(Supplier<Authenticator> auth, Supplier<ControlPlane> control, Denials denied) {
    /** Lets callers with {@code role} through (null: any authenticated caller), 401 or 403 for the others. */
    Handler<RoutingContext> needs(Role role) {
      return ctx -> {
        HttpServerRequest req = ctx.request();
        String rid = rid(ctx);
        auth.get().authenticate(req.getHeader("Authorization")).onComplete(ar -> {
          if (ar.failed()) {
            denied.unauthenticated.increment();
            String why = ar.cause() instanceof AuthenticationException ? ar.cause().getMessage() : "authentication failed";
            RequestLogs.log(req, rid, () -> log.warn("admin: 401 {} {} from {}: {} (request id {})", req.method(),
                req.path(), AdminEndpoints.address(req), why, rid));
            if (write(req)) {
              audit(ctx, AdminEndpoints.address(req), 401, why);
            }
            req.response().putHeader("WWW-Authenticate", "Bearer realm=\"vane\"").putHeader("Connection", "close");
            Errors.send(req.response(), 401, why, rid);
            return;
          }
          Principal p = ar.result();
          if (role != null && !p.may(role)) {
            denied.forbidden.increment();
            RequestLogs.log(req, rid, () -> log.warn("admin: 403 {} {} by {} from {}: needs {} (request id {})",
                req.method(), req.path(), p.name(), AdminEndpoints.address(req), role.id(), rid));
            if (write(req)) {
              audit(ctx, p.name(), 403, "needs role " + role.id());
            }
            req.response().putHeader("Connection", "close");
            Errors.send(req.response(), 403, p.name() + " may not do this (needs the " + role.id() + " role)", rid);
            return;
          }
          ctx.put(PRINCIPAL, p);
          ctx.next();
        });
      };
    }

    private void audit(RoutingContext ctx, String actor, int status, String why) {
      ControlPlane c = control.get();
      if (c != null) {
        c.denied(actor, AdminEndpoints.address(ctx.request()), "auth.denied " + ctx.request().method() + " "
            + ctx.normalizedPath(), status, why);
      }
    }

    private static boolean write(HttpServerRequest req) {
      return req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD;
    }
  }

  private static Router base(Vertx vertx) {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      String rid = RequestIds.fromClient(ctx.request().getHeader(Headers.REQUEST_ID));
      ctx.put(REQUEST_ID, rid);
      ctx.response().putHeader(Headers.REQUEST_ID, rid);
      if (!ctx.request().isEnded()) {
        // authentication may complete later: hold the body until the endpoint reads it
        ctx.request().pause();
      }
      ctx.next();
    });
    return router;
  }

  private static void errors(Router router) {
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

  private static Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  /**
   * Whether {@code p}, a request's normalised path, is one of Vane's own endpoints on this listener: on the traffic
   * port only the health checks (everything else is proxied); on the admin listener everything.
   */
  public boolean handles(String p) {
    return admin || p.equals("/healthz") || p.equals("/readyz");
  }

  /** Serves one of Vane's own endpoints. */
  public void handle(HttpServerRequest req) {
    router.handle(req);
  }
}

package dev.vane.gateway.api;

import dev.vane.gateway.auth.Principal;
import dev.vane.gateway.feedback.FeedbackService;
import dev.vane.gateway.http.Errors;
import dev.vane.gateway.rollout.RolloutDriver;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;

/**
 * {@code GET /admin/v1/experiments/{id}/rollout} (plan, state, the newest decisions with their statistics) and
 * {@code POST /admin/v1/experiments/{id}/rollout/{approve|abort|retry|pause|resume}} (queued for the instance that
 * drives the rollout, applied at its next analysis: 202).
 */
final class RolloutEndpoints {
  private final Supplier<RolloutDriver> driver;

  RolloutEndpoints(Supplier<RolloutDriver> driver) {
    this.driver = driver;
  }

  private RolloutDriver driver(HttpServerRequest req, String rid) {
    RolloutDriver d = driver.get();
    if (d == null) {
      Errors.send(req.response(), 503, "rollouts are not running yet; retry shortly", rid);
    }
    return d;
  }

  void status(HttpServerRequest req, String rid, String id) {
    RolloutDriver d = driver(req, rid);
    if (d == null) {
      return;
    }
    int limit = 50;
    String l = req.getParam("limit");
    if (l != null) {
      try {
        limit = Math.max(1, Math.min(1000, Integer.parseInt(l.trim())));
      } catch (NumberFormatException e) {
        Errors.send(req.response(), 400, "limit: " + FeedbackService.echo(l) + " (expected: 1..1000)", rid);
        return;
      }
    }
    Context ctx = Vertx.currentContext();
    d.status(id, limit).whenComplete((s, t) -> ctx.runOnContext(v -> Answers.guarded(req, rid, () -> {
      if (t != null) {
        Answers.failed(req, rid, t);
      } else if (s.isEmpty()) {
        Errors.send(req.response(), 404, "no experiment " + FeedbackService.echo(id), rid);
      } else {
        Answers.json(req, 200, s.get());
      }
    })));
  }

  void command(HttpServerRequest req, String rid, Principal who, String id, String command) {
    RolloutDriver d = driver(req, rid);
    if (d == null) {
      return;
    }
    AdminEndpoints.readBody(req, rid, AdminEndpoints.MAX_OPERATION_BYTES, body -> {
      String reason = null;
      if (body.length() > 0) {
        try {
          reason = new JsonObject(body).getString("reason");
        } catch (DecodeException | ClassCastException e) {
          Errors.send(req.response(), 400, "the body is not a JSON object with an optional reason", rid);
          return;
        }
      }
      Context ctx = Vertx.currentContext();
      String why = reason;
      (d.configured(id) ? d.command(id, command, who.name(), why).thenApply(x -> true)
          : java.util.concurrent.CompletableFuture.completedFuture(false)).whenComplete((ok, t) -> ctx.runOnContext(v -> Answers.guarded(req, rid, () -> {
        if (t != null) {
          Answers.failed(req, rid, t);
        } else if (!ok) {
          Errors.send(req.response(), 404, "no rollout for experiment " + FeedbackService.echo(id)
              + " (declare experiments[].rollout)", rid);
        } else {
          Answers.json(req, 202, new JsonObject().put("experiment", id).put("command", command)
              .put("by", who.name()).put("status", "queued: the instance driving the rollout applies it at its "
                  + "next analysis"));
        }
      })));
    });
  }
}

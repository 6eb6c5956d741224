package dev.vane.gateway.api;

import dev.vane.config.EndpointSettings;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.runtime.GatewayCore;
import dev.vane.gateway.runtime.Snapshot;
import dev.vane.router.StickyStore;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * {@code GET /healthz} (liveness: always up while the process answers) and {@code GET /readyz} (readiness, and what
 * an operator checks first: config version and last reload error, the sticky store, the figures store, the feedback
 * body budget, the endpoints with credentials redacted).
 */
final class HealthEndpoints {
  private final GatewayCore core;

  HealthEndpoints(GatewayCore core) {
    this.core = core;
  }

  void healthz(HttpServerRequest req) {
    Answers.json(req, 200, new JsonObject().put("status", "up"));
  }

  /**
   * 503 {@code draining} once the gateway is stopping; 503 {@code starting} until the sticky store has started
   * (connected, or its startup grace passed); then 200
   * {@code ready}, or 200 {@code degraded} while the store is unreachable: Vane still serves, on hashed arms, so a
   * Redis outage must not take every instance out of rotation at once.
   */
  void readyz(HttpServerRequest req) {
    Snapshot snap = core.snapshot();
    VaneConfig cfg = snap.config();
    StickyStore store = core.store();
    boolean storeUp = store.healthy();
    String status = core.draining() ? "draining" : !store.started() ? "starting" : storeUp ? "ready" : "degraded";
    JsonObject endpoints = new JsonObject();
    for (EndpointSettings ep : cfg.endpoints().values()) {
      endpoints.put(ep.id(), new JsonObject().put("url", ep.displayUrl()));
    }
    JsonObject body = new JsonObject()
        .put("status", status)
        .put("config", new JsonObject().put("source", cfg.source()).put("version", cfg.version())
            .put("loadedAt", core.lastReloadAt().toString())
            .put("lastReloadError", core.lastReloadError()))
        .put("store", new JsonObject().put("up", storeUp).put("provisionalAnswers", store.provisionalAnswers())
            .put("detail", store.describe()))
        .put("figures", core.figures().describe())
        .put("feedback", core.feedbackBackend().describe())
        .put("feedbackBodies", new JsonObject().put("budgetBytes", core.feedbackBodies().limit())
            .put("heldBytes", core.feedbackBodies().held()).put("refused", core.feedbackBodies().refused()))
        .put("endpoints", endpoints)
        .put("control", new JsonObject(core.controlStatus()));
    Answers.json(req, status.equals("starting") || status.equals("draining") ? 503 : 200, body);
  }
}

package dev.vane.gateway.api;

import dev.vane.gateway.feedback.FeedbackService;
import dev.vane.gateway.http.Errors;
import dev.vane.gateway.http.RequestLogs;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How Vane's own endpoints answer: JSON bodies, and every failure answered 500 with its request id and logged. */
final class Answers {
  private static final Logger log = LoggerFactory.getLogger(Answers.class);

  private Answers() {}

  /**
   * Runs one step of answering a request; whatever it throws is logged with the request id and answered 500 (or,
   * when the response has already begun, ends the connection so the client is not left waiting).
   */
  static void guarded(HttpServerRequest req, String rid, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException | StackOverflowError e) {
      failed(req, rid, e);
    }
  }

  static void failed(HttpServerRequest req, String rid, Throwable t) {
    RequestLogs.log(req, rid,
        () -> log.error("{} {} failed (request id {})", req.method(), FeedbackService.echo(req.path()), rid, t));
    HttpServerResponse res = req.response();
    if (res.headWritten() && !res.ended() && !res.closed()) {
      req.connection().close();
      return;
    }
    Errors.send(res, 500, "internal error; logged with this request id", rid);
  }

  static void json(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(body.encodePrettily());
  }
}

package dev.vane.gateway.api;

import dev.vane.gateway.feedback.BodyBudget;
import dev.vane.gateway.feedback.FeedbackService;
import dev.vane.gateway.http.Errors;
import dev.vane.gateway.runtime.GatewayCore;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** {@code POST /v1/feedback}: outcome events joined to the arms that served their requests. */
public final class FeedbackEndpoint {
  /** Feedback bodies larger than this are parsed and counted on a worker thread, not the event loop. */
  public static final int PARSE_ON_LOOP_BYTES = 64 * 1024;

  private final GatewayCore core;

  FeedbackEndpoint(GatewayCore core) {
    this.core = core;
  }

  /**
   * {@code POST /v1/feedback}. The body is read whole (at most {@code maxBodyBytes}, else 413) within the shared
   * {@link BodyBudget} (else 503 with {@code Retry-After}); a body over {@value #PARSE_ON_LOOP_BYTES} bytes is
   * parsed, counted and its answer encoded on a worker thread so that a burst of large bodies cannot stall the
   * event loop's proxied requests. The budget is held until the answer is sent.
   */
  void feedback(HttpServerRequest req, String rid) {
    long max = core.snapshot().config().server().maxBodyBytes();
    BodyBudget budget = core.feedbackBodies();
    long declared = 0;
    String cl = req.getHeader("Content-Length");
    if (cl != null) {
      try {
        declared = Long.parseLong(cl.trim());
      } catch (NumberFormatException e) {
        declared = -1;
      }
      if (declared < 0) {
        refuse(req, rid, 400, "invalid Content-Length: " + FeedbackService.echo(cl));
        return;
      }
      if (declared > max) {
        refuse(req, rid, 413, "feedback body of " + declared + " bytes exceeds the limit of " + max + " bytes");
        return;
      }
    }
    Reading r = new Reading(budget);
    req.response().endHandler(v -> r.release());
    req.response().closeHandler(v -> r.release());
    if (!r.take(declared)) {
      refuse(req, rid, 503, "too many feedback bodies in progress (" + budget.limit() + " bytes); retry shortly");
      return;
    }
    Buffer body = Buffer.buffer((int) Math.min(declared, PARSE_ON_LOOP_BYTES));
    req.handler(chunk -> Answers.guarded(req, rid, () -> {
      if (r.done) {
        return;
      }
      long length = (long) body.length() + chunk.length();
      if (length > max) {
        r.done = true;
        refuse(req, rid, 413, "feedback body exceeds the limit of " + max + " bytes");
      } else if (!r.take(length)) {
        r.done = true;
        refuse(req, rid, 503, "too many feedback bodies in progress (" + budget.limit() + " bytes); retry shortly");
      } else {
        body.appendBuffer(chunk);
      }
    }));
    req.exceptionHandler(t -> {
      r.done = true;
      r.release();
    });
    req.endHandler(v -> Answers.guarded(req, rid, () -> {
      if (r.done) {
        return;
      }
      r.done = true;
      if (body.length() <= PARSE_ON_LOOP_BYTES) {
        answer(req, rid, parse(body, rid), false);
      } else {
        core.vertx().executeBlocking(() -> parse(body, rid), false).onComplete(ar -> Answers.guarded(req, rid, () -> {
          if (ar.failed()) {
            Answers.failed(req, rid, ar.cause());
          } else {
            answer(req, rid, ar.result(), true);
          }
        }));
      }
    }));
  }

  /** Bytes of the budget one feedback body holds; given back once, when its response ends or its connection closes. */
  private static final class Reading {
    final BodyBudget budget;
    long held;
    boolean done;

    Reading(BodyBudget budget) {
      this.budget = budget;
    }

    /** Grows the share held to {@code bytes}; false when the budget has no room. */
    boolean take(long bytes) {
      if (bytes <= held) {
        return true;
      }
      if (!budget.tryAcquire(bytes - held)) {
        return false;
      }
      held = bytes;
      return true;
    }

    void release() {
      budget.release(held);
      held = 0;
    }
  }

  /** A refusal before the body was read whole: the rest of the body is not read, so the connection is closed. */
  private static void refuse(HttpServerRequest req, String rid, int status, String message) {
    HttpServerResponse res = req.response().putHeader("Connection", "close");
    if (status == 503) {
      res.putHeader("Retry-After", "1");
    }
    Errors.send(res, status, message, rid);
  }

  /**
   * A parsed body: an error for the whole body (400), or its events being counted.
   *
   * @param single whether the body was one event (answered with that event's status)
   */
  private record Parsed(String badRequest, boolean single, CompletionStage<List<FeedbackService.Result>> results) {}

  /** Parses a body and starts counting its events; runs on the event loop or a worker. */
  private Parsed parse(Buffer body, String rid) {
    Object parsed;
    try {
      parsed = Json.decodeValue(body);
    } catch (DecodeException e) {
      return new Parsed("feedback body is not valid JSON: " + FeedbackService.echo(rootMessage(e)), false, null);
    }
    try {
      boolean single = parsed instanceof JsonObject o && !o.containsKey("events");
      return new Parsed(null, single, core.feedback().ingest(parsed, rid));
    } catch (IllegalArgumentException e) {
      return new Parsed(e.getMessage(), false, null);
    }
  }

  private void answer(HttpServerRequest req, String rid, Parsed parsed, boolean offLoop) {
    if (parsed.badRequest() != null) {
      Errors.send(req.response(), 400, parsed.badRequest(), rid);
      return;
    }
    Context ctx = Vertx.currentContext();
    parsed.results().whenComplete((results, t) -> ctx.runOnContext(x -> Answers.guarded(req, rid, () -> {
      if (t != null) {
        Answers.failed(req, rid, t);
        return;
      }
      int status = parsed.single() ? results.get(0).httpStatus() : 200;
      if (!offLoop) {
        Answers.json(req, status, FeedbackService.response(results));
        return;
      }
      core.vertx().executeBlocking(() -> FeedbackService.response(results).encodePrettily(), false)
          .onComplete(ar -> Answers.guarded(req, rid, () -> {
            if (ar.failed()) {
              Answers.failed(req, rid, ar.cause());
              return;
            }
            req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(ar.result());
          }));
    })));
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }
}

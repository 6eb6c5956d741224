package dev.vane.gateway.api;

import dev.vane.config.ConfigError;
import dev.vane.config.ConfigException;
import dev.vane.config.edit.ConfigEdits;
import dev.vane.config.edit.Edit;
import dev.vane.config.edit.EditException;
import dev.vane.gateway.audit.AuditEntry;
import dev.vane.gateway.auth.Principal;
import dev.vane.gateway.configstore.ConfigVersion;
import dev.vane.gateway.configstore.ReadOnlyStoreException;
import dev.vane.gateway.configstore.StaleVersionException;
import dev.vane.gateway.configstore.StoreUnavailableException;
import dev.vane.gateway.control.ControlPlane;
import dev.vane.gateway.feedback.FeedbackService;
import dev.vane.gateway.http.Errors;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The control plane's endpoints under {@code /admin/v1}: the versioned config (read, replace, history, versions,
 * diff, rollback), experiment operations (ramp, pause, resume, promote, rollback), and the audit log. Every write is
 * a new config version, validated first, with its author and reason, and audited.
 */
final class AdminEndpoints {
  /** Largest config document accepted (the loader's own limit). */
  static final int MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;
  /** Largest operation body accepted. */
  static final int MAX_OPERATION_BYTES = 64 * 1024;

  private final Supplier<ControlPlane> control;

  AdminEndpoints(Supplier<ControlPlane> control) {
    this.control = control;
  }

  /** The control plane, or null after answering 503 when none is attached yet. */
  private ControlPlane control(HttpServerRequest req, String rid) {
    ControlPlane c = control.get();
    if (c == null) {
      Errors.send(req.response(), 503, "the config store is not attached yet; retry shortly", rid);
    }
    return c;
  }

  static String etag(ConfigVersion v) {
    return "\"" + v.number() + "." + v.hash() + "\"";
  }

  void getConfig(HttpServerRequest req, String rid) {
    ControlPlane c = control(req, rid);
    if (c == null) {
      return;
    }
    answer(req, rid, c.current(), v -> {
      req.response().putHeader("ETag", etag(v)).putHeader("X-Config-Version", String.valueOf(v.number()));
      boolean json = "json".equals(req.getParam("format"));
      if (json || accepts(req, "application/json")) {
        Answers.json(req, 200, version(v).put("content", v.content()));
      } else {
        req.response().putHeader("Content-Type", "application/yaml; charset=utf-8").end(v.content());
      }
    });
  }

  void putConfig(HttpServerRequest req, String rid, Principal who) {
    ControlPlane c = control(req, rid);
    if (c == null) {
      return;
    }
    Long expected = ifMatch(req, rid);
    if (expected == null) {
      return;
    }
    readBody(req, rid, MAX_DOCUMENT_BYTES, body -> {
      String document = body.toString(StandardCharsets.UTF_8);
      String message = req.getHeader("X-Vane-Message");
      answer(req, rid, c.replace(document, expected, who, address(req), message, "config.replace", "config"),
          w -> written(req, w));
    });
  }

  void history(HttpServerRequest req, String rid) {
    ControlPlane c = control(req, rid);
    if (c == null) {
      return;
    }
    Integer limit = intParam(req, rid, "limit", 50, 1, 10_000);
    if (limit == null) {
      return;
    }
    answer(req, rid, c.history(limit), list -> {
      JsonArray out = new JsonArray();
      list.forEach(v -> out.add(version(v)));
      ConfigVersion applied = c.applied();
      Answers.json(req, 200, new JsonObject().put("applied", applied == null ? null : applied.number())
          .put("store", c.store().describe()).put("versions", out));
    });
  }

  void version(HttpServerRequest req, String rid, String n) {
    ControlPlane c = control(req, rid);
    Long number = c == null ? null : number(req, rid, "version", n);
    if (number == null) {
      return;
    }
    answer(req, rid, c.version(number), v -> {
      if (v.isEmpty()) {
        Errors.send(req.response(), 404, "no config version " + number + " (unknown, or pruned from the history)", rid);
      } else {
        Answers.json(req, 200, version(v.get()).put("content", v.get().content()));
      }
    });
  }

  void diff(HttpServerRequest req, String rid) {
    ControlPlane c = control(req, rid);
    if (c == null) {
      return;
    }
    Long from = number(req, rid, "from", req.getParam("from"));
    Long to = from == null ? null : number(req, rid, "to", req.getParam("to"));
    if (to == null) {
      return;
    }
    answer(req, rid, c.diff(from, to), d -> {
      if (d.isEmpty()) {
        Errors.send(req.response(), 404, "no config version " + from + " or " + to, rid);
      } else {
        req.response().putHeader("Content-Type", "text/x-diff; charset=utf-8").end(d.get());
      }
    });
  }

  void rollbackConfig(HttpServerRequest req, String rid, Principal who) {
    ControlPlane c = control(req, rid);
    if (c == null) {
      return;
    }
    readJson(req, rid, body -> {
      Object n = body.getValue("version");
      if (!(n instanceof Number num) || num.longValue() < 1 || num.doubleValue() != num.longValue()) {
        Errors.send(req.response(), 400, "version: " + FeedbackService.echo(String.valueOf(n))
            + " (expected: a version number >= 1)", rid);
        return;
      }
      answer(req, rid, c.rollback(num.longValue(), who, address(req), body.getString("message")), w -> {
        if (w.isEmpty()) {
          Errors.send(req.response(), 404, "no config version " + num.longValue()
              + " (unknown, or pruned from the history)", rid);
        } else {
          written(req, w.get());
        }
      });
    });
  }

  /** One of the experiment operations, {@code op} naming it. */
  void operation(HttpServerRequest req, String rid, Principal who, String experiment, String op) {
    ControlPlane c = control(req, rid);
    if (c == null) {
      return;
    }
    readJson(req, rid, body -> {
      Function<String, Edit> edit;
      try {
        edit = edit(op, experiment, body);
      } catch (IllegalArgumentException e) {
        Errors.send(req.response(), 400, e.getMessage(), rid);
        return;
      }
      answer(req, rid, c.operate(edit, who, address(req), body.getString("reason", body.getString("message")),
          "experiment." + op, experiment), w -> written(req, w));
    });
  }

  /** The edit of an operation's body (IllegalArgumentException: a bad body). */
  private static Function<String, Edit> edit(String op, String experiment, JsonObject body) {
    return switch (op) {
      case "ramp" -> {
        if (body.containsKey("weights")) {
          Object w = body.getValue("weights");
          if (!(w instanceof JsonObject weights) || weights.isEmpty()) {
            throw new IllegalArgumentException("weights: expected an object of variant id to basis points");
          }
          Map<String, Integer> bps = new LinkedHashMap<>();
          for (String k : weights.fieldNames()) {
            Object v = weights.getValue(k);
            if (!(v instanceof Number n) || n.doubleValue() != n.intValue() || n.intValue() < 0) {
              throw new IllegalArgumentException("weights." + FeedbackService.echo(k) + ": "
                  + FeedbackService.echo(String.valueOf(v)) + " (expected: whole basis points >= 0)");
            }
            bps.put(k, n.intValue());
          }
          yield doc -> ConfigEdits.weights(doc, experiment, bps);
        }
        Object p = body.getValue("percent");
        if (!(p instanceof Number n) || n.doubleValue() != n.intValue()) {
          throw new IllegalArgumentException("percent: " + FeedbackService.echo(String.valueOf(p))
              + " (expected: a whole percentage 0..100 for a canary, or weights for variants)");
        }
        int percent = n.intValue();
        yield doc -> ConfigEdits.ramp(doc, experiment, percent);
      }
      case "pause" -> doc -> ConfigEdits.pause(doc, experiment);
      case "resume" -> doc -> ConfigEdits.resume(doc, experiment);
      case "promote" -> {
        String arm = body.getString("arm");
        yield doc -> ConfigEdits.promote(doc, experiment, arm);
      }
      case "rollback" -> doc -> ConfigEdits.rollback(doc, experiment);
      default -> throw new IllegalArgumentException("no operation " + op);
    };
  }

  void audit(HttpServerRequest req, String rid) {
    ControlPlane c = control(req, rid);
    if (c == null) {
      return;
    }
    Integer limit = intParam(req, rid, "limit", 100, 1, 10_000);
    if (limit == null) {
      return;
    }
    Instant since = null;
    String s = req.getParam("since");
    if (s != null) {
      try {
        since = Instant.parse(s);
      } catch (DateTimeParseException e) {
        Errors.send(req.response(), 400, "since: " + FeedbackService.echo(s)
            + " (expected: an ISO-8601 instant such as 2026-12-06T10:00:00Z)", rid);
        return;
      }
    }
    answer(req, rid, c.audit().read(since, limit), list -> {
      JsonArray out = new JsonArray();
      for (AuditEntry e : list) {
        out.add(new JsonObject().put("id", e.id()).put("time", e.time().toString()).put("actor", e.actor())
            .put("address", e.address()).put("action", e.action()).put("target", e.target())
            .put("version", e.version()).put("status", e.status()).put("message", e.message()).put("diff", e.diff()));
      }
      Answers.json(req, 200, new JsonObject().put("log", c.audit().describe()).put("entries", out));
    });
  }

  private static JsonObject version(ConfigVersion v) {
    return new JsonObject().put("version", v.number()).put("hash", v.hash()).put("author", v.author())
        .put("time", v.time() == null ? null : v.time().toString()).put("message", v.message())
        .put("summary", v.summary());
  }

  private static void written(HttpServerRequest req, ControlPlane.Written w) {
    req.response().putHeader("ETag", etag(w.version()));
    JsonObject body = version(w.version()).put("applied", true);
    if (w.stickiness() != null) {
      body.put("stickiness", w.stickiness());
    }
    Answers.json(req, 200, body);
  }

  /**
   * The version {@code If-Match} names ({@code "7.<hash>"}, as {@code ETag} gives it, or a bare version number);
   * null after answering 428 when it is missing or 400 when it is malformed.
   */
  private static Long ifMatch(HttpServerRequest req, String rid) {
    String h = req.getHeader("If-Match");
    if (h == null || h.isBlank()) {
      Errors.send(req.response(), 428, "If-Match is required: send the ETag of the config you edited "
          + "(GET /admin/v1/config)", rid);
      return null;
    }
    String v = h.trim();
    if (v.startsWith("W/")) {
      v = v.substring(2);
    }
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    int dot = v.indexOf('.');
    String n = dot < 0 ? v : v.substring(0, dot);
    try {
      long number = Long.parseLong(n);
      if (number >= 0) {
        return number;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    Errors.send(req.response(), 400, "If-Match: " + FeedbackService.echo(h)
        + " (expected: the ETag of GET /admin/v1/config, such as \"7.<hash>\")", rid);
    return null;
  }

  private static Long number(HttpServerRequest req, String rid, String name, String value) {
    try {
      long n = Long.parseLong(value == null ? "" : value.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    Errors.send(req.response(), 400, name + ": " + FeedbackService.echo(String.valueOf(value))
        + " (expected: a version number >= 1)", rid);
    return null;
  }

  private static Integer intParam(HttpServerRequest req, String rid, String name, int dflt, int min, int max) {
    String v = req.getParam(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    Errors.send(req.response(), 400, name + ": " + FeedbackService.echo(v) + " (expected: " + min + ".." + max + ")",
        rid);
    return null;
  }

  private static boolean accepts(HttpServerRequest req, String type) {
    String a = req.getHeader("Accept");
    return a != null && a.contains(type);
  }

  static String address(HttpServerRequest req) {
    return req.remoteAddress() == null ? "unknown" : req.remoteAddress().hostAddress();
  }

  /** Reads a body of at most {@code max} bytes (413 beyond it), then runs {@code then} on the request's context. */
  static void readBody(HttpServerRequest req, String rid, int max, java.util.function.Consumer<Buffer> then) {
    String cl = req.getHeader("Content-Length");
    if (cl != null) {
      try {
        if (Long.parseLong(cl.trim()) > max) {
          req.response().putHeader("Connection", "close");
          Errors.send(req.response(), 413, "body larger than " + max + " bytes", rid);
          return;
        }
      } catch (NumberFormatException e) {
        req.response().putHeader("Connection", "close");
        Errors.send(req.response(), 400, "invalid Content-Length", rid);
        return;
      }
    }
    Buffer body = Buffer.buffer();
    boolean[] over = {false};
    req.handler(chunk -> {
      if (over[0]) {
        return;
      }
      if (body.length() + chunk.length() > max) {
        over[0] = true;
        req.response().putHeader("Connection", "close");
        Errors.send(req.response(), 413, "body larger than " + max + " bytes", rid);
        return;
      }
      body.appendBuffer(chunk);
    });
    req.endHandler(v -> {
      if (!over[0]) {
        Answers.guarded(req, rid, () -> then.accept(body));
      }
    });
    req.exceptionHandler(t -> over[0] = true);
    req.resume();
  }

  /** Reads a JSON object body (an empty body is {@code {}}); 400 when it is not one. */
  private static void readJson(HttpServerRequest req, String rid, java.util.function.Consumer<JsonObject> then) {
    readBody(req, rid, MAX_OPERATION_BYTES, body -> {
      if (body.length() == 0) {
        then.accept(new JsonObject());
        return;
      }
      JsonObject o;
      try {
        o = new JsonObject(body);
      } catch (DecodeException | ClassCastException e) {
        Errors.send(req.response(), 400, "the body is not a JSON object", rid);
        return;
      }
      then.accept(o);
    });
  }

  /**
   * Completes a request from {@code stage} on the request's context: {@code then} with the result, or the error
   * answer its failure maps to (409 stale or read-only, 422 invalid config, 404/400/409 from an edit, 503 store
   * unavailable, else 500).
   */
  private static <T> void answer(HttpServerRequest req, String rid, CompletionStage<T> stage,
      java.util.function.Consumer<T> then) {
    Context ctx = Vertx.currentContext();
    stage.whenComplete((v, t) -> ctx.runOnContext(x -> Answers.guarded(req, rid, () -> {
      if (t == null) {
        then.accept(v);
        return;
      }
      failed(req, rid, ControlPlane.unwrap(t));
    })));
  }

  private static void failed(HttpServerRequest req, String rid, Throwable t) {
    if (t instanceof StaleVersionException s) {
      req.response().putHeader("X-Config-Version", String.valueOf(s.latest()));
      Errors.send(req.response(), 409, "conflict", s.getMessage(), rid);
    } else if (t instanceof ReadOnlyStoreException r) {
      Errors.send(req.response(), 409, "read_only", r.getMessage(), rid);
    } else if (t instanceof ConfigException e) {
      JsonArray errors = new JsonArray();
      for (ConfigError err : e.errors()) {
        errors.add(new JsonObject().put("path", err.path()).put("message", err.message()));
      }
      req.response().putHeader("X-Request-Id", rid);
      Answers.json(req, 422, new JsonObject().put("error", "invalid_config")
          .put("message", e.errors().size() + " error(s); nothing changed").put("errors", errors)
          .put("requestId", rid));
    } else if (t instanceof EditException e) {
      int status = switch (e.kind()) {
        case NOT_FOUND -> 404;
        case INVALID -> 400;
        case CONFLICT -> 409;
      };
      Errors.send(req.response(), status, e.getMessage(), rid);
    } else if (t instanceof StoreUnavailableException u) {
      req.response().putHeader("Retry-After", "1");
      Errors.send(req.response(), 503, u.getMessage() + "; the last applied config keeps serving", rid);
    } else {
      Answers.failed(req, rid, t);
    }
  }
}

package dev.vane.gateway.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/**
 * Every error the gateway itself answers, in one place. Bodies are JSON:
 * {@code {"error": code, "message": text, "requestId": id}}.
 */
public final class Errors {
  private Errors() {}

  /** An upstream failure mapped to a status: 504 for a timeout, 503 for an exhausted pool, 502 otherwise. */
  public static int statusOf(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String name = c.getClass().getName();
      if (name.endsWith("ConnectTimeoutException") || c instanceof ConnectException
          || c instanceof UnknownHostException || c instanceof NoRouteToHostException) {
        return 502;
      }
      if (c instanceof TimeoutException || name.contains("Timeout")) {
        return 504;
      }
      if (name.endsWith("ConnectionPoolTooBusyException")) {
        return 503;
      }
    }
    return 502;
  }

  public static String codeOf(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 409 -> "conflict";
      case 413 -> "payload_too_large";
      case 415 -> "unsupported_media_type";
      case 422 -> "invalid_config";
      case 428 -> "precondition_required";
      case 500 -> "internal";
      case 502 -> "bad_gateway";
      case 503 -> "unavailable";
      case 504 -> "upstream_timeout";
      default -> "error";
    };
  }

  public static void send(HttpServerResponse res, int status, String message, String requestId) {
    send(res, status, codeOf(status), message, requestId);
  }

  /** A short description of a failure for an error message: its message, or its type when it has none. */
  public static String describe(Throwable t) {
    String m = t.getMessage();
    if (m == null || m.isEmpty()) {
      return t.getClass().getSimpleName();
    }
    return m.length() > 200 ? m.substring(0, 200) + "…" : m;
  }

  public static void send(HttpServerResponse res, int status, String code, String message, String requestId) {
    if (res.headWritten() || res.ended() || res.closed()) {
      return;
    }
    JsonObject body = new JsonObject().put("error", code).put("message", message);
    if (requestId != null) {
      body.put("requestId", requestId);
      res.putHeader(Headers.REQUEST_ID, requestId);
    }
    res.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

}

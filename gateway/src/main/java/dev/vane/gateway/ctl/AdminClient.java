package dev.vane.gateway.ctl;

import dev.vane.config.Redaction;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The admin API over the JDK's HTTP client: every call has a connect and a request timeout, carries the bearer
 * token when there is one, and turns a non-2xx answer into a {@link CtlException} with the exit code
 * {@link ExitCodes#forStatus} gives it. The token is only ever written into the {@code Authorization} header: no
 * message this class builds contains it.
 */
final class AdminClient {
  private final URI base;
  private final String token;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param base    the admin listener, such as {@code http://127.0.0.1:9090}
   * @param token   the bearer token, or null to send none
   * @param timeout for connecting and for each whole request
   */
  AdminClient(URI base, String token, Duration timeout) {
    this.base = base;
    this.token = token;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** An answer: status, the headers the commands read, and the body as text. */
  record Reply(int status, String body, String etag, String contentType) {
    JsonObject json() throws CtlException {
      try {
        return new JsonObject(body);
      } catch (DecodeException | ClassCastException e) {
        throw new CtlException(ExitCodes.FAILED, "expected a JSON object from the admin API, got: " + cut(body));
      }
    }
  }

  /** {@code GET path} with {@code Accept: accept} (null: any); a 2xx answer, else the failure. */
  Reply get(String path, String accept) throws CtlException {
    return ok(send("GET", path, accept, Map.of(), null, null));
  }

  /** {@code GET path}, any status: for {@code /readyz}, whose 503 still says why. */
  Reply getAnyStatus(String path) throws CtlException {
    return send("GET", path, "application/json", Map.of(), null, null);
  }

  /** {@code POST path} with a JSON body; a 2xx answer, else the failure. */
  Reply post(String path, JsonObject body) throws CtlException {
    return ok(send("POST", path, "application/json", Map.of(), body.encode(), "application/json"));
  }

  /** {@code PUT path} with a text body and {@code headers}; a 2xx answer, else the failure. */
  Reply put(String path, String body, String contentType, Map<String, String> headers) throws CtlException {
    return ok(send("PUT", path, "application/json", headers, body, contentType));
  }

  /** A query parameter, encoded. */
  static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private Reply send(String method, String path, String accept, Map<String, String> headers, String body,
      String contentType) throws CtlException {
    URI uri = base.resolve(path);
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (accept != null) {
      b.header("Accept", accept);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    headers.forEach(b::header);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> res;
    try {
      res = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpTimeoutException e) {
      throw new CtlException(ExitCodes.UNAVAILABLE, "no answer from " + where() + " within " + timeout.toMillis()
          + " ms (--timeout)");
    } catch (IOException e) {
      String why = e.getMessage() != null ? e.getMessage()
          : e instanceof java.net.ConnectException ? "connection refused" : e.getClass().getSimpleName();
      throw new CtlException(ExitCodes.UNAVAILABLE, "cannot reach the admin API at " + where() + ": "
          + Redaction.text(why));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CtlException(ExitCodes.UNAVAILABLE, "interrupted while calling " + where());
    }
    return new Reply(res.statusCode(), res.body(), res.headers().firstValue("ETag").orElse(null),
        res.headers().firstValue("Content-Type").orElse(""));
  }

  /** The admin URL for messages, its credentials (if any were written in it) hidden. */
  String where() {
    return Redaction.text(base.toString());
  }

  private static Reply ok(Reply r) throws CtlException {
    if (r.status() >= 200 && r.status() < 300) {
      return r;
    }
    throw failure(r);
  }

  /**
   * The failure of a non-2xx answer: {@code <status> <error>: <message> (request id <id>)}, and for a 422 each
   * config error as {@code path: message}.
   */
  static CtlException failure(Reply r) {
    int code = ExitCodes.forStatus(r.status());
    JsonObject err;
    try {
      err = new JsonObject(r.body());
    } catch (RuntimeException e) {
      return new CtlException(code, r.status() + ": " + cut(r.body()));
    }
    StringBuilder msg = new StringBuilder().append(r.status());
    if (err.getValue("error") != null) {
      msg.append(' ').append(err.getValue("error"));
    }
    if (err.getValue("message") != null) {
      msg.append(": ").append(err.getValue("message"));
    }
    if (err.getValue("requestId") != null) {
      msg.append(" (request id ").append(err.getValue("requestId")).append(')');
    }
    List<String> details = new ArrayList<>();
    if (err.getValue("errors") instanceof JsonArray errors) {
      for (Object o : errors) {
        if (o instanceof JsonObject e) {
          details.add(e.getValue("path") + ": " + e.getValue("message"));
        }
      }
    }
    return new CtlException(code, msg.toString(), details);
  }

  private static String cut(String s) {
    String t = s == null ? "" : s.strip();
    return t.length() > 200 ? t.substring(0, 200) + "..." : t;
  }
}

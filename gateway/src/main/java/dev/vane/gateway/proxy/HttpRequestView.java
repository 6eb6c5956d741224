package dev.vane.gateway.proxy;

import dev.vane.router.RequestView;
import io.vertx.core.http.HttpServerRequest;

/** Adapts a Vert.x request to what routing reads. */
final class HttpRequestView implements RequestView {
  private final HttpServerRequest req;
  private final String path;
  String model;

  /** @param path the request's normalised path (what routing sees) */
  HttpRequestView(HttpServerRequest req, String path) {
    this.req = req;
    this.path = path;
  }

  @Override
  public String method() {
    return req.method().name();
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String header(String name) {
    return req.getHeader(name);
  }

  @Override
  public String queryParam(String name) {
    return req.query() == null ? null : req.getParam(name);
  }

  @Override
  public String cookie(String name) {
    String header = req.getHeader("Cookie");
    if (header == null) {
      return null;
    }
    int i = 0;
    int n = header.length();
    while (i < n) {
      int semi = header.indexOf(';', i);
      if (semi < 0) {
        semi = n;
      }
      int eq = header.indexOf('=', i);
      if (eq > 0 && eq < semi && header.substring(i, eq).trim().equals(name)) {
        String v = header.substring(eq + 1, semi).trim();
        if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
          v = v.substring(1, v.length() - 1);
        }
        return v;
      }
      i = semi + 1;
    }
    return null;
  }

  @Override
  public String model() {
    return model;
  }
}

package dev.vane.router;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** A plain request for routing tests. */
final class TestRequest implements RequestView {
  private final String path;
  private final Map<String, String> headers = new HashMap<>();
  private final Map<String, String> query = new HashMap<>();
  private final Map<String, String> cookies = new HashMap<>();
  private String model;

  TestRequest(String path) {
    this.path = path;
  }

  static TestRequest of(String path) {
    return new TestRequest(path);
  }

  TestRequest header(String name, String value) {
    headers.put(name.toLowerCase(Locale.ROOT), value);
    return this;
  }

  TestRequest query(String name, String value) {
    query.put(name, value);
    return this;
  }

  TestRequest cookie(String name, String value) {
    cookies.put(name, value);
    return this;
  }

  TestRequest model(String m) {
    this.model = m;
    return this;
  }

  @Override public String method() { return "POST"; }
  @Override public String path() { return path; }
  @Override public String header(String name) { return headers.get(name.toLowerCase(Locale.ROOT)); }
  @Override public String queryParam(String name) { return query.get(name); }
  @Override public String cookie(String name) { return cookies.get(name); }
  @Override public String model() { return model; }
}

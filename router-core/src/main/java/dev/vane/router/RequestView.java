package dev.vane.router;

/** What routing and assignment may read of a request; the gateway adapts its HTTP request to this. */
public interface RequestView {
  String method();

  /** Path without the query string. */
  String path();

  /** First value of a header (case-insensitive name), or null. */
  String header(String name);

  /** First value of a query parameter, or null. */
  String queryParam(String name);

  /** Value of a cookie, or null. */
  String cookie(String name);

  /** The model named by the request (KServe v2 path or OpenAI-style body), or null. */
  String model();
}

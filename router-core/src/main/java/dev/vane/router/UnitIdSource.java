package dev.vane.router;

/**
 * Where the unit id of a request comes from: the first of header, cookie, query parameter that is present and
 * non-empty. Any of the three may be null (not consulted).
 */
public record UnitIdSource(String header, String cookie, String queryParam) {
  public static final UnitIdSource DEFAULT = new UnitIdSource("X-User-Id", null, null);

  /** The unit id of the request, or null when it carries none. */
  public String unitOf(RequestView request) {
    String v;
    if (header != null && (v = request.header(header)) != null && !v.isEmpty()) {
      return v;
    }
    if (cookie != null && (v = request.cookie(cookie)) != null && !v.isEmpty()) {
      return v;
    }
    if (queryParam != null && (v = request.queryParam(queryParam)) != null && !v.isEmpty()) {
      return v;
    }
    return null;
  }
}

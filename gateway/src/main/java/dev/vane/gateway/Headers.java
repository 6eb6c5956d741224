package dev.vane.gateway;

import io.vertx.core.MultiMap;
import java.util.Locale;
import java.util.Set;

/** Header names and the hop-by-hop filter (RFC 9110 section 7.6.1). */
final class Headers {
  static final String REQUEST_ID = "X-Request-Id";
  static final String EXPERIMENT = "X-Vane-Experiment";
  static final String VARIANT = "X-Vane-Variant";
  static final String FALLBACK = "X-Vane-Fallback";
  static final String FORWARDED_HOST = "X-Forwarded-Host";

  /** Hop-by-hop headers, plus those the client library sets itself (host, content-length). */
  private static final Set<String> DROPPED = Set.of("connection", "keep-alive", "proxy-connection",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
      "content-length");

  private Headers() {}

  /**
   * Copies end-to-end headers from {@code from} to {@code to}: drops hop-by-hop headers and any header the
   * Connection header names.
   */
  static void copyEndToEnd(MultiMap from, MultiMap to) {
    String connection = from.get("connection");
    for (var e : from) {
      String lower = e.getKey().toLowerCase(Locale.ROOT);
      if (DROPPED.contains(lower)) {
        continue;
      }
      if (connection != null && namedIn(connection, lower)) {
        continue;
      }
      to.add(e.getKey(), e.getValue());
    }
  }

  private static boolean namedIn(String connection, String lowerName) {
    for (String token : connection.split(",")) {
      if (token.trim().toLowerCase(Locale.ROOT).equals(lowerName)) {
        return true;
      }
    }
    return false;
  }
}

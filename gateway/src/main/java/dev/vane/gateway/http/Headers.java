package dev.vane.gateway.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Map;

/** Header names and the hop-by-hop filter (RFC 9110 section 7.6.1). */
public final class Headers {
  public static final String REQUEST_ID = "X-Request-Id";
  public static final String EXPERIMENT = "X-Vane-Experiment";
  public static final String VARIANT = "X-Vane-Variant";
  public static final String FALLBACK = "X-Vane-Fallback";
  public static final String FORWARDED_HOST = "X-Forwarded-Host";
  public static final String FORWARDED_FOR = "X-Forwarded-For";

  private Headers() {}

  /**
   * Hop-by-hop headers, plus those the client library sets itself (host, content-length). Compared without
   * allocating: by length first, then case-insensitively.
   */
  public static boolean dropped(CharSequence name) {
    return switch (name.length()) {
      case 2 -> eq(name, "te");
      case 4 -> eq(name, "host");
      case 7 -> eq(name, "trailer") || eq(name, "upgrade");
      case 10 -> eq(name, "connection") || eq(name, "keep-alive");
      case 14 -> eq(name, "content-length");
      case 16 -> eq(name, "proxy-connection");
      case 17 -> eq(name, "transfer-encoding");
      case 18 -> eq(name, "proxy-authenticate");
      case 19 -> eq(name, "proxy-authorization");
      default -> false;
    };
  }

  /** Appends {@code value} to a list-valued header: {@code a, b} when it is present, else just {@code value}. */
  public static void append(MultiMap headers, String name, String value) {
    List<String> old = headers.getAll(name);
    if (old.isEmpty()) {
      headers.set(name, value);
    } else {
      headers.set(name, String.join(", ", old) + ", " + value);
    }
  }

  private static boolean eq(CharSequence a, String lower) {
    for (int i = 0, n = lower.length(); i < n; i++) {
      char c = a.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        c = (char) (c + 32);
      }
      if (c != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Copies end-to-end headers from {@code from} to {@code to}: drops hop-by-hop headers and any header the
   * Connection header names.
   */
  public static void copyEndToEnd(MultiMap from, MultiMap to) {
    String connection = from.get("connection");
    boolean namesOthers = connection != null && connection.indexOf(',') < 0
        ? !isStandardConnectionToken(connection) : connection != null;
    if (from instanceof HttpHeaders netty) {
      // Vert.x's own header maps are Netty HttpHeaders: walk their entries as CharSequences, without the String
      // entry wrappers the MultiMap iterator makes
      var it = netty.iteratorCharSequence();
      while (it.hasNext()) {
        Map.Entry<CharSequence, CharSequence> e = it.next();
        if (endToEnd(e.getKey(), connection, namesOthers)) {
          to.add(e.getKey(), e.getValue());
        }
      }
      return;
    }
    for (Map.Entry<String, String> e : from) {
      if (endToEnd(e.getKey(), connection, namesOthers)) {
        to.add(e.getKey(), e.getValue());
      }
    }
  }

  private static boolean endToEnd(CharSequence name, String connection, boolean namesOthers) {
    return !dropped(name) && !(namesOthers && namedIn(connection, name.toString()));
  }

  /** "keep-alive" and "close" name no other header. */
  private static boolean isStandardConnectionToken(String v) {
    String t = v.trim();
    return t.equalsIgnoreCase("keep-alive") || t.equalsIgnoreCase("close");
  }

  private static boolean namedIn(String connection, String name) {
    int start = 0;
    int n = connection.length();
    while (start < n) {
      int comma = connection.indexOf(',', start);
      if (comma < 0) {
        comma = n;
      }
      int s = start;
      int e = comma;
      while (s < e && connection.charAt(s) == ' ') {
        s++;
      }
      while (e > s && connection.charAt(e - 1) == ' ') {
        e--;
      }
      if (e - s == name.length() && connection.regionMatches(true, s, name, 0, name.length())) {
        return true;
      }
      start = comma + 1;
    }
    return false;
  }
}

package dev.vane.gateway.http;

import java.util.Arrays;

/**
 * A request's target, checked against RFC 9112 §3.2 and normalised as RFC 3986 §6.2.2 says, before anything routes
 * on it or forwards it. What Vane accepts:
 *
 * <ul>
 *   <li><b>origin-form</b> ({@code /path?query}): the usual form.
 *   <li><b>absolute-form</b> ({@code http://authority/path?query}, as sent to forward proxies): accepted, as RFC 9112
 *       §3.2.2 asks of servers, but only its path and query are used; the authority is ignored (Vane routes by path,
 *       and the upstream gets its own {@code Host}), so a client cannot pick an upstream's virtual host.
 *   <li>not accepted (400): {@code CONNECT} (Vane is not a tunnel), asterisk-form ({@code OPTIONS *}), any other form,
 *       a fragment, bytes that may not appear in a target (controls, space, DEL, non-ASCII), a backslash in the path,
 *       malformed percent-escapes, encoded slashes or backslashes ({@code %2F}, {@code %5C}) and encoded NUL in the
 *       path, and dot segments that climb above the root.
 * </ul>
 *
 * <p>The path is normalised: percent-escapes of unreserved characters are decoded ({@code %7E} → {@code ~},
 * {@code %2E} → {@code .}), other escapes get upper-case hex digits, then dot segments are removed
 * ({@code /a/./b/../c} → {@code /a/c}). Encoded slashes are refused rather than passed on because upstreams disagree
 * on them: one that decodes {@code %2F} before normalising its own path would see segments (and {@code ..}) that
 * Vane's routing did not. The query is passed on as it came (its bytes checked).
 */
public final class RequestTarget {
  private final String path;
  private final String query;

  private RequestTarget(String path, String query) {
    this.path = path;
    this.query = query;
  }

  /** The normalised path: starts with {@code /}, no dot segments. */
  public String path() {
    return path;
  }

  /** The raw query (without {@code ?}), or null when the target had none. */
  public String query() {
    return query;
  }

  /** Origin-form, what the upstream gets after the endpoint's base path: the path, then {@code ?query} if any. */
  public String uri() {
    return query == null ? path : path + '?' + query;
  }

  @Override
  public String toString() {
    return uri();
  }

  /** A target Vane refuses (400); the message says why, without echoing the target. */
  public static final class Invalid extends RuntimeException {
    public Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Checks and normalises {@code raw}, the request target as the request line carried it.
   *
   * @throws Invalid when the target is refused (the message names the rule it broke)
   */
  public static RequestTarget parse(String method, String raw) {
    if ("CONNECT".equals(method)) {
      throw new Invalid("CONNECT is not supported (Vane is a reverse proxy, not a tunnel)");
    }
    if (raw == null || raw.isEmpty()) {
      throw new Invalid("empty request target");
    }
    int start;
    char first = raw.charAt(0);
    if (first == '/') {
      start = 0;
    } else if (raw.equals("*")) {
      throw new Invalid("asterisk-form request target (*) is not supported");
    } else {
      start = afterAuthority(raw);
    }
    int n = raw.length();
    int q = -1;
    boolean escapes = false;
    boolean dots = false;
    for (int i = start; i < n; i++) {
      char c = raw.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new Invalid(String.format("byte 0x%02x is not allowed in a request target", (int) c & 0xff));
      }
      switch (c) {
        case '#' -> throw new Invalid("a request target may not carry a fragment (#)");
        case '%' -> {
          if (i + 2 >= n || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
            throw new Invalid("malformed percent-escape in the request target");
          }
          if (q < 0) {
            escapes = true;
          }
          i += 2;
        }
        case '?' -> {
          if (q < 0) {
            q = i;
          }
        }
        case '\\' -> {
          if (q < 0) {
            throw new Invalid("backslash in the request path");
          }
        }
        case '.' -> {
          if (q < 0 && raw.charAt(i - 1) == '/') {
            dots = true;
          }
        }
        default -> { }
      }
    }
    int pathEnd = q < 0 ? n : q;
    String query = q < 0 ? null : raw.substring(q + 1);
    String path;
    if (pathEnd == start) {
      path = "/"; // absolute-form with an empty path
    } else if (!escapes && !dots) {
      path = start == 0 && pathEnd == n ? raw : raw.substring(start, pathEnd);
    } else {
      path = normalise(raw, start, pathEnd, escapes);
    }
    return new RequestTarget(path, query);
  }

  /** Where the path of an absolute-form target starts (its end, when the path is empty). */
  private static int afterAuthority(String raw) {
    int schemeEnd;
    if (raw.regionMatches(true, 0, "http://", 0, 7)) {
      schemeEnd = 7;
    } else if (raw.regionMatches(true, 0, "https://", 0, 8)) {
      schemeEnd = 8;
    } else {
      throw new Invalid("the request target is not a path (expected: /path or http://host/path)");
    }
    int n = raw.length();
    int i = schemeEnd;
    while (i < n) {
      char c = raw.charAt(i);
      if (c == '/' || c == '?') {
        break;
      }
      if (c <= 0x20 || c >= 0x7f || c == '#' || c == '\\') {
        throw new Invalid(String.format("byte 0x%02x is not allowed in a request target's authority", (int) c & 0xff));
      }
      i++;
    }
    if (i == schemeEnd) {
      throw new Invalid("absolute-form request target without a host");
    }
    return i;
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static boolean unreserved(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }

  /** Decodes unreserved escapes, then removes dot segments (RFC 3986 §5.2.4), refusing a climb above the root. */
  private static String normalise(String raw, int start, int end, boolean escapes) {
    String p;
    if (escapes) {
      StringBuilder sb = new StringBuilder(end - start);
      for (int i = start; i < end; i++) {
        char c = raw.charAt(i);
        if (c != '%') {
          sb.append(c);
          continue;
        }
        int v = hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2));
        i += 2;
        if (v == '/' || v == '\\') {
          throw new Invalid("encoded slash or backslash (%2F, %5C) in the request path");
        }
        if (v == 0) {
          throw new Invalid("encoded NUL (%00) in the request path");
        }
        if (unreserved(v)) {
          sb.append((char) v);
        } else {
          sb.append('%').append(Character.toUpperCase(raw.charAt(i - 1))).append(Character.toUpperCase(raw.charAt(i)));
        }
      }
      p = sb.toString();
    } else {
      p = raw.substring(start, end);
    }
    // p starts with '/': walk its segments, keeping a stack of output segment starts
    StringBuilder out = new StringBuilder(p.length());
    int[] starts = new int[16];
    int depth = 0;
    int i = 1;
    int n = p.length();
    while (true) {
      int slash = p.indexOf('/', i);
      int segEnd = slash < 0 ? n : slash;
      int len = segEnd - i;
      boolean last = slash < 0;
      if (len == 1 && p.charAt(i) == '.') {
        if (last) {
          out.append('/');
        }
      } else if (len == 2 && p.charAt(i) == '.' && p.charAt(i + 1) == '.') {
        if (depth == 0) {
          throw new Invalid("the request path climbs above the root (..)");
        }
        out.setLength(starts[--depth]);
        if (last) {
          out.append('/');
        }
      } else {
        if (depth == starts.length) {
          starts = Arrays.copyOf(starts, depth * 2);
        }
        starts[depth++] = out.length();
        out.append('/').append(p, i, segEnd);
      }
      if (last) {
        break;
      }
      i = slash + 1;
    }
    return out.length() == 0 ? "/" : out.toString();
  }
}

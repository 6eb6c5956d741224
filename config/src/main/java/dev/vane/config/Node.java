package dev.vane.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cursor over one YAML mapping that reads typed fields, records every problem with its path instead of stopping
 * at the first, and finally reports fields nobody read as unknown.
 */
final class Node {
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|KiB|MB|MiB|GB|GiB)?", Pattern.CASE_INSENSITIVE);

  private final JsonNode json;
  private final String path;
  private final List<ConfigError> errors;
  private final Set<String> known = new LinkedHashSet<>();

  Node(JsonNode json, String path, List<ConfigError> errors) {
    this.json = json;
    this.path = path;
    this.errors = errors;
  }

  String path() {
    return path;
  }

  JsonNode json() {
    return json;
  }

  int errorCount() {
    return errors.size();
  }

  void addAbsolute(String absolutePath, String message) {
    errors.add(new ConfigError(absolutePath, message));
  }

  String at(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  void error(String field, String message) {
    errors.add(new ConfigError(field == null ? path : at(field), message));
  }

  boolean has(String field) {
    known.add(field);
    JsonNode v = json.get(field);
    return v != null && !v.isNull();
  }

  JsonNode raw(String field) {
    known.add(field);
    JsonNode v = json.get(field);
    return v == null || v.isNull() ? null : v;
  }

  /** A nested mapping, or null (with an error when present but not a mapping, or required and missing). */
  Node object(String field, boolean required) {
    JsonNode v = raw(field);
    if (v == null) {
      if (required) {
        error(field, "missing (expected: a mapping)");
      }
      return null;
    }
    if (!v.isObject()) {
      error(field, describe(v) + " (expected: a mapping)");
      return null;
    }
    return new Node(v, at(field), errors);
  }

  /** Elements of a sequence as mappings; empty when absent. */
  List<Node> objects(String field, boolean required) {
    JsonNode v = raw(field);
    List<Node> out = new ArrayList<>();
    if (v == null) {
      if (required) {
        error(field, "missing (expected: a list)");
      }
      return out;
    }
    if (!v.isArray()) {
      error(field, describe(v) + " (expected: a list)");
      return out;
    }
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      String p = at(field) + "[" + i + "]";
      if (!e.isObject()) {
        errors.add(new ConfigError(p, describe(e) + " (expected: a mapping)"));
      } else {
        out.add(new Node(e, p, errors));
      }
    }
    return out;
  }

  String string(String field, String dflt, boolean required) {
    JsonNode v = raw(field);
    if (v == null) {
      if (required) {
        error(field, "missing (expected: a string)");
      }
      return dflt;
    }
    if (!v.isTextual() && !v.isNumber() && !v.isBoolean()) {
      error(field, describe(v) + " (expected: a string)");
      return dflt;
    }
    String s = v.asText();
    if (required && s.isBlank()) {
      error(field, "empty (expected: a non-empty string)");
    }
    return s;
  }

  /** An identifier: letters, digits, '.', '_' and '-'. */
  String id(String field, String dflt, boolean required) {
    String s = string(field, dflt, required);
    if (s != null && !s.isEmpty() && !s.matches("[A-Za-z0-9._-]{1,64}")) {
      error(field, quote(s) + " (expected: 1..64 of letters, digits, '.', '_', '-')");
    }
    return s;
  }

  boolean bool(String field, boolean dflt) {
    JsonNode v = raw(field);
    if (v == null) {
      return dflt;
    }
    if (!v.isBoolean()) {
      error(field, describe(v) + " (expected: true or false)");
      return dflt;
    }
    return v.booleanValue();
  }

  /** An integer in {@code min..max}; YAML floats (1.5, 80.0), strings and numbers beyond a long are rejected. */
  long integer(String field, long dflt, long min, long max) {
    JsonNode v = raw(field);
    if (v == null) {
      return dflt;
    }
    if (!v.isIntegralNumber()) {
      error(field, describe(v) + " (expected: an integer " + min + ".." + max + ")");
      return dflt;
    }
    BigInteger x = v.bigIntegerValue();
    if (x.compareTo(BigInteger.valueOf(min)) < 0 || x.compareTo(BigInteger.valueOf(max)) > 0) {
      error(field, x + " (expected: " + min + ".." + max + ")");
      return dflt;
    }
    return x.longValueExact();
  }

  double number(String field, double dflt, double min, double max) {
    JsonNode v = raw(field);
    if (v == null) {
      return dflt;
    }
    if (!v.isNumber()) {
      error(field, describe(v) + " (expected: a number " + fmt(min) + ".." + fmt(max) + ")");
      return dflt;
    }
    double x = v.doubleValue();
    if (!(x >= min && x <= max)) {
      error(field, v.asText() + " (expected: " + fmt(min) + ".." + fmt(max) + ")");
      return dflt;
    }
    return x;
  }

  /** Percent 0..100 with at most two decimals, as basis points. */
  int percentBps(String field, int dfltBps, boolean required) {
    JsonNode v = raw(field);
    if (v == null) {
      if (required) {
        error(field, "missing (expected: a percentage 0..100)");
      }
      return dfltBps;
    }
    if (!v.isNumber()) {
      error(field, describe(v) + " (expected: a percentage 0..100)");
      return dfltBps;
    }
    double x = v.doubleValue();
    if (!(x >= 0 && x <= 100)) {
      error(field, v.asText() + " (expected: 0..100)");
      return dfltBps;
    }
    double bps = x * 100;
    long r = Math.round(bps);
    if (Math.abs(bps - r) > 1e-6) {
      error(field, v.asText() + " (expected: at most two decimals, i.e. whole basis points)");
      return dfltBps;
    }
    return (int) r;
  }

  /**
   * A duration in {@code min..max}: integer milliseconds, or a decimal number with a unit (500ms, 1.5s, 5m, 1h, 30d),
   * computed exactly, so that no value wraps or is cut.
   */
  Duration duration(String field, Duration dflt, Duration min, Duration max) {
    JsonNode v = raw(field);
    if (v == null) {
      return dflt;
    }
    BigDecimal ms = null;
    if (v.isIntegralNumber()) {
      ms = new BigDecimal(v.bigIntegerValue());
    } else if (v.isTextual()) {
      Matcher m = DURATION.matcher(v.asText().trim());
      if (m.matches()) {
        long unit = switch (m.group(2)) {
          case "ms" -> 1;
          case "s" -> 1000;
          case "m" -> 60_000;
          case "h" -> 3_600_000;
          default -> 86_400_000;
        };
        ms = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)).setScale(0, RoundingMode.HALF_UP);
      }
    }
    if (ms == null) {
      error(field, describe(v) + " (expected: a duration such as 500ms, 2s, 5m, 1h, 30d)");
      return dflt;
    }
    if (ms.compareTo(BigDecimal.valueOf(min.toMillis())) < 0 || ms.compareTo(BigDecimal.valueOf(max.toMillis())) > 0) {
      error(field, v.asText() + " (expected: " + human(min) + ".." + human(max) + ")");
      return dflt;
    }
    return Duration.ofMillis(ms.longValueExact());
  }

  /** A size in bytes in {@code min..max}: an integer, or an integer with a binary unit (512KB, 10MB, 1GiB). */
  long bytes(String field, long dflt, long min, long max) {
    JsonNode v = raw(field);
    if (v == null) {
      return dflt;
    }
    BigInteger b = null;
    if (v.isIntegralNumber()) {
      b = v.bigIntegerValue();
    } else if (v.isTextual()) {
      Matcher m = SIZE.matcher(v.asText().trim());
      if (m.matches()) {
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        int shift = switch (unit) {
          case "KB", "KIB" -> 10;
          case "MB", "MIB" -> 20;
          case "GB", "GIB" -> 30;
          default -> 0;
        };
        b = new BigInteger(m.group(1)).shiftLeft(shift);
      }
    }
    if (b == null) {
      error(field, describe(v) + " (expected: a size such as 1048576, 512KB, 10MB)");
      return dflt;
    }
    if (b.compareTo(BigInteger.valueOf(min)) < 0 || b.compareTo(BigInteger.valueOf(max)) > 0) {
      error(field, v.asText() + " (expected: " + min + ".." + max + " bytes)");
      return dflt;
    }
    return b.longValueExact();
  }

  /**
   * An upstream base URL: {@code http} or {@code https} (lower case), a host, a port 1..65535 when given, a path
   * without {@code .} or {@code ..} segments, no query or fragment. User info is accepted but never echoed: every
   * error shows the URL through {@link Redaction#uri(String)}.
   */
  URI url(String field) {
    String s = string(field, null, true);
    if (s == null || s.isBlank()) {
      return null;
    }
    String shown = quote(Redaction.uri(s));
    URI u = parseUri(field, s, shown);
    if (u == null) {
      return null;
    }
    String scheme = u.getScheme();
    if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || u.isOpaque()) {
      error(field, shown + " (expected: an http:// or https:// URL)");
      return null;
    }
    if (!hostAndPort(field, u, shown)) {
      return null;
    }
    if (u.getRawQuery() != null || u.getRawFragment() != null) {
      error(field, shown + " (expected: no query or fragment)");
      return null;
    }
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    for (String seg : path.split("/", -1)) {
      if (seg.equals(".") || seg.equals("..") || seg.equalsIgnoreCase("%2e") || seg.equalsIgnoreCase("%2e%2e")
          || seg.equalsIgnoreCase(".%2e") || seg.equalsIgnoreCase("%2e.")) {
        error(field, shown + " (expected: a base path without . or .. segments)");
        return null;
      }
    }
    return u;
  }

  /**
   * A Redis URI as Lettuce reads it: {@code redis://} or {@code rediss://} with a host, a port 1..65535 when given
   * and a database {@code /0}..{@code /2147483647} when given; or {@code redis-socket://} with a socket path. The
   * password is never echoed.
   */
  String redisUri(String field) {
    String s = string(field, null, true);
    if (s == null || s.isBlank()) {
      return s;
    }
    String shown = quote(Redaction.uri(s));
    if (!(s.startsWith("redis://") || s.startsWith("rediss://") || s.startsWith("redis-socket://"))) {
      error(field, shown + " (expected: redis:// or rediss://)");
      return s;
    }
    URI u = parseUri(field, s, shown);
    if (u == null) {
      return s;
    }
    if (u.getScheme().equals("redis-socket")) {
      if (u.getRawPath() == null || u.getRawPath().isEmpty()) {
        error(field, shown + " (expected: redis-socket:// with a socket path)");
      }
      return s;
    }
    if (!hostAndPort(field, u, shown)) {
      return s;
    }
    String db = u.getRawPath() == null ? "" : u.getRawPath();
    if (!db.isEmpty() && !db.equals("/")
        && !(db.matches("/\\d{1,10}") && Long.parseLong(db.substring(1)) <= Integer.MAX_VALUE)) {
      error(field, shown + " (expected: a database number /0../2147483647 as the path)");
    }
    return s;
  }

  /** {@code s} as a URI, or null after an error that names the reason (never the input, which may hold a secret). */
  private URI parseUri(String field, String s, String shown) {
    try {
      return new URI(s);
    } catch (URISyntaxException e) {
      error(field, shown + " (expected: a URL: " + e.getReason() + " at index " + e.getIndex() + ")");
      return null;
    }
  }

  /** Whether {@code u} has a server authority with a host and a port 1..65535 (else an error is recorded). */
  private boolean hostAndPort(String field, URI u, String shown) {
    String auth = u.getRawAuthority();
    if (auth == null || auth.isEmpty()) {
      error(field, shown + " (expected: a URL with a host)");
      return false;
    }
    String hostPort = auth.substring(auth.lastIndexOf('@') + 1);
    int close = hostPort.lastIndexOf(']');
    int colon = hostPort.lastIndexOf(':');
    if (colon > close && colon >= 0) {
      String port = hostPort.substring(colon + 1);
      if (!port.isEmpty()) {
        if (!port.matches("\\d+")) {
          error(field, shown + " (expected: a port 1..65535)");
          return false;
        }
        BigInteger p = new BigInteger(port);
        if (p.signum() == 0 || p.compareTo(BigInteger.valueOf(65535)) > 0) {
          error(field, shown + " (expected: a port 1..65535, not " + port + ")");
          return false;
        }
      }
    }
    try {
      u.parseServerAuthority();
    } catch (URISyntaxException e) {
      error(field, shown + " (expected: a URL with a host: " + e.getReason() + ")");
      return false;
    }
    if (u.getHost() == null || u.getHost().isEmpty()) {
      error(field, shown + " (expected: a URL with a host)");
      return false;
    }
    return true;
  }

  /** An HTTP header or cookie name (an RFC 9110 token, at most 256 characters). */
  String token(String field, String dflt, boolean required) {
    String s = string(field, dflt, required);
    if (s != null && !s.isEmpty() && !TOKEN.matcher(s).matches()) {
      error(field, quote(s) + " (expected: a header or cookie name: letters, digits and !#$%&'*+-.^_`|~)");
    }
    return s;
  }

  /** Records an error for every field that no reader asked for. */
  void rejectUnknown() {
    var it = json.fieldNames();
    while (it.hasNext()) {
      String f = it.next();
      if (!known.contains(f)) {
        error(f, "unknown field (expected one of: " + String.join(", ", known) + ")");
      }
    }
  }

  /** {@code s} in double quotes, control characters and line separators escaped (\\n, \\u0000). */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c >= 0x7f && c <= 0x9f || c == 0x2028 || c == 0x2029) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  static String describe(JsonNode v) {
    if (v.isTextual()) {
      return quote(v.asText());
    }
    if (v.isObject()) {
      return "a mapping";
    }
    if (v.isArray()) {
      return "a list";
    }
    return v.asText();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  /** A duration in its largest whole unit: 0, 250ms, 2s, 5m, 1h, 3650d. */
  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0";
    }
    long[] units = {86_400_000, 3_600_000, 60_000, 1000};
    String[] names = {"d", "h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      if (ms % units[i] == 0) {
        return ms / units[i] + names[i];
      }
    }
    return ms + "ms";
  }
}

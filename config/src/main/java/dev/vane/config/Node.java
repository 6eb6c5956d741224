package dev.vane.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
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

  long integer(String field, long dflt, long min, long max) {
    JsonNode v = raw(field);
    if (v == null) {
      return dflt;
    }
    if (!v.isIntegralNumber()) {
      error(field, describe(v) + " (expected: an integer " + min + ".." + max + ")");
      return dflt;
    }
    long x = v.longValue();
    if (x < min || x > max) {
      error(field, x + " (expected: " + min + ".." + max + ")");
      return dflt;
    }
    return x;
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

  Duration duration(String field, Duration dflt, Duration min) {
    JsonNode v = raw(field);
    if (v == null) {
      return dflt;
    }
    Duration d = null;
    if (v.isIntegralNumber()) {
      d = Duration.ofMillis(v.longValue());
    } else if (v.isTextual()) {
      Matcher m = DURATION.matcher(v.asText().trim());
      if (m.matches()) {
        double n = Double.parseDouble(m.group(1));
        long ms = switch (m.group(2)) {
          case "ms" -> Math.round(n);
          case "s" -> Math.round(n * 1000);
          case "m" -> Math.round(n * 60_000);
          case "h" -> Math.round(n * 3_600_000);
          default -> Math.round(n * 86_400_000);
        };
        d = Duration.ofMillis(ms);
      }
    }
    if (d == null) {
      error(field, quote(v.asText()) + " (expected: a duration such as 500ms, 2s, 5m, 1h, 30d)");
      return dflt;
    }
    if (d.compareTo(min) < 0) {
      error(field, v.asText() + " (expected: >= " + human(min) + ")");
      return dflt;
    }
    return d;
  }

  long bytes(String field, long dflt, long min, long max) {
    JsonNode v = raw(field);
    if (v == null) {
      return dflt;
    }
    long b = -1;
    if (v.isIntegralNumber()) {
      b = v.longValue();
    } else if (v.isTextual()) {
      Matcher m = SIZE.matcher(v.asText().trim());
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        b = switch (unit) {
          case "KB", "KIB" -> n * 1024;
          case "MB", "MIB" -> n * 1024 * 1024;
          case "GB", "GIB" -> n * 1024 * 1024 * 1024;
          default -> n;
        };
      }
    }
    if (b < 0) {
      error(field, quote(v.asText()) + " (expected: a size such as 1048576, 512KB, 10MB)");
      return dflt;
    }
    if (b < min || b > max) {
      error(field, v.asText() + " (expected: " + min + ".." + max + " bytes)");
      return dflt;
    }
    return b;
  }

  URI url(String field) {
    String s = string(field, null, true);
    if (s == null || s.isBlank()) {
      return null;
    }
    try {
      URI u = new URI(s);
      String scheme = u.getScheme();
      if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
        error(field, quote(s) + " (expected: an http:// or https:// URL)");
        return null;
      }
      if (u.getHost() == null) {
        error(field, quote(s) + " (expected: a URL with a host)");
        return null;
      }
      if (u.getQuery() != null || u.getFragment() != null) {
        error(field, quote(s) + " (expected: no query or fragment)");
        return null;
      }
      return u;
    } catch (Exception e) {
      error(field, quote(s) + " (expected: a URL: " + e.getMessage() + ")");
      return null;
    }
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

  static String quote(String s) {
    return "\"" + s + "\"";
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

  static String human(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }
}

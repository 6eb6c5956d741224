package dev.vane.config;

import com.fasterxml.jackson.databind.JsonNode;

/** How a value from the file is shown in an error message. */
final class Values {
  private Values() {}

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

  /** A string quoted, a number or boolean as is, {@code {}} and {@code []} when empty, else "a mapping", "a list". */
  static String describe(JsonNode v) {
    if (v.isTextual()) {
      return quote(v.asText());
    }
    if (v.isObject()) {
      return v.isEmpty() ? "{}" : "a mapping";
    }
    if (v.isArray()) {
      return v.isEmpty() ? "[]" : "a list";
    }
    return v.asText();
  }

  /** A number from the schema as written there: 100, 1000000000000, 1.0E-9. */
  static String number(JsonNode n) {
    if (n.isIntegralNumber()) {
      return n.bigIntegerValue().toString();
    }
    double d = n.doubleValue();
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}

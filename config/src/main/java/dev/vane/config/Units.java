package dev.vane.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations and sizes as the config writes them: integer milliseconds or a decimal number with a unit (500ms, 1.5s,
 * 5m, 1h, 30d); integer bytes or an integer with a binary unit (512KB, 10MB, 1GiB). Values are computed exactly, so
 * that no value wraps or is cut before its range is checked. The syntax is also a pattern in the schema
 * ({@code $defs/duration}, {@code $defs/size}); these readers return null for anything the pattern rejects.
 */
final class Units {
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|KiB|MB|MiB|GB|GiB)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern RANGE = Pattern.compile("(.+)\\.\\.(.+)");

  private Units() {}

  /** Milliseconds of a duration (half a millisecond rounds up), or null when {@code v} is not one. */
  static BigDecimal millis(JsonNode v) {
    if (v.isIntegralNumber()) {
      return new BigDecimal(v.bigIntegerValue());
    }
    if (v.isTextual()) {
      return millis(v.asText());
    }
    return null;
  }

  static BigDecimal millis(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      return null;
    }
    long unit = switch (m.group(2)) {
      case "ms" -> 1;
      case "s" -> 1000;
      case "m" -> 60_000;
      case "h" -> 3_600_000;
      default -> 86_400_000;
    };
    return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)).setScale(0, RoundingMode.HALF_UP);
  }

  /** Bytes of a size, or null when {@code v} is not one. */
  static BigInteger bytes(JsonNode v) {
    if (v.isIntegralNumber()) {
      return v.bigIntegerValue();
    }
    if (!v.isTextual()) {
      return null;
    }
    Matcher m = SIZE.matcher(v.asText().trim());
    if (!m.matches()) {
      return null;
    }
    String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
    int shift = switch (unit) {
      case "KB", "KIB" -> 10;
      case "MB", "MIB" -> 20;
      case "GB", "GIB" -> 30;
      default -> 0;
    };
    return new BigInteger(m.group(1)).shiftLeft(shift);
  }

  /** The bounds of a range written {@code min..max} in the schema, in milliseconds or bytes. */
  static BigDecimal[] range(String spec, boolean duration) {
    Matcher m = RANGE.matcher(spec);
    if (!m.matches()) {
      throw new IllegalArgumentException("range: \"" + spec + "\" (expected: min..max)");
    }
    BigDecimal[] out = new BigDecimal[2];
    for (int i = 0; i < 2; i++) {
      String s = m.group(i + 1).trim();
      out[i] = duration ? (s.equals("0") ? BigDecimal.ZERO : millis(s)) : new BigDecimal(s);
      if (out[i] == null) {
        throw new IllegalArgumentException("range: \"" + spec + "\" (expected: min..max)");
      }
    }
    return out;
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

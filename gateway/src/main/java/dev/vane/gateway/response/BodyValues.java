package dev.vane.gateway.response;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.vane.config.Analysis;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one number from a JSON body at an RFC 6901 pointer, with Jackson's streaming parser: it walks down the
 * pointer's path, skipping every other subtree unread, and stops at the value (the rest of the body is not read, so
 * not checked either). A number is itself; {@code true}/{@code false} are 1/0; an array yields its first element,
 * its largest or the index of its largest ({@link Analysis.Aggregate}; nested arrays are flattened in order, ties
 * go to the first). Anything else is a {@link Reading} with a reason, never an exception.
 */
public final class BodyValues {
  private static final JsonFactory JSON = new JsonFactory();

  private BodyValues() {}

  /** A value, or the reason there is none ({@code not_json}, {@code missing} or {@code not_numeric}). */
  public record Reading(double value, String reason) {
    static Reading of(double v) {
      return new Reading(v, null);
    }

    static Reading skipped(String reason) {
      return new Reading(Double.NaN, reason);
    }

    public boolean ok() {
      return reason == null;
    }
  }

  /** The pointer's reference tokens, unescaped ({@code ~1} is /, {@code ~0} is ~); "" is the whole body. */
  public static String[] tokens(String pointer) {
    if (pointer.isEmpty()) {
      return new String[0];
    }
    String[] raw = pointer.substring(1).split("/", -1);
    for (int i = 0; i < raw.length; i++) {
      raw[i] = raw[i].replace("~1", "/").replace("~0", "~");
    }
    return raw;
  }

  /** The value at {@code tokens} ({@link #tokens}) in {@code body[0..length)}. */
  public static Reading read(byte[] body, int length, String[] tokens, Analysis.Aggregate aggregate) {
    try (JsonParser p = JSON.createParser(body, 0, length)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return Reading.skipped("not_json");
      }
      for (String seg : tokens) {
        if (t == JsonToken.START_OBJECT) {
          t = field(p, seg);
        } else if (t == JsonToken.START_ARRAY) {
          t = element(p, seg);
        } else {
          t = null;
        }
        if (t == null) {
          return Reading.skipped("missing");
        }
      }
      return value(p, t, aggregate);
    } catch (IOException | RuntimeException e) {
      return Reading.skipped("not_json");
    }
  }

  /** Moves to the value of field {@code name} of the object just started; null when it has none. */
  private static JsonToken field(JsonParser p, String name) throws IOException {
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      boolean match = name.equals(p.currentName());
      JsonToken v = p.nextToken();
      if (match) {
        return v;
      }
      p.skipChildren();
    }
    if (t != JsonToken.END_OBJECT) {
      throw new IOException("cut short");
    }
    return null;
  }

  /** Moves to element {@code index} (decimal, no leading zeros) of the array just started; null when absent. */
  private static JsonToken element(JsonParser p, String index) throws IOException {
    if (index.isEmpty() || index.length() > 9 || (index.length() > 1 && index.charAt(0) == '0')
        || !index.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    int want = Integer.parseInt(index);
    for (int i = 0; ; i++) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.END_ARRAY || t == null) {
        return null;
      }
      if (i == want) {
        return t;
      }
      p.skipChildren();
    }
  }

  private static Reading value(JsonParser p, JsonToken t, Analysis.Aggregate aggregate) throws IOException {
    if (t == JsonToken.START_ARRAY) {
      List<Double> leaves = new ArrayList<>();
      if (!leaves(p, leaves)) {
        return Reading.skipped("not_numeric");
      }
      if (leaves.isEmpty()) {
        return Reading.skipped("missing");
      }
      return switch (aggregate) {
        case FIRST -> Reading.of(leaves.get(0));
        case MAX -> Reading.of(leaves.get(argmax(leaves)));
        case ARGMAX -> Reading.of(argmax(leaves));
      };
    }
    Double v = scalar(p, t);
    if (v == null) {
      return Reading.skipped(t == JsonToken.VALUE_NULL ? "missing" : "not_numeric");
    }
    return Reading.of(aggregate == Analysis.Aggregate.ARGMAX ? 0 : v);
  }

  private static int argmax(List<Double> v) {
    int best = 0;
    for (int i = 1; i < v.size(); i++) {
      if (v.get(i) > v.get(best)) {
        best = i;
      }
    }
    return best;
  }

  /** Adds the array's leaves (flattened) to {@code out}; false when one is not a number or boolean. */
  private static boolean leaves(JsonParser p, List<Double> out) throws IOException {
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) {
        throw new IOException("cut short");
      }
      if (t == JsonToken.START_ARRAY) {
        if (!leaves(p, out)) {
          return false;
        }
        continue;
      }
      Double v = scalar(p, t);
      if (v == null) {
        return false;
      }
      out.add(v);
    }
    return true;
  }

  private static Double scalar(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> 1.0;
      case VALUE_FALSE -> 0.0;
      default -> null;
    };
  }
}

package dev.vane.gateway.shadow;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.EOFException;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a shadow's response compares with the served one.
 *
 * @param statusMatch     same HTTP status
 * @param bodyEqual       byte-identical bodies
 * @param maxAbsDiff      largest absolute difference between numeric outputs, or null when either side has none;
 *                        +Infinity when their shapes differ
 * @param withinTolerance every numeric element agrees within the tolerance (false when maxAbsDiff is null)
 * @param labelEqual      whether the top labels agree, or null when either side has no classification output
 */
public record ShadowComparison(boolean statusMatch, boolean bodyEqual, Double maxAbsDiff, boolean withinTolerance,
    Boolean labelEqual) {

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * Compares two responses. Numeric outputs are read from KServe v2 bodies ({@code outputs[i].data}, flattened),
   * or {@code predictions} (KServe v1 / TF Serving). A top label is the argmax of a numeric output with two or more
   * elements, the first element of a string output, or {@code choices[0]}'s text in OpenAI-style bodies.
   */
  public static ShadowComparison compare(int primaryStatus, byte[] primary, int shadowStatus, byte[] shadow,
      double tolerance) {
    boolean statusMatch = primaryStatus == shadowStatus;
    boolean bodyEqual = Arrays.equals(primary, shadow);
    List<Object> a = outputs(primary);
    if (bodyEqual) {
      return identical(statusMatch, a, tolerance);
    }
    return fromOutputs(statusMatch, false, a, outputs(shadow), tolerance);
  }

  /** The general case, from both sides' outputs (package-private: tests check the identical fast path against it). */
  static ShadowComparison fromOutputs(boolean statusMatch, boolean bodyEqual, List<Object> a, List<Object> b,
      double tolerance) {
    Double maxAbs = null;
    boolean within = false;
    Boolean labelEqual = null;
    if (a != null && b != null) {
      maxAbs = numericDiff(a, b);
      if (maxAbs != null) {
        within = maxAbs <= tolerance;
      }
      List<String> la = labels(a);
      List<String> lb = labels(b);
      if (!la.isEmpty() && !lb.isEmpty()) {
        labelEqual = la.equals(lb);
      }
    }
    return new ShadowComparison(statusMatch, bodyEqual, maxAbs, within, labelEqual);
  }

  /**
   * The comparison of byte-identical bodies, read once (the usual case for an agreeing shadow): what the general
   * case gives for {@code a} against itself, a numeric difference of 0 when it has a numeric output and equal
   * labels when it has a label, without the element-wise pass.
   */
  private static ShadowComparison identical(boolean statusMatch, List<Object> a, double tolerance) {
    if (a == null) {
      return new ShadowComparison(statusMatch, true, null, false, null);
    }
    boolean numeric = false;
    boolean label = false;
    for (int i = 0, n = a.size(); i < n; i++) {
      Object o = a.get(i);
      if (o instanceof double[] d) {
        numeric = true;
        label |= d.length >= 2;
      } else if (o instanceof String[] s) {
        label |= s.length >= 1;
      }
    }
    return new ShadowComparison(statusMatch, true, numeric ? 0.0 : null, numeric && 0.0 <= tolerance,
        label ? Boolean.TRUE : null);
  }

  /**
   * Each output as double[] (numeric) or String[] (labels/text); null when the body is not a known shape.
   *
   * <p>Read with Jackson's streaming parser, not as a tree: a tree of a small KServe body cost ~3 KB of garbage per
   * comparison, most of what a mirrored request allocated beyond an unmirrored one. The result is the tree reading's
   * exactly (checked against it on generated bodies): of the root's fields the last {@code outputs},
   * {@code predictions} and {@code choices} count, in that order of preference; an output's data is flattened, JSON
   * nulls dropped, and numbers stay numbers only when every element is one (otherwise each element's text, an
   * object's being empty).
   */
  static List<Object> outputs(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      List<Object> outputs = null;
      boolean outputsSeen = false;
      Object predictions = null;
      boolean predictionsSeen = false;
      String[] choice = null;
      boolean choicesSeen = false;
      JsonToken field;
      while ((field = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        switch (name) {
          case "outputs" -> {
            outputsSeen = t == JsonToken.START_ARRAY;
            outputs = outputsSeen ? readOutputs(p) : skip(p, null);
          }
          case "predictions" -> {
            predictionsSeen = t == JsonToken.START_ARRAY;
            predictions = predictionsSeen ? flatten(p) : skip(p, null);
          }
          case "choices" -> {
            choicesSeen = t == JsonToken.START_ARRAY;
            choice = choicesSeen ? readFirstChoice(p) : skip(p, null);
          }
          default -> p.skipChildren();
        }
      }
      if (field != JsonToken.END_OBJECT) {
        return null; // cut short
      }
      if (outputsSeen) {
        return outputs;
      }
      if (predictionsSeen) {
        List<Object> out = new ArrayList<>(1);
        out.add(predictions);
        return out;
      }
      if (choicesSeen && choice != null) {
        List<Object> out = new ArrayList<>(1);
        out.add(choice);
        return out;
      }
      return null;
    } catch (Exception e) {
      return null;
    }
  }

  private static <T> T skip(JsonParser p, T value) throws IOException {
    p.skipChildren();
    return value;
  }

  /** The elements of {@code outputs} (the parser at its START_ARRAY): each one's {@code data}, flattened. */
  private static List<Object> readOutputs(JsonParser p) throws IOException {
    List<Object> out = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) {
        throw new EOFException("body ends early");
      }
      Object data = null;
      if (t == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          if (name.equals("data")) {
            data = flatten(p); // the last "data" counts, as in a tree
          } else {
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
      }
      out.add(data != null ? data : new String[0]);
    }
    return out;
  }

  /** {@code choices[0]}'s {@code message.content} if it has one, else its {@code text}, when that is a string. */
  private static String[] readFirstChoice(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t == JsonToken.END_ARRAY) {
      return null;
    }
    String[] result = null;
    if (t == JsonToken.START_OBJECT) {
      boolean contentSeen = false;
      String content = null;
      boolean textSeen = false;
      String text = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (name.equals("message")) {
          contentSeen = false;
          content = null;
          if (v == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String inner = p.currentName();
              JsonToken iv = p.nextToken();
              if (inner.equals("content")) {
                contentSeen = true;
                content = iv == JsonToken.VALUE_STRING ? p.getText() : skip(p, null);
              } else {
                p.skipChildren();
              }
            }
          } else {
            p.skipChildren();
          }
        } else if (name.equals("text")) {
          textSeen = true;
          text = v == JsonToken.VALUE_STRING ? p.getText() : skip(p, null);
        } else {
          p.skipChildren();
        }
      }
      String chosen = contentSeen ? content : textSeen ? text : null;
      result = chosen != null ? new String[] {chosen} : null;
    } else {
      p.skipChildren();
    }
    // the rest of the choices
    JsonToken rest;
    while ((rest = p.nextToken()) != JsonToken.END_ARRAY) {
      if (rest == null) {
        throw new EOFException("body ends early");
      }
      p.skipChildren();
    }
    return result;
  }

  /** The leaves of the value at the parser (an array is walked, nulls dropped) as double[] or String[]. */
  private static Object flatten(JsonParser p) throws IOException {
    Leaves leaves = new Leaves();
    collect(p, leaves);
    if (leaves.numeric && leaves.n > 0) {
      return Arrays.copyOf(leaves.numbers, leaves.n);
    }
    return leaves.texts();
  }

  private static void collect(JsonParser p, Leaves out) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      throw new EOFException("body ends early");
    }
    switch (t) {
      case VALUE_NULL -> { }
      case START_ARRAY -> {
        while (p.nextToken() != JsonToken.END_ARRAY) {
          collect(p, out);
        }
      }
      case START_OBJECT -> {
        p.skipChildren();
        out.text("");
      }
      case VALUE_NUMBER_INT -> {
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          BigInteger big = p.getBigIntegerValue();
          out.number(big.doubleValue(), big.toString());
        } else {
          out.integer(p.getLongValue());
        }
      }
      case VALUE_NUMBER_FLOAT -> out.number(p.getDoubleValue(), null);
      case VALUE_TRUE -> out.text("true");
      case VALUE_FALSE -> out.text("false");
      default -> out.text(p.getText());
    }
  }

  /**
   * Leaves read so far, as numbers while every one is one. The text of each leaf (what a non-numeric output holds)
   * is made only once a non-number turns up: a number's is its value's, as a tree's node writes it.
   */
  private static final class Leaves {
    double[] numbers = new double[8];
    /** Per leaf: the integer value of an integer leaf. */
    long[] integers = new long[8];
    /** Per leaf: 0 a decimal number, 1 an integer, 2 text (in {@link #texts}). */
    byte[] kinds = new byte[8];
    String[] texts;
    int n;
    boolean numeric = true;

    private int slot() {
      if (n == numbers.length) {
        numbers = Arrays.copyOf(numbers, n * 2);
        integers = Arrays.copyOf(integers, n * 2);
        kinds = Arrays.copyOf(kinds, n * 2);
        if (texts != null) {
          texts = Arrays.copyOf(texts, n * 2);
        }
      }
      return n++;
    }

    void integer(long v) {
      int i = slot();
      numbers[i] = v;
      integers[i] = v;
      kinds[i] = 1;
    }

    /** A number; {@code text} null for a decimal (its text follows from the value). */
    void number(double v, String text) {
      int i = slot();
      numbers[i] = v;
      if (text != null) {
        kind(i, text);
      }
    }

    void text(String s) {
      numeric = false;
      kind(slot(), s);
    }

    private void kind(int i, String s) {
      if (texts == null) {
        texts = new String[numbers.length];
      }
      texts[i] = s;
      kinds[i] = 2;
    }

    String[] texts() {
      String[] out = new String[n];
      for (int i = 0; i < n; i++) {
        out[i] = switch (kinds[i]) {
          case 1 -> Long.toString(integers[i]);
          case 2 -> texts[i];
          default -> Double.toString(numbers[i]);
        };
      }
      return out;
    }
  }

  private static Double numericDiff(List<Object> a, List<Object> b) {
    boolean anyNumeric = false;
    double max = 0;
    if (a.size() != b.size()) {
      return a.stream().anyMatch(x -> x instanceof double[]) ? Double.POSITIVE_INFINITY : null;
    }
    for (int i = 0; i < a.size(); i++) {
      Object x = a.get(i);
      Object y = b.get(i);
      if (x instanceof double[] dx) {
        anyNumeric = true;
        if (!(y instanceof double[] dy) || dx.length != dy.length) {
          return Double.POSITIVE_INFINITY;
        }
        for (int j = 0; j < dx.length; j++) {
          if (Double.isNaN(dx[j]) && Double.isNaN(dy[j])) {
            continue;
          }
          double d = Math.abs(dx[j] - dy[j]);
          if (!(d <= max)) {
            max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
          }
        }
      }
    }
    return anyNumeric ? max : null;
  }

  private static List<String> labels(List<Object> outputs) {
    List<String> out = new ArrayList<>();
    for (Object o : outputs) {
      if (o instanceof double[] d && d.length >= 2) {
        int best = 0;
        for (int i = 1; i < d.length; i++) {
          if (d[i] > d[best]) {
            best = i;
          }
        }
        out.add(Integer.toString(best));
      } else if (o instanceof String[] s && s.length >= 1) {
        out.add(s[0]);
      }
    }
    return out;
  }
}

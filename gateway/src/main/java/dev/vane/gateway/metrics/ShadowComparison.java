package dev.vane.gateway.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

  private static final ObjectMapper JSON = new ObjectMapper();

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
    // byte-identical bodies parse identically: parse once (the usual case for an agreeing shadow)
    List<Object> b = bodyEqual ? a : outputs(shadow);
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

  /** Each output as double[] (numeric) or String[] (labels/text); null when the body is not a known shape. */
  static List<Object> outputs(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (Exception e) {
      return null;
    }
    if (root == null || !root.isObject()) {
      return null;
    }
    List<Object> out = new ArrayList<>();
    JsonNode outputs = root.get("outputs");
    if (outputs != null && outputs.isArray()) {
      for (JsonNode o : outputs) {
        out.add(flatten(o.get("data")));
      }
      return out;
    }
    JsonNode predictions = root.get("predictions");
    if (predictions != null && predictions.isArray()) {
      out.add(flatten(predictions));
      return out;
    }
    JsonNode choices = root.get("choices");
    if (choices != null && choices.isArray() && !choices.isEmpty()) {
      JsonNode c = choices.get(0);
      JsonNode text = c.path("message").path("content");
      if (text.isMissingNode()) {
        text = c.path("text");
      }
      if (text.isTextual()) {
        out.add(new String[] {text.asText()});
        return out;
      }
    }
    return null;
  }

  private static Object flatten(JsonNode data) {
    List<JsonNode> leaves = new ArrayList<>();
    collect(data, leaves);
    boolean numeric = !leaves.isEmpty() && leaves.stream().allMatch(JsonNode::isNumber);
    if (numeric) {
      double[] d = new double[leaves.size()];
      for (int i = 0; i < d.length; i++) {
        d[i] = leaves.get(i).doubleValue();
      }
      return d;
    }
    String[] s = new String[leaves.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = leaves.get(i).asText();
    }
    return s;
  }

  private static void collect(JsonNode n, List<JsonNode> out) {
    if (n == null || n.isNull()) {
      return;
    }
    if (n.isArray()) {
      for (JsonNode c : n) {
        collect(c, out);
      }
    } else {
      out.add(n);
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

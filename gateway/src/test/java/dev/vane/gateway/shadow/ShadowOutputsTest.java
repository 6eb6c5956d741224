package dev.vane.gateway.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ShadowComparison#outputs} reads bodies with a streaming parser; here it must give exactly what reading the
 * body as a Jackson tree gives (the reading it replaced, kept below as the oracle), on bodies generated to cover
 * every shape and edge: the three output conventions, their order and duplicates, mixed and nested data, nulls,
 * objects as leaves, big integers, cut-short and malformed JSON.
 */
class ShadowOutputsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theStreamingReadingEqualsTheTreeReadingOnGeneratedBodies() {
    SplittableRandom r = new SplittableRandom(7);
    int known = 0;
    for (int i = 0; i < 20_000; i++) {
      String body = body(r);
      if (r.nextInt(20) == 0 && body.length() > 2) {
        body = body.substring(0, r.nextInt(body.length())); // cut short
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      String expected = show(tree(bytes));
      assertEquals(expected, show(ShadowComparison.outputs(bytes)), body);
      if (!expected.equals("null")) {
        known++;
      }
    }
    assertEquals(true, known > 8_000, "most generated bodies have a known shape: " + known);
  }

  /**
   * Byte-identical bodies take a fast path (one parse, no element-wise pass): on the generated bodies it gives what
   * the general comparison of the body's outputs with themselves gives, for a zero and a positive tolerance.
   */
  @Test
  void identicalBodiesFastPathEqualsTheGeneralComparison() {
    SplittableRandom r = new SplittableRandom(11);
    for (int i = 0; i < 20_000; i++) {
      String body = body(r);
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      byte[] copy = bytes.clone();
      for (double tolerance : new double[] {0, 1e-6}) {
        List<Object> a = ShadowComparison.outputs(bytes);
        assertEquals(ShadowComparison.fromOutputs(true, true, a, a, tolerance),
            ShadowComparison.compare(200, bytes, 200, copy, tolerance), body);
      }
    }
  }

  @Test
  void handPickedEdges() {
    String[] bodies = {
        "{\"outputs\":[{\"data\":[1,2.5,-0,1e2,12345678901234567890123]}]}",
        "{\"outputs\":[{\"data\":[1,\"a\",true,null,{\"x\":1},[2.50,[3]]]}]}",
        "{\"outputs\":{\"data\":[1]},\"predictions\":[[0.1,0.9]]}",
        "{\"outputs\":[1,{\"name\":\"x\"},{\"data\":null},{\"data\":[]},{\"data\":7,\"data\":[8]}]}",
        "{\"choices\":[{\"message\":{\"content\":null},\"text\":\"t\"}]}",
        "{\"choices\":[{\"message\":\"m\",\"text\":\"t\"}]}",
        "{\"choices\":[{\"text\":\"t\",\"message\":{\"role\":\"x\"}}],\"choices\":[]}",
        "{\"choices\":[3,{\"text\":\"t\"}]}",
        "{\"outputs\":[{\"data\":[1]}] ,\"outputs\":5}",
        "[1,2]", "\"s\"", "{}", "{\"outputs\":[{\"data\":[1]}]} trailing", "{\"outputs\":[{\"data\":[1]}]",
    };
    for (String body : bodies) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      assertEquals(show(tree(bytes)), show(ShadowComparison.outputs(bytes)), body);
    }
  }

  // ---- generated bodies ----

  private static String body(SplittableRandom r) {
    StringBuilder sb = new StringBuilder("{");
    int fields = r.nextInt(5);
    for (int f = 0; f < fields; f++) {
      if (f > 0) {
        sb.append(',');
      }
      switch (r.nextInt(6)) {
        case 0, 1 -> sb.append("\"outputs\":").append(r.nextInt(8) == 0 ? value(r, 1) : outputs(r));
        case 2 -> sb.append("\"predictions\":").append(r.nextInt(8) == 0 ? value(r, 1) : array(r, 2));
        case 3 -> sb.append("\"choices\":").append(r.nextInt(8) == 0 ? value(r, 1) : choices(r));
        case 4 -> sb.append("\"model_name\":\"m\"");
        default -> sb.append("\"other\":").append(value(r, 2));
      }
    }
    return sb.append('}').toString();
  }

  private static String outputs(SplittableRandom r) {
    StringBuilder sb = new StringBuilder("[");
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(',');
      }
      if (r.nextInt(10) == 0) {
        sb.append(value(r, 1));
      } else {
        sb.append("{\"name\":\"o").append(i).append('"');
        if (r.nextInt(8) != 0) {
          sb.append(",\"data\":").append(r.nextInt(6) == 0 ? value(r, 1) : array(r, 2));
        }
        if (r.nextInt(12) == 0) {
          sb.append(",\"data\":").append(array(r, 1));
        }
        sb.append('}');
      }
    }
    return sb.append(']').toString();
  }

  private static String choices(SplittableRandom r) {
    StringBuilder sb = new StringBuilder("[");
    int n = r.nextInt(3);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(',');
      }
      if (r.nextInt(8) == 0) {
        sb.append(value(r, 1));
        continue;
      }
      List<String> parts = new ArrayList<>();
      if (r.nextBoolean()) {
        parts.add("\"message\":" + (r.nextInt(5) == 0 ? value(r, 0)
            : "{\"role\":\"a\"" + (r.nextInt(4) != 0 ? ",\"content\":" + (r.nextInt(4) == 0 ? value(r, 0) : "\"c" + i + "\"") : "") + "}"));
      }
      if (r.nextBoolean()) {
        parts.add("\"text\":" + (r.nextInt(4) == 0 ? value(r, 0) : "\"t" + i + "\""));
      }
      if (r.nextInt(4) == 0) {
        parts.add("\"index\":" + i);
      }
      java.util.Collections.shuffle(parts, new java.util.Random(r.nextLong()));
      sb.append('{').append(String.join(",", parts)).append('}');
    }
    return sb.append(']').toString();
  }

  private static String array(SplittableRandom r, int depth) {
    StringBuilder sb = new StringBuilder("[");
    int n = r.nextInt(5);
    boolean numbersOnly = r.nextInt(3) != 0;
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(',');
      }
      if (depth > 0 && r.nextInt(4) == 0) {
        sb.append(array(r, depth - 1));
      } else {
        sb.append(numbersOnly ? number(r) : value(r, 0));
      }
    }
    return sb.append(']').toString();
  }

  private static String number(SplittableRandom r) {
    return switch (r.nextInt(7)) {
      case 0 -> Integer.toString(r.nextInt(-1000, 1000));
      case 1 -> Long.toString(r.nextLong());
      case 2 -> "123456789012345678901234567890";
      case 3 -> "-0";
      case 4 -> r.nextInt(100) + "e" + r.nextInt(-5, 5);
      case 5 -> String.format(java.util.Locale.ROOT, "%.2f", r.nextDouble() * 10);
      default -> Double.toString(r.nextDouble());
    };
  }

  private static String value(SplittableRandom r, int depth) {
    return switch (r.nextInt(depth > 0 ? 8 : 6)) {
      case 0 -> number(r);
      case 1 -> "\"s" + r.nextInt(100) + "\"";
      case 2 -> "null";
      case 3 -> r.nextBoolean() ? "true" : "false";
      case 4 -> "{\"k\":" + number(r) + "}";
      case 5 -> "\"\"";
      case 6 -> array(r, depth - 1);
      default -> "{\"data\":" + array(r, depth - 1) + "}";
    };
  }

  private static String show(List<Object> outputs) {
    if (outputs == null) {
      return "null";
    }
    List<String> s = new ArrayList<>();
    for (Object o : outputs) {
      s.add(o instanceof double[] d ? "D" + Arrays.toString(d) : "S" + Arrays.toString((String[]) o));
    }
    return s.toString();
  }

  // ---- the oracle: the tree reading as it was ----

  static List<Object> tree(byte[] body) {
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
}

package dev.vane.gateway.results;

import static dev.vane.gateway.results.Data.CONVERSION;
import static dev.vane.gateway.results.Data.REVENUE;
import static dev.vane.gateway.results.Data.conversion;
import static dev.vane.gateway.results.Data.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.vane.gateway.results.ResultsInput.ArmData;
import dev.vane.gateway.results.ResultsInput.BanditView;
import dev.vane.stats.BinaryStats;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The results JSON matches the {@code ExperimentResults} schema of {@code openapi.yaml}: every field rendered is
 * declared with a matching type, nulls only where nullable, enum values listed, required fields present. Checked
 * on full, sliced, bandit and degenerate results so that neither side can drift.
 */
class OpenApiResultsSchemaTest {
  static JsonNode document() throws Exception {
    try (InputStream in = OpenApiResultsSchemaTest.class.getResourceAsStream("/openapi.yaml")) {
      assertNotNull(in, "openapi.yaml on the classpath");
      return new ObjectMapper(new YAMLFactory()).readTree(in);
    }
  }

  @Test
  void theDocumentDeclaresEveryEndpoint() throws Exception {
    JsonNode doc = document();
    assertTrue(doc.get("openapi").asText().startsWith("3.0"));
    for (String path : List.of("/healthz", "/readyz", "/v1/experiments", "/v1/experiments/{id}",
        "/v1/experiments/{id}/results", "/v1/feedback")) {
      assertTrue(doc.get("paths").has(path), path);
    }
    assertTrue(doc.at("/paths/~1v1~1experiments~1{id}~1results/get/responses/200/content").has("text/csv"));
    JsonNode error = doc.at("/components/schemas/Error/properties");
    assertTrue(error.has("error") && error.has("message") && error.has("requestId"));
  }

  @Test
  void renderedResultsMatchTheSchema() throws Exception {
    JsonNode doc = document();
    List<String> problems = new ArrayList<>();
    for (JsonObject results : samples()) {
      check(doc, doc.at("/components/schemas/ExperimentResults"), results, "$", problems);
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void theCheckerCatchesAnUndeclaredField() throws Exception {
    JsonNode doc = document();
    List<String> problems = new ArrayList<>();
    JsonObject results = samples().get(0);
    results.getJsonArray("arms").getJsonObject(0).put("surprise", 1);
    results.put("alpha", (Object) null);
    check(doc, doc.at("/components/schemas/ExperimentResults"), results, "$", problems);
    assertEquals(List.of("$.alpha: null but not nullable", "$.arms[0].surprise: not declared"), problems);
  }

  private static List<JsonObject> samples() {
    Map<String, List<ArmData>> region = new LinkedHashMap<>();
    region.put("eu", List.of(conversion("a", 600, 60), conversion("b", 640, 80)));
    region.put("other", List.of(conversion("a", 0, 0)));
    List<ArmData> pooled = List.of(
        new ArmData("a", 1000, 990, 1100, 3, Data.latency(5, 1000, 12_000),
            Map.of("conversion", BinaryStats.of(1000, 100)), Map.of("revenue", Data.normal(7, 100, 20, 4))),
        new ArmData("b", 1020, 1001, 1130, 9, Data.latency(6, 1020, 12_600),
            Map.of("conversion", BinaryStats.of(1020, 130)), Map.of("revenue", Data.normal(8, 130, 21, 4))));
    Map<String, List<ArmData>> crossed = new LinkedHashMap<>();
    crossed.put("us\u001emobile", List.of(conversion("a", 300, 30), conversion("b", 310, 41)));
    crossed.put("other", List.of(conversion("a", 10, 1), conversion("b", 0, 0)));
    Map<String, Map<String, List<ArmData>>> slices = new LinkedHashMap<>();
    slices.put("region", region);
    slices.put("region+device", crossed);
    Map<Integer, List<ArmData>> days = new java.util.TreeMap<>();
    for (int d = 0; d < 4; d++) {
      days.put(d, List.of(conversion("a", 250, 25), conversion("b", 250, 40 - 3 * d)));
    }
    days.put(14, List.of(conversion("a", 0, 0), conversion("b", 3, 0)));
    ResultsInput full = new ResultsInput("s", "v", "a", List.of("a", "b"), weights("a", 5000, "b", 5000),
        List.of(CONVERSION, REVENUE), pooled, slices, null, days);
    ResultsInput skewed = new ResultsInput("k", "v", "a", List.of("a", "b"), weights("a", 5000, "b", 5000),
        List.of(CONVERSION), List.of(conversion("a", 5000, 500), conversion("b", 5600, 600)), Map.of(), null);
    Map<String, List<ArmData>> size = new LinkedHashMap<>();
    size.put("small", List.of(conversion("a", 87, 81), conversion("b", 270, 234)));
    size.put("large", List.of(conversion("a", 263, 192), conversion("b", 80, 55)));
    ResultsInput stones = new ResultsInput("st", "v", "a", List.of("a", "b"), weights("a", 5000, "b", 5000),
        List.of(CONVERSION), List.of(conversion("a", 350, 273), conversion("b", 350, 289)),
        Map.of("stone_size", size), null);
    ResultsInput bandit = new ResultsInput("b", null, "a", List.of("a", "b"), null, List.of(CONVERSION),
        List.of(), Map.of(), new BanditView("bernoulli", "conversion", Map.of("a", new double[] {1, 1}),
            Map.of("a", 0.5, "b", 0.5), true));
    ResultsInput single = new ResultsInput("o", "v", "a", List.of("a"), Map.of(), List.of(), List.of(), Map.of(),
        null);
    ResultsCalculator calc = new ResultsCalculator();
    List<JsonObject> out = new ArrayList<>();
    for (ResultsInput in : List.of(full, skewed, stones, bandit, single)) {
      out.add(calc.toJson(in).put("figures", "local"));
    }
    assertEquals(2, out.get(1).getJsonArray("warnings").size() + out.get(2).getJsonArray("warnings").size());
    return out;
  }

  private static JsonNode resolve(JsonNode doc, JsonNode schema) {
    while (schema.has("$ref")) {
      schema = doc.at(schema.get("$ref").asText().substring(1));
    }
    return schema;
  }

  static void check(JsonNode doc, JsonNode schema, Object value, String at, List<String> problems) {
    schema = resolve(doc, schema);
    if (schema.isMissingNode()) {
      problems.add(at + ": schema not found");
      return;
    }
    if (value == null) {
      if (!schema.path("nullable").asBoolean(false)) {
        problems.add(at + ": null but not nullable");
      }
      return;
    }
    String type = schema.path("type").asText("");
    if (schema.has("enum")) {
      boolean listed = false;
      for (JsonNode e : schema.get("enum")) {
        listed |= !e.isNull() && e.asText().equals(String.valueOf(value));
      }
      if (!listed) {
        problems.add(at + ": " + value + " not in enum " + schema.get("enum"));
      }
    }
    if (value instanceof JsonObject o) {
      if (!type.equals("object")) {
        problems.add(at + ": object, schema type " + type);
        return;
      }
      for (JsonNode required : schema.path("required")) {
        if (!o.containsKey(required.asText())) {
          problems.add(at + "." + required.asText() + ": required but missing");
        }
      }
      JsonNode properties = schema.path("properties");
      for (String key : o.fieldNames()) {
        if (properties.has(key)) {
          check(doc, properties.get(key), o.getValue(key), at + "." + key, problems);
        } else if (schema.path("additionalProperties").isObject()) {
          check(doc, schema.get("additionalProperties"), o.getValue(key), at + "." + key, problems);
        } else if (!schema.path("additionalProperties").asBoolean(false)) {
          problems.add(at + "." + key + ": not declared");
        }
      }
    } else if (value instanceof JsonArray a) {
      if (!type.equals("array")) {
        problems.add(at + ": array, schema type " + type);
        return;
      }
      for (int i = 0; i < a.size(); i++) {
        check(doc, schema.get("items"), a.getValue(i), at + "[" + i + "]", problems);
      }
    } else if (value instanceof Number n) {
      boolean integral = n instanceof Integer || n instanceof Long;
      if (!(type.equals("number") || (type.equals("integer") && integral))) {
        problems.add(at + ": number " + n + ", schema type " + type);
      }
    } else if (value instanceof String) {
      if (!type.equals("string")) {
        problems.add(at + ": string, schema type " + type);
      }
    } else if (value instanceof Boolean) {
      if (!type.equals("boolean")) {
        problems.add(at + ": boolean, schema type " + type);
      }
    } else {
      problems.add(at + ": unexpected " + value.getClass());
    }
  }
}

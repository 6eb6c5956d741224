package dev.vane.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * {@code config/vane.schema.json}, the one statement of the config's types, ranges, enums, required fields, unknown
 * fields and defaults: validates a document with networknt's json-schema-validator and states each of its errors in
 * the house format, {@code path: value (expected: rule)}; fills in the schema's defaults.
 */
final class ConfigSchema {
  static final String RESOURCE = "/dev/vane/config/vane.schema.json";
  private static final ConfigSchema INSTANCE = new ConfigSchema();

  private final JsonNode root;
  private final Schema schema;

  private ConfigSchema() {
    try (InputStream in = ConfigSchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the schema " + RESOURCE + " is not on the class path");
      }
      root = new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Dialect dialect = Dialect.builder(Dialects.getDraft202012()).keywords(VaneKeywords.all()).build();
    schema = SchemaRegistry.withDialect(dialect).getSchema(SchemaLocation.of(root.get("$id").asText()), root);
  }

  static ConfigSchema get() {
    return INSTANCE;
  }

  /** The schema document itself. */
  JsonNode document() {
    return root;
  }

  /**
   * Every error of {@code doc} against the schema, in the house format. Properties whose value is null are removed
   * first (YAML's {@code key:} with nothing after it means "not set"), and numbers beyond a double ({@code 1e400},
   * {@code .nan}) are replaced by their text, which no numeric rule accepts but every message shows as written.
   */
  List<ConfigError> validate(ObjectNode doc) {
    Set<JsonNode> nonFinite = Collections.newSetFromMap(new IdentityHashMap<>());
    normalise(doc, nonFinite);
    List<ConfigError> out = new ArrayList<>();
    for (Error e : schema.validate(doc)) {
      if (!reportedByItsApplicator(e)) {
        out.add(translate(e, nonFinite));
      }
    }
    return out;
  }

  private static void normalise(JsonNode node, Set<JsonNode> nonFinite) {
    if (node instanceof ObjectNode o) {
      List<String> nulls = new ArrayList<>();
      o.fields().forEachRemaining(f -> {
        if (f.getValue().isNull()) {
          nulls.add(f.getKey());
        } else if (nonFinite(f.getValue())) {
          TextNode t = new TextNode(f.getValue().asText());
          nonFinite.add(t);
          f.setValue(t);
        } else {
          normalise(f.getValue(), nonFinite);
        }
      });
      o.remove(nulls);
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (nonFinite(a.get(i))) {
          TextNode t = new TextNode(a.get(i).asText());
          nonFinite.add(t);
          a.set(i, t);
        } else {
          normalise(a.get(i), nonFinite);
        }
      }
    }
  }

  private static boolean nonFinite(JsonNode v) {
    return v.isFloatingPointNumber() && !Double.isFinite(v.doubleValue());
  }

  /** A branch's error under oneOf: the oneOf's own error says it better ("exactly one of ..."). */
  private static boolean reportedByItsApplicator(Error e) {
    NodePath p = e.getEvaluationPath();
    for (int i = 0; i < p.getNameCount() - 1; i++) {
      if ("oneOf".equals(p.getElement(i))) {
        return true;
      }
    }
    return false;
  }

  private ConfigError translate(Error e, Set<JsonNode> nonFinite) {
    String keyword = e.getKeyword();
    String at = path(e.getInstanceLocation());
    JsonNode where = subschema(e.getSchemaLocation());
    JsonNode v = e.getInstanceNode();
    String shown = v == null ? "" : v.isTextual() && nonFinite.contains(v) ? v.asText() : Values.describe(v);
    return switch (keyword) {
      case "required" -> new ConfigError(join(at, e.getProperty()), "missing (expected: "
          + explicit(where, keyword, typeOf(where.path("properties").path(e.getProperty()))) + ")");
      case "additionalProperties" -> new ConfigError(join(at, e.getProperty()),
          "unknown field (expected one of: " + String.join(", ", names(where.path("properties"))) + ")");
      case "oneOf" -> new ConfigError(at, oneOf(where.get("oneOf"), v));
      case VaneKeywords.DURATION_RANGE, VaneKeywords.SIZE_RANGE ->
          new ConfigError(at, v.asText() + " (expected: " + e.getArguments()[0] + ")");
      case VaneKeywords.URL_SYNTAX ->
          new ConfigError(at, Values.quote(Redaction.uri(v.asText())) + " (expected: " + e.getArguments()[0] + ")");
      case "minItems", "maxItems" -> new ConfigError(at, (v.isEmpty() ? "[]" : "a list of " + v.size())
          + " (expected: " + explicit(where, keyword, rule(where, keyword, e)) + ")");
      default -> new ConfigError(at, shown + " (expected: " + explicit(where, keyword, rule(where, keyword, e)) + ")");
    };
  }

  /** The schema's own words for a keyword's rule ({@code expected}), else {@code fallback}. */
  private static String explicit(JsonNode where, String keyword, String fallback) {
    JsonNode exp = where.get(VaneKeywords.EXPECTED);
    if (exp != null && exp.isTextual()) {
      return exp.asText();
    }
    if (exp != null && exp.has(keyword)) {
      return exp.get(keyword).asText();
    }
    return fallback;
  }

  private String rule(JsonNode where, String keyword, Error e) {
    return switch (keyword) {
      case "type" -> typeOf(where);
      case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" -> bounds(where);
      case "enum" -> "one of " + String.join(", ", texts(where.get("enum")));
      case "const" -> where.get("const").asText();
      case "minItems" -> "at least " + where.get("minItems").asText() + " items";
      case "maxItems" -> "at most " + where.get("maxItems").asText() + " items";
      case "minProperties" -> "at least " + where.get("minProperties").asText() + " fields";
      case "multipleOf" -> "a multiple of " + Values.number(where.get("multipleOf"));
      case "pattern" -> "matching " + where.get("pattern").asText();
      default -> e.getMessage();
    };
  }

  /** What a value of this schema is: its {@code expected} text, else its type and bounds ("an integer 0..65535"). */
  private String typeOf(JsonNode s) {
    JsonNode exp = s.get(VaneKeywords.EXPECTED);
    if (exp != null && (exp.isTextual() || exp.has("type"))) {
      return exp.isTextual() ? exp.asText() : exp.get("type").asText();
    }
    if (!s.has("type") && s.has("$ref")) {
      return typeOf(resolve(s.get("$ref").asText()));
    }
    List<String> out = new ArrayList<>();
    JsonNode types = s.path("type");
    for (String t : types.isArray() ? texts(types) : List.of(types.asText(""))) {
      String bounds = s.has("minimum") || s.has("maximum") ? " " + bounds(s) : "";
      out.add(switch (t) {
        case "integer" -> "an integer" + bounds;
        case "number" -> "a number" + bounds;
        case "string" -> "a string";
        case "boolean" -> "true or false";
        case "object" -> "a mapping";
        case "array" -> "a list";
        default -> s.has("enum") ? "one of " + String.join(", ", texts(s.get("enum"))) : "a value";
      });
    }
    return String.join(" or ", out);
  }

  private static String bounds(JsonNode s) {
    String min = s.has("minimum") ? Values.number(s.get("minimum"))
        : s.has("exclusiveMinimum") ? "> " + Values.number(s.get("exclusiveMinimum")) : null;
    String max = s.has("maximum") ? Values.number(s.get("maximum")) : null;
    if (min != null && max != null && s.has("minimum")) {
      return min + ".." + max;
    }
    if (min != null) {
      return (s.has("minimum") ? ">= " : "") + min + (max == null ? "" : " and <= " + max);
    }
    return max == null ? "a number" : "<= " + max;
  }

  /** "both pathPrefix and model (expected: exactly one of pathPrefix or model)": branches that each require one. */
  private static String oneOf(JsonNode branches, JsonNode v) {
    List<String> names = new ArrayList<>();
    List<String> present = new ArrayList<>();
    for (JsonNode b : branches) {
      String name = b.path("required").path(0).asText();
      names.add(name);
      if (v != null && v.has(name)) {
        present.add(name);
      }
    }
    String found = present.isEmpty() ? "neither " + String.join(" nor ", names)
        : present.size() == names.size() && names.size() == 2 ? "both " + String.join(" and ", present)
        : String.join(" and ", present);
    return found + " (expected: exactly one of " + String.join(" or ", names) + ")";
  }

  private JsonNode subschema(SchemaLocation location) {
    NodePath p = location.getFragment();
    JsonNode s = root;
    for (int i = 0; i < p.getNameCount() - 1; i++) {
      Object el = p.getElement(i);
      s = el instanceof Integer idx ? s.path(idx) : s.path(el.toString());
    }
    return s;
  }

  private JsonNode resolve(String ref) {
    return root.at(ref.startsWith("#") ? ref.substring(1) : ref);
  }

  /** {@code experiments[0].canary.percent} from the validator's instance location. */
  static String path(NodePath p) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < p.getNameCount(); i++) {
      Object el = p.getElement(i);
      if (el instanceof Integer idx) {
        sb.append('[').append(idx).append(']');
      } else {
        sb.append(sb.isEmpty() ? "" : ".").append(el);
      }
    }
    return sb.toString();
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private static List<String> names(JsonNode object) {
    List<String> out = new ArrayList<>();
    object.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(x -> out.add(x.asText()));
    return out;
  }

  /**
   * Fills in the schema's {@code default} of every property {@code doc} leaves out, at every level the document
   * has (a default of {@code {}} makes a whole section, whose own defaults are then filled in).
   */
  void applyDefaults(JsonNode doc) {
    applyDefaults(doc, root);
  }

  /** The default of the duration property at {@code pointer} in the schema. */
  Duration defaultDuration(String pointer) {
    return Duration.ofMillis(Units.millis(root.at(pointer).get("default")).longValueExact());
  }

  /** {@code given} with the defaults of the object at {@code pointer} in the schema (e.g. /properties/state). */
  ObjectNode defaults(String pointer, ObjectNode given) {
    applyDefaults(given, root.at(pointer));
    return given;
  }

  private void applyDefaults(JsonNode instance, JsonNode s) {
    if (!instance.isObject()) {
      return;
    }
    if (s.has("$ref")) {
      applyDefaults(instance, resolve(s.get("$ref").asText()));
    }
    ObjectNode o = (ObjectNode) instance;
    s.path("properties").fields().forEachRemaining(p -> {
      JsonNode ps = p.getValue();
      if (!o.has(p.getKey()) && ps.has("default")) {
        o.set(p.getKey(), ps.get("default").deepCopy());
      }
      JsonNode child = o.get(p.getKey());
      if (child != null && child.isObject()) {
        applyDefaults(child, ps);
      } else if (child != null && child.isArray() && ps.has("items")) {
        child.forEach(item -> applyDefaults(item, ps.get("items")));
      }
    });
  }
}

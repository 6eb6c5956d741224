package dev.vane.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaContext;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.keyword.AbstractKeyword;
import com.networknt.schema.keyword.AbstractKeywordValidator;
import com.networknt.schema.keyword.Keyword;
import com.networknt.schema.keyword.KeywordValidator;
import com.networknt.schema.keyword.NonValidationKeyword;
import com.networknt.schema.keyword.TypeValidator;
import com.networknt.schema.path.NodePath;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The schema keywords Vane adds to JSON Schema 2020-12, so that the schema states every rule of a value:
 * <ul>
 *   <li>{@code expected}: how an error states the rule of its schema (a text, or a text per keyword); no assertion.
 *   <li>{@code durationRange: "10ms..1d"}: the bounds of a duration ({@link Units#millis}).
 *   <li>{@code sizeRange: "1..2147483647"}: the bounds of a size in bytes ({@link Units#bytes}).
 *   <li>{@code urlSyntax: http | redis}: an upstream base URL or a Redis URI ({@link UrlRules}).
 *   <li>{@code type} as JSON Schema has it, except that a YAML float is never an {@code integer}: {@code port: 80.0}
 *       and {@code maxBodyBytes: 1.0e+7} are rejected as they were before the schema (JSON Schema counts 80.0 as
 *       an integer).
 * </ul>
 * Each assertion reports its rule as the error's single argument; a value that is not of its kind (a duration
 * keyword on "soon") is left to the type and pattern of the same schema.
 */
final class VaneKeywords {
  static final String EXPECTED = "expected";
  static final String DURATION_RANGE = "durationRange";
  static final String SIZE_RANGE = "sizeRange";
  static final String URL_SYNTAX = "urlSyntax";

  private VaneKeywords() {}

  static List<Keyword> all() {
    return List.of(new NonValidationKeyword(EXPECTED), new StrictType(),
        new Assertion(DURATION_RANGE, spec -> range(spec, true, "")),
        new Assertion(SIZE_RANGE, spec -> range(spec, false, " bytes")),
        new Assertion(URL_SYNTAX, spec -> "redis".equals(spec) ? UrlRules::redis : UrlRules::http));
  }

  /** A rule: the problem with a value, as the text after "expected: ", or null when it holds (or does not apply). */
  interface Rule extends Function<JsonNode, String> {}

  private static Rule range(String spec, boolean duration, String unit) {
    BigDecimal[] bounds = Units.range(spec, duration);
    return v -> {
      BigDecimal x = duration ? Units.millis(v) : bytesOf(v);
      return x == null || x.compareTo(bounds[0]) >= 0 && x.compareTo(bounds[1]) <= 0 ? null : spec + unit;
    };
  }

  private static BigDecimal bytesOf(JsonNode v) {
    var b = Units.bytes(v);
    return b == null ? null : new BigDecimal(b);
  }

  private static final class StrictType extends AbstractKeyword {
    StrictType() {
      super("type");
    }

    @Override
    public KeywordValidator newValidator(SchemaLocation location, JsonNode schemaNode, Schema parent,
        SchemaContext context) {
      TypeValidator standard = new TypeValidator(location, schemaNode, parent, context);
      List<String> types = new ArrayList<>();
      if (schemaNode.isArray()) {
        schemaNode.forEach(t -> types.add(t.asText()));
      } else {
        types.add(schemaNode.asText());
      }
      boolean noFloats = types.contains("integer") && !types.contains("number");
      return new AbstractKeywordValidator(this, schemaNode, location) {
        @Override
        public void validate(ExecutionContext ctx, JsonNode node, JsonNode root, NodePath at) {
          if (noFloats && node.isFloatingPointNumber()) {
            ctx.addError(Error.builder().keyword("type").instanceNode(node).instanceLocation(at)
                .evaluationPath(ctx.getEvaluationPath()).schemaLocation(location).schemaNode(schemaNode)
                .arguments("number", String.join(", ", types)).message("type").build());
          } else {
            standard.validate(ctx, node, root, at);
          }
        }
      };
    }
  }

  private static final class Assertion extends AbstractKeyword {
    private final Function<String, Rule> rules;

    Assertion(String name, Function<String, Rule> rules) {
      super(name);
      this.rules = rules;
    }

    @Override
    public KeywordValidator newValidator(SchemaLocation location, JsonNode schemaNode, Schema parent,
        SchemaContext context) {
      Rule rule = rules.apply(schemaNode.asText());
      String keyword = getValue();
      return new AbstractKeywordValidator(this, schemaNode, location) {
        @Override
        public void validate(ExecutionContext ctx, JsonNode node, JsonNode root, NodePath at) {
          String problem = rule.apply(node);
          if (problem != null) {
            ctx.addError(Error.builder().keyword(keyword).instanceNode(node).instanceLocation(at)
                .evaluationPath(ctx.getEvaluationPath()).schemaLocation(location).schemaNode(schemaNode)
                .arguments(problem).message(keyword).build());
          }
        }
      };
    }
  }
}

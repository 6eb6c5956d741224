package dev.vane.config.edit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Reads a config document's raw text (YAML, or JSON, which is YAML) into a tree and writes a tree back as YAML,
 * keeping what {@code ${NAME}} substitution depends on.
 *
 * <p>Placeholders: the loader substitutes {@code ${NAME}} into the text before parsing, so the quoting around a
 * placeholder decides the type of the result ({@code port: ${PORT}} is a number once substituted,
 * {@code port: "${PORT}"} a string). Jackson reads both as the string {@code ${PORT}} and would write it quoted
 * (it holds braces). So a plain (unquoted) scalar holding {@code ${} is read as a {@link Plain} value, which is
 * written plain again; a quoted one stays a string and is written double-quoted. A single-quoted placeholder is
 * therefore written double-quoted, which reads differently only if the substituted value holds a backslash or a
 * double quote. A placeholder is read as a token that is a valid plain scalar everywhere (so JSON and flow
 * collections with an unquoted {@code ${PORT}}, which are YAML only once substituted, can be edited) and put back
 * in every string of the tree. Floats are read as {@code BigDecimal} and written plain, so {@code 0.0001} does not become
 * {@code 1.0E-4}; strings that would read as another type ({@code "8080"}, {@code "yes"}, {@code "on"}) stay quoted.
 */
final class Documents {
  private Documents() {}

  /** What {@code ConfigLoader} substitutes. */
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final String TOKEN = "vane_placeholder_";
  private static final Pattern TOKEN_N = Pattern.compile(TOKEN + "([0-9]+)_");

  private static final ObjectMapper READER = new ObjectMapper(new StyledFactory(YAMLFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)))
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private static final ObjectMapper WRITER = new ObjectMapper(YAMLFactory.builder()
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
      .build());

  /**
   * The document's root mapping.
   *
   * @throws EditException (INVALID) when the text is not one YAML mapping
   */
  static ObjectNode read(String text) {
    if (text.contains(TOKEN)) {
      throw new EditException(EditException.Kind.INVALID, "the document contains " + TOKEN
          + " (expected: not, it marks placeholders while editing)");
    }
    List<String> placeholders = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, TOKEN + placeholders.size() + "_");
      placeholders.add(m.group());
    }
    m.appendTail(sb);
    JsonNode root;
    try (JsonParser p = READER.getFactory().createParser(new StringReader(sb.toString()))) {
      root = READER.readTree(p);
      if (root != null && p.nextToken() != null) {
        throw new EditException(EditException.Kind.INVALID, "the document holds more than one YAML document");
      }
    } catch (JsonProcessingException e) {
      throw new EditException(EditException.Kind.INVALID, "the document is not valid YAML: "
          + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw new EditException(EditException.Kind.INVALID, "the document cannot be read: " + e);
    }
    if (root == null || !root.isObject()) {
      throw new EditException(EditException.Kind.INVALID, "the document is not a YAML mapping");
    }
    return (ObjectNode) (placeholders.isEmpty() ? root : restore(root, placeholders));
  }

  /** {@code node} with every placeholder token in its strings replaced by the placeholder it stands for. */
  private static JsonNode restore(JsonNode node, List<String> placeholders) {
    if (node instanceof ObjectNode o) {
      o.fields().forEachRemaining(f -> f.setValue(restore(f.getValue(), placeholders)));
      return o;
    }
    if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        a.set(i, restore(a.get(i), placeholders));
      }
      return a;
    }
    if (node instanceof POJONode p && p.getPojo() instanceof Plain plain) {
      return new POJONode(new Plain(restore(plain.text(), placeholders)));
    }
    if (node.isTextual() && node.textValue().contains(TOKEN)) {
      return TextNode.valueOf(restore(node.textValue(), placeholders));
    }
    return node;
  }

  private static String restore(String s, List<String> placeholders) {
    Matcher m = TOKEN_N.matcher(s);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, Matcher.quoteReplacement(placeholders.get(Integer.parseInt(m.group(1)))));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** {@code root} as YAML text, without a {@code ---} line. */
  static String write(ObjectNode root) {
    try {
      return WRITER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a config tree did not write as YAML", e);
    }
  }

  /** A plain (unquoted) scalar of the source that holds a placeholder; written plain again. */
  record Plain(String text) implements JsonSerializable {
    @Override
    public void serialize(JsonGenerator gen, SerializerProvider serializers) throws IOException {
      // a number is the YAML generator's one plain-scalar write: the text goes out as written
      gen.writeNumber(text);
    }

    @Override
    public void serializeWithType(JsonGenerator gen, SerializerProvider serializers, TypeSerializer typeSer)
        throws IOException {
      serialize(gen, serializers);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** Creates {@link StyledParser}s. */
  private static final class StyledFactory extends YAMLFactory {
    StyledFactory(YAMLFactoryBuilder b) {
      super(b);
    }

    @Override
    protected YAMLParser _createParser(Reader r, IOContext ctxt) throws IOException {
      return new StyledParser(ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, r);
    }
  }

  /**
   * Reports a plain scalar holding a placeholder as an embedded {@link Plain} object, which the tree keeps as a
   * POJO node; rejects aliases as the loader does.
   */
  private static final class StyledParser extends YAMLParser {
    private Plain plain;

    StyledParser(IOContext ctxt, int parserFeatures, int formatFeatures,
        org.yaml.snakeyaml.LoaderOptions loaderOptions, com.fasterxml.jackson.core.ObjectCodec codec, Reader r) {
      super(ctxt, parserFeatures, formatFeatures, loaderOptions, codec, r);
    }

    @Override
    public JsonToken nextToken() throws IOException {
      plain = null;
      JsonToken t = super.nextToken();
      if (isCurrentAlias()) {
        throw new com.fasterxml.jackson.core.JsonParseException(this, "an alias (*" + getText()
            + ") (expected: no anchors and aliases)");
      }
      if (t == JsonToken.VALUE_STRING && _lastEvent instanceof ScalarEvent s && s.isPlain()
          && s.getValue().contains(TOKEN)) {
        plain = new Plain(s.getValue());
        _currToken = JsonToken.VALUE_EMBEDDED_OBJECT;
        return _currToken;
      }
      return t;
    }

    @Override
    public Object getEmbeddedObject() throws IOException {
      return plain != null ? plain : super.getEmbeddedObject();
    }
  }
}

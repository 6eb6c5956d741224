package dev.vane.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Parses and validates Vane's YAML configuration: strict UTF-8 → {@code ${ENV}} substitution → YAML → validation
 * against {@code vane.schema.json} ({@link ConfigSchema}) and checks across fields ({@link CrossChecks}), which
 * report every error with its path → binding into records ({@link ConfigSpec}) → immutable {@link VaneConfig}.
 * Nothing is half-applied: a file with any error yields a {@link ConfigException} listing all of them.
 * {@code vane validate}, startup and hot reload ({@link ConfigWatcher}) all go through
 * {@link #parse(byte[], String)}, so they agree on every file. Error messages never show a value substituted from the environment (it appears as {@code ${NAME}})
 * nor the password of a URI (see {@link Redaction}).
 */
public final class ConfigLoader {
  private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);

  /** Largest config file read (bytes); a bigger one is rejected, not truncated. */
  public static final int MAX_FILE_BYTES = 4 * 1024 * 1024;
  /** Deepest nesting of YAML collections accepted (Vane's own schema needs 6). */
  static final int MAX_NESTING = 64;
  /**
   * Longest line accepted: SnakeYAML's scanner copies its window once per 1024 characters of a word, so one long
   * word costs quadratic time (a 1 MB id took seconds); no real config has a line near this.
   */
  static final int MAX_LINE_CHARS = 65_536;
  /** Longest error message shown: longer ones (a huge value echoed) are cut in the middle. */
  static final int MAX_MESSAGE_CHARS = 400;

  private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final YAMLFactory YAML_FACTORY = yamlFactory();
  private static final ObjectMapper YAML = new ObjectMapper(YAML_FACTORY);

  /** The sections of a config that the versioned document holds (with {@code configSource: redis}). */
  public static final Set<String> ROUTING_SECTIONS =
      Collections.unmodifiableSet(new LinkedHashSet<>(List.of("endpoints", "routes", "experiments", "defaultEndpoint",
          "version")));

  private final Function<String, String> env;

  public ConfigLoader() {
    this(System::getenv);
  }

  /** With an injected environment, for tests. */
  public ConfigLoader(Function<String, String> env) {
    this.env = env;
  }

  private static YAMLFactory yamlFactory() {
    LoaderOptions lo = new LoaderOptions();
    lo.setCodePointLimit(MAX_FILE_BYTES + 1);
    lo.setNestingDepthLimit(MAX_NESTING);
    return YAMLFactory.builder()
        .loaderOptions(lo)
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
  }

  /** What {@code vane validate} and startup run: {@link #read} then {@link #parse(byte[], String)}. */
  public VaneConfig load(Path file) throws ConfigException {
    return parse(read(file), file.toString());
  }

  /**
   * The bytes of {@code file}, at most {@link #MAX_FILE_BYTES} + 1 of them (so that {@link #parse(byte[], String)}
   * can reject a larger file without reading it whole).
   */
  static byte[] read(Path file) throws ConfigException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (IOException e) {
      throw new ConfigException(file.toString(), List.of(new ConfigError("", "cannot read file: " + e)));
    }
  }

  /** {@link #parse(byte[], String)} of the UTF-8 encoding of {@code text} (tests, the demo). */
  public VaneConfig parse(String text, String source) throws ConfigException {
    return parse(text.getBytes(StandardCharsets.UTF_8), source);
  }

  /**
   * Decodes {@code bytes} as strict UTF-8 (a leading byte order mark is skipped), then substitutes, parses and
   * validates. Every failure, including an unexpected exception inside the loader (logged, without its message),
   * is a {@link ConfigException}.
   *
   * @param source the file name errors are reported against
   */
  public VaneConfig parse(byte[] bytes, String source) throws ConfigException {
    return guarded(source, (errors, substituted) -> parse(bytes, source, errors, substituted));
  }

  /** One way of reading a config, adding its errors to {@code errors}; null (or errors) when it is invalid. */
  private interface Reading {
    VaneConfig read(List<ConfigError> errors, Map<String, String> substituted);
  }

  /**
   * Runs {@code reading}; every failure, even an unexpected exception inside the loader (logged, without its
   * message), is a {@link ConfigException} whose errors hide substituted values.
   */
  private VaneConfig guarded(String source, Reading reading) throws ConfigException {
    Map<String, String> substituted = new LinkedHashMap<>();
    List<ConfigError> errors = new ArrayList<>();
    try {
      VaneConfig cfg = reading.read(errors, substituted);
      if (errors.isEmpty() && cfg != null) {
        return cfg;
      }
    } catch (RuntimeException | StackOverflowError e) {
      log.error("config {}: the loader failed unexpectedly ({}); reported as a config error", source, where(e));
      errors.add(new ConfigError("", "cannot load the config: unexpected " + e.getClass().getSimpleName()
          + " in the loader (a bug in Vane: see the log)"));
    }
    throw new ConfigException(source, errors.stream().map(err -> shown(err, substituted)).toList());
  }


  /** The document of {@code bytes} as a mapping with its text (after substitution), or null with errors added. */
  private Doc tree(byte[] bytes, List<ConfigError> errors, Map<String, String> substituted) {
    if (bytes.length > MAX_FILE_BYTES) {
      errors.add(new ConfigError("", "the file is larger than " + MAX_FILE_BYTES + " bytes (expected: at most 4 MiB)"));
      return null;
    }
    String text = decode(bytes, errors);
    if (text == null) {
      return null;
    }
    String yaml = substitute(text, errors, substituted);
    JsonNode root;
    try (JsonParser p = YAML_FACTORY.createParser(yaml)) {
      root = YAML.readTree(new NoAliases(p));
      if (root != null && p.nextToken() != null) {
        errors.add(new ConfigError(where(p.currentTokenLocation()),
            "a second YAML document (expected: one document; remove the ---)"));
        return null;
      }
    } catch (StreamConstraintsException e) {
      errors.add(new ConfigError("", "invalid YAML: nested deeper than " + MAX_NESTING + " levels (expected: at most "
          + MAX_NESTING + ")"));
      return null;
    } catch (JsonProcessingException e) {
      errors.add(new ConfigError(where(e.getLocation()), "invalid YAML: " + yamlProblem(e.getOriginalMessage())));
      return null;
    } catch (IOException e) {
      errors.add(new ConfigError("", "invalid YAML: " + e.getClass().getSimpleName()));
      return null;
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      root = YAML.createObjectNode();
    }
    if (!root.isObject()) {
      errors.add(new ConfigError("", "the document is " + Values.describe(root) + " (expected: a mapping)"));
      return null;
    }
    return new Doc((ObjectNode) root, text);
  }

  private record Doc(ObjectNode root, String text) {}

  private VaneConfig parse(byte[] bytes, String source, List<ConfigError> errors, Map<String, String> substituted) {
    Doc d = tree(bytes, errors, substituted);
    return d == null ? null : build(d.root(), source, version(d.text()), errors);
  }

  /**
   * A config in two layers, as a gateway with {@code configSource: redis} has it: the bootstrap file (server,
   * state, admin; its own endpoints, routes and experiments, if any, are replaced) and a versioned document that may
   * hold only the {@link #ROUTING_SECTIONS}. Validated as one file; errors carry the same paths.
   */
  public VaneConfig parseLayered(byte[] bootstrap, byte[] document, String source) throws ConfigException {
    return guarded(source, (errors, substituted) -> {
      Doc b = tree(bootstrap, errors, substituted);
      Doc d = errors.isEmpty() ? tree(document, errors, substituted) : null;
      if (b == null || d == null) {
        return null;
      }
      d.root().fieldNames().forEachRemaining(k -> {
        if (!ROUTING_SECTIONS.contains(k)) {
          errors.add(new ConfigError(k, "set in the bootstrap file, not in the versioned config (expected: only "
              + String.join(", ", ROUTING_SECTIONS) + ")"));
        }
      });
      if (!errors.isEmpty()) {
        return null;
      }
      ObjectNode merged = b.root().deepCopy();
      ROUTING_SECTIONS.forEach(merged::remove);
      merged.setAll(d.root());
      return build(merged, source, version(b.text() + "\n---\n" + d.text()), errors);
    });
  }


  /** {@link #parseLayered(byte[], byte[], String)} of UTF-8 texts. */
  public VaneConfig parseLayered(String bootstrap, String document, String source) throws ConfigException {
    return parseLayered(bootstrap.getBytes(StandardCharsets.UTF_8), document.getBytes(StandardCharsets.UTF_8), source);
  }

  /**
   * Schema validation (types, ranges, enums, required and unknown fields), the schema's defaults, the checks across
   * fields ({@link CrossChecks}), then binding ({@link ConfigSpec}) and assembly ({@link ConfigAssembly}).
   */
  private static VaneConfig build(ObjectNode root, String source, String version, List<ConfigError> errors) {
    List<String> experimentVersions = new ArrayList<>();
    JsonNode experiments = root.path("experiments");
    for (int i = 0; experiments.isArray() && i < experiments.size(); i++) {
      experimentVersions.add(experimentVersion(experiments.get(i)));
    }
    ConfigSchema schema = ConfigSchema.get();
    List<ConfigError> schemaErrors = schema.validate(root);
    errors.addAll(schemaErrors);
    schema.applyDefaults(root);
    errors.addAll(CrossChecks.of(root, path -> schemaErrors.stream().anyMatch(e -> e.path().equals(path)
        || e.path().startsWith(path + ".") || e.path().startsWith(path + "["))));
    if (!errors.isEmpty()) {
      return null;
    }
    ConfigSpec.File file;
    try {
      file = ConfigSpec.MAPPER.treeToValue(root, ConfigSpec.File.class);
    } catch (JsonMappingException e) {
      log.error("config {}: the schema accepted what does not bind ({}); reported as a config error", source,
          where(e));
      errors.add(new ConfigError(bindPath(e), "cannot be read (a bug in Vane: the schema accepts it; see the log)"));
      return null;
    } catch (JsonProcessingException e) {
      errors.add(new ConfigError("", "cannot be read: " + e.getClass().getSimpleName()));
      return null;
    }
    return ConfigAssembly.build(file, source, version, experimentVersions, errors);
  }

  private static String bindPath(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      } else if (r.getFieldName() != null) {
        sb.append(sb.isEmpty() ? "" : ".").append(r.getFieldName());
      }
    }
    return sb.toString();
  }

  /**
   * Strict UTF-8: a malformed or unmappable byte is an error with its offset, never a replacement character; then
   * no control character YAML forbids and no line over {@link #MAX_LINE_CHARS}.
   */
  private static String decode(byte[] bytes, List<ConfigError> errors) {
    int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB
        && (bytes[2] & 0xff) == 0xBF ? 3 : 0;
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
    String text;
    try {
      text = d.decode(in).toString();
    } catch (CharacterCodingException e) {
      String bom = bytes.length >= 2 && ((bytes[0] & 0xff) == 0xFE && (bytes[1] & 0xff) == 0xFF
          || (bytes[0] & 0xff) == 0xFF && (bytes[1] & 0xff) == 0xFE) ? ", it starts with a UTF-16 byte order mark" : "";
      errors.add(new ConfigError("", "not UTF-8 text: invalid byte sequence at byte " + in.position() + bom
          + " (expected: a UTF-8 file)"));
      return null;
    }
    int line = 1;
    int col = 1;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        line++;
        col = 1;
        continue;
      }
      if (col > MAX_LINE_CHARS) {
        errors.add(new ConfigError("line " + line, "longer than " + MAX_LINE_CHARS + " characters (expected: at most "
            + MAX_LINE_CHARS + " per line)"));
        return null;
      }
      if (c < 0x20 && c != '\t' && c != '\r' || c == 0x7f || c >= 0x80 && c <= 0x9f && c != 0x85) {
        errors.add(new ConfigError("line " + line + ", column " + col, String.format(
            "control character U+%04X (expected: text; YAML allows tab, line feed and carriage return)", (int) c)));
        return null;
      }
      col++;
    }
    return text;
  }

  /**
   * Replaces {@code ${NAME}} and {@code ${NAME:-default}} outside comment lines. A substituted value is YAML text
   * (so {@code port: ${PORT}} stays a number), but it must be one line: a value with a line break or another
   * control character could add keys to the document, and is rejected without being shown. Each value taken from
   * the environment is recorded in {@code substituted} (value → name) so that errors can hide it.
   */
  private String substitute(String text, List<ConfigError> errors, Map<String, String> substituted) {
    String[] lines = text.split("\n", -1);
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      boolean comment = line.stripLeading().startsWith("#");
      Matcher m = ENV.matcher(line);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String name = m.group(1);
        String v = comment ? m.group() : env.apply(name);
        if (v != null && !comment) {
          if (!v.isEmpty()) {
            substituted.putIfAbsent(v, name);
          }
          if (!singleLine(v)) {
            errors.add(new ConfigError("line " + (i + 1), "environment variable " + name
                + " contains a line break or control character (expected: a single line; the value is not shown)"));
            v = "";
          }
        }
        if (v == null) {
          v = m.group(2);
        }
        if (v == null) {
          errors.add(new ConfigError("line " + (i + 1),
              "environment variable " + name + " is not set (use ${" + name + ":-default} for a default)"));
          v = "";
        }
        m.appendReplacement(sb, Matcher.quoteReplacement(v));
      }
      m.appendTail(sb);
      out.append(sb);
      if (i < lines.length - 1) {
        out.append('\n');
      }
    }
    return out.toString();
  }

  /** No line break (including YAML 1.1's NEL, LS and PS) and no control character other than tab. */
  private static boolean singleLine(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029) {
        return false;
      }
    }
    return true;
  }

  /** An error as shown: substituted values and URI passwords hidden, then cut to {@link #MAX_MESSAGE_CHARS}. */
  private static ConfigError shown(ConfigError e, Map<String, String> substituted) {
    String path = Redaction.text(Redaction.substituted(e.path(), substituted));
    String message = Redaction.text(Redaction.substituted(e.message(), substituted));
    return new ConfigError(cut(path, 200), cut(message, MAX_MESSAGE_CHARS));
  }

  private static String cut(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int head = max * 2 / 3;
    int tail = max - head - 30;
    return s.substring(0, head) + " [" + (s.length() - head - tail) + " characters cut] " + s.substring(s.length() - tail);
  }

  /** SnakeYAML's problem description without its echo of the source line (which may hold a secret). */
  private static String yamlProblem(String message) {
    if (message == null) {
      return "unreadable";
    }
    List<String> kept = new ArrayList<>();
    for (String line : message.split("\n")) {
      if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
        kept.add(line.strip());
      }
    }
    return kept.isEmpty() ? "unreadable" : String.join("; ", kept);
  }

  private static String where(JsonLocation loc) {
    return loc == null || loc.getLineNr() < 1 ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
  }

  /** A throwable's class and first frames, without its message (which may echo a value from the file). */
  static String where(Throwable e) {
    StringBuilder sb = new StringBuilder(e.getClass().getName());
    StackTraceElement[] st = e.getStackTrace();
    for (int i = 0; i < Math.min(6, st.length); i++) {
      sb.append(i == 0 ? " at " : " < ").append(st[i]);
    }
    return sb.toString();
  }

  /** Rejects YAML aliases: Jackson would read {@code *name} as the text "name", silently. */
  private static final class NoAliases extends JsonParserDelegate {
    NoAliases(JsonParser p) {
      super(p);
    }

    @Override
    public JsonToken nextToken() throws IOException {
      JsonToken t = delegate.nextToken();
      if (delegate instanceof YAMLParser y && y.isCurrentAlias()) {
        throw new JsonParseException(delegate, "an alias (*" + delegate.getText()
            + ") (expected: no anchors and aliases; Vane does not expand them)");
      }
      return t;
    }
  }

  /**
   * The version of one experiment: the first 12 hex digits of the SHA-256 of its node as written, without its
   * {@code paused} field (the kill switch), so that pausing and resuming keep the experiment's figures.
   */
  static String experimentVersion(JsonNode experiment) {
    JsonNode hashed = experiment;
    if (experiment instanceof ObjectNode o && o.has("paused")) {
      ObjectNode copy = o.deepCopy();
      copy.remove("paused");
      hashed = copy;
    }
    return sha(hashed.toString()).substring(0, 12);
  }

  private static String version(String text) {
    return sha(text).substring(0, 12);
  }

  private static String sha(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

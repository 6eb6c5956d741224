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
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import dev.vane.router.Policy;
import dev.vane.router.Role;
import dev.vane.router.Route;
import dev.vane.router.RoutingTable;
import dev.vane.router.Shadow;
import dev.vane.router.Targeting;
import dev.vane.router.UnitIdSource;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Parses and validates Vane's YAML configuration: strict UTF-8 → {@code ${ENV}} substitution → YAML → typed walk
 * that collects every error with its path → cross-reference checks → immutable {@link VaneConfig}. Nothing is
 * half-applied: a file with any error yields a {@link ConfigException} listing all of them. {@code vane validate},
 * startup and hot reload ({@link ConfigWatcher}) all go through {@link #parse(byte[], String)}, so they agree on
 * every file. Error messages never show a value substituted from the environment (it appears as {@code ${NAME}})
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
  private static final Duration ONE_HOUR = Duration.ofHours(1);
  private static final Duration ONE_DAY = Duration.ofDays(1);
  private static final YAMLFactory YAML_FACTORY = yamlFactory();
  private static final ObjectMapper YAML = new ObjectMapper(YAML_FACTORY);

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
    Map<String, String> substituted = new LinkedHashMap<>();
    List<ConfigError> errors = new ArrayList<>();
    try {
      VaneConfig cfg = parse(bytes, source, errors, substituted);
      if (errors.isEmpty()) {
        return cfg;
      }
    } catch (RuntimeException | StackOverflowError e) {
      log.error("config {}: the loader failed unexpectedly ({}); reported as a config error", source, where(e));
      errors.add(new ConfigError("", "cannot load the config: unexpected " + e.getClass().getSimpleName()
          + " in the loader (a bug in Vane: see the log)"));
    }
    throw new ConfigException(source, errors.stream().map(err -> shown(err, substituted)).toList());
  }

  private VaneConfig parse(byte[] bytes, String source, List<ConfigError> errors, Map<String, String> substituted) {
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
      errors.add(new ConfigError("", "the document is " + Node.describe(root) + " (expected: a mapping)"));
      return null;
    }
    return build(new Node(root, "", errors), source, version(text));
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

  private VaneConfig build(Node root, String source, String version) {
    ServerSettings server = server(root.object("server", false));
    Map<String, EndpointSettings> endpoints = endpoints(root);
    Map<String, Analysis> analysis = new LinkedHashMap<>();
    List<Experiment> experiments = experiments(root, endpoints.keySet(), analysis, server.allowOverride());
    Set<String> expIds = new HashSet<>();
    for (Experiment e : experiments) {
      expIds.add(e.id());
    }
    List<Route> routes = routes(root, endpoints.keySet(), expIds);
    String dflt = root.string("defaultEndpoint", null, false);
    if (dflt != null && !endpoints.containsKey(dflt)) {
      root.error("defaultEndpoint", Node.quote(dflt) + " (expected: one of the endpoints " + endpoints.keySet() + ")");
      dflt = null;
    }
    StateSettings state = state(root.object("state", false));
    root.string("version", null, false); // free-form label, allowed for operators' own bookkeeping
    root.rejectUnknown();
    RoutingTable table;
    try {
      table = new RoutingTable(version, routes, experiments, dflt);
    } catch (IllegalArgumentException e) {
      root.error(null, e.getMessage());
      table = new RoutingTable(version, List.of(), List.of(), null);
    }
    return new VaneConfig(source, version, server, endpoints, table, state, analysis);
  }

  private ServerSettings server(Node n) {
    if (n == null) {
      return defaults();
    }
    String host = n.string("host", "0.0.0.0", false);
    if (!host.matches("[A-Za-z0-9._:%\\[\\]-]{1,255}")) {
      n.error("host", Node.quote(host) + " (expected: an IP address or host name to listen on)");
    }
    int port = (int) n.integer("port", 8080, 0, 65535);
    long maxBody = n.bytes("maxBodyBytes", 10L * 1024 * 1024, 1, 2L * 1024 * 1024 * 1024 - 1);
    boolean variantHeaders = n.bool("variantHeaders", true);
    UnitIdSource unit = UnitIdSource.DEFAULT;
    Node u = n.object("unitId", false);
    if (u != null) {
      unit = new UnitIdSource(u.token("header", null, false), u.token("cookie", null, false),
          u.string("query", null, false));
      if (unit.header() == null && unit.cookie() == null && unit.queryParam() == null) {
        u.error(null, "empty (expected: at least one of header, cookie, query)");
      }
      u.rejectUnknown();
    }
    String override = n.token("overrideHeader", "X-Vane-Variant", false);
    boolean allowOverride = n.bool("allowOverride", false);
    int loops = (int) n.integer("eventLoops", 0, 0, 256);
    Duration reload = n.duration("reloadInterval", Duration.ofSeconds(1), Duration.ZERO, ONE_DAY);
    ServerSettings.Transport transport = transport(n);
    ServerSettings.Limits d = ServerSettings.Limits.DEFAULT;
    ServerSettings.Limits limits = new ServerSettings.Limits(
        n.duration("headerTimeout", d.headerTimeout(), Duration.ofMillis(10), ONE_DAY),
        n.duration("idleTimeout", d.idleTimeout(), Duration.ofMillis(10), ONE_DAY),
        n.duration("bodyTimeout", d.bodyTimeout(), Duration.ofMillis(10), ONE_DAY),
        (int) n.integer("maxConnections", d.maxConnections(), 1, 1_000_000));
    Duration grace = n.duration("shutdownGrace", ServerSettings.DEFAULT_SHUTDOWN_GRACE, Duration.ZERO, ONE_HOUR);
    n.rejectUnknown();
    return new ServerSettings(host, port, maxBody, variantHeaders, unit, override, allowOverride, loops, reload,
        transport, limits, grace);
  }

  private static ServerSettings.Transport transport(Node n) {
    String s = n.string("transport", "auto", false);
    for (ServerSettings.Transport t : ServerSettings.Transport.values()) {
      if (t.id().equals(s)) {
        return t;
      }
    }
    n.error("transport", Node.quote(s) + " (expected: auto, epoll, io_uring or nio)");
    return ServerSettings.Transport.AUTO;
  }

  static ServerSettings defaults() {
    return new ServerSettings("0.0.0.0", 8080, 10L * 1024 * 1024, true, UnitIdSource.DEFAULT, "X-Vane-Variant", false,
        0, Duration.ofSeconds(1), ServerSettings.Transport.AUTO, ServerSettings.Limits.DEFAULT,
        ServerSettings.DEFAULT_SHUTDOWN_GRACE);
  }

  private Map<String, EndpointSettings> endpoints(Node root) {
    Map<String, EndpointSettings> out = new LinkedHashMap<>();
    List<Node> list = root.objects("endpoints", true);
    if (root.has("endpoints") && list.isEmpty() && root.raw("endpoints").isArray()) {
      root.error("endpoints", "[] (expected: at least one endpoint)");
    }
    for (Node n : list) {
      String id = n.id("id", null, true);
      var url = n.url("url");
      Duration timeout = n.duration("timeout", Duration.ofSeconds(30), Duration.ofMillis(1), ONE_DAY);
      Duration connect = n.duration("connectTimeout", Duration.ofSeconds(2), Duration.ofMillis(1), ONE_HOUR);
      int maxConn = (int) n.integer("maxConnections", 64, 1, 100_000);
      int maxShadow = (int) n.integer("maxShadowInFlight", 64, 1, 100_000);
      int maxPending = (int) n.integer("maxPending", 1024, 0, 1_000_000);
      n.rejectUnknown();
      if (id == null || id.isEmpty()) {
        continue;
      }
      if (out.containsKey(id)) {
        n.error("id", Node.quote(id) + " (expected: unique; already used by another endpoint)");
        continue;
      }
      if (url != null) {
        out.put(id, new EndpointSettings(id, url, timeout, connect, maxConn, maxShadow, maxPending));
      }
    }
    return out;
  }

  private List<Experiment> experiments(Node root, Set<String> endpoints, Map<String, Analysis> analysis,
      boolean allowOverride) {
    List<Experiment> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (Node n : root.objects("experiments", false)) {
      Analysis[] a = new Analysis[1];
      Experiment e = experiment(n, endpoints, a, allowOverride);
      if (e == null) {
        continue;
      }
      if (!ids.add(e.id())) {
        n.error("id", Node.quote(e.id()) + " (expected: unique; already used by another experiment)");
        continue;
      }
      out.add(e);
      analysis.put(e.id(), a[0]);
    }
    return out;
  }

  /** A metric bound as written in YAML: plain decimal, no exponent, no trailing zeros. */
  private static String plain(double x) {
    return java.math.BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
  }

  private Analysis analysis(Node n, Policy policy) {
    List<Analysis.Metric> metrics = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int primaries = 0;
    for (Node m : n.objects("metrics", false)) {
      String name = m.id("name", null, true);
      String kind = m.string("kind", null, true);
      String direction = m.string("direction", "higher", false);
      boolean primary = m.bool("primary", false);
      boolean guardrail = m.bool("guardrail", false);
      double bound = Analysis.Metric.MAX_BOUND;
      boolean binary = "binary".equals(kind);
      double min = m.number("min", binary ? 0 : -Analysis.Metric.DEFAULT_BOUND, -bound, bound);
      double max = m.number("max", binary ? 1 : Analysis.Metric.DEFAULT_BOUND, -bound, bound);
      m.rejectUnknown();
      if (binary && (min != 0 || max != 1)) {
        m.error(min != 0 ? "min" : "max", plain(min != 0 ? min : max)
            + " (expected: no min/max on a binary metric, its values are 0 or 1)");
        min = 0;
        max = 1;
      }
      if (min > max) {
        m.error("max", plain(max) + " (expected: >= min " + plain(min) + ")");
        max = min;
      }
      if (kind != null && !kind.equals("binary") && !kind.equals("continuous")) {
        m.error("kind", Node.quote(kind) + " (expected: binary or continuous)");
      }
      if (!direction.equals("higher") && !direction.equals("lower")) {
        m.error("direction", Node.quote(direction) + " (expected: higher or lower)");
      }
      if (name != null && !name.isEmpty() && !names.add(name)) {
        m.error("name", Node.quote(name) + " (expected: unique among the experiment's metrics)");
      }
      if (name != null && (name.equals("latency") || name.equals("error_rate"))) {
        m.error("name", Node.quote(name) + " (expected: not a built-in metric name: latency, error_rate)");
      }
      if (primary) {
        primaries++;
        if (primaries == 2) {
          m.error("primary", "true (expected: at most one primary metric per experiment)");
        }
      }
      metrics.add(new Analysis.Metric(name, binary, direction.equals("higher"), primary, guardrail, min, max));
    }
    List<Analysis.Slice> slices = new ArrayList<>();
    Set<String> sliceNames = new HashSet<>();
    for (Node sl : n.objects("slices", false)) {
      String name = sl.id("name", null, true);
      String header = sl.string("header", null, false);
      String field = sl.string("bodyField", null, false);
      int max = (int) sl.integer("maxValues", 20, 1, 1000);
      sl.rejectUnknown();
      if ((header == null) == (field == null)) {
        sl.error(null, "expected exactly one of header or bodyField");
      }
      if (name != null && !sliceNames.add(name)) {
        sl.error("name", Node.quote(name) + " (expected: unique among the experiment's slices)");
      }
      slices.add(new Analysis.Slice(name, header, field, max));
    }
    if (slices.size() > 4) {
      n.error("slices", slices.size() + " dimensions (expected: at most 4)");
    }
    Duration window =
        n.duration("attributionWindow", Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofDays(365));
    Analysis.Bandit bandit = null;
    Node b = n.object("bandit", false);
    if (b != null || policy == Policy.THOMPSON) {
      Node bn = b;
      double floor = bn == null ? 0 : bn.number("minExplorationPercent", 0, 0, 100);
      long warmup = bn == null ? 0 : bn.integer("warmup", 0, 0, 1_000_000_000_000L);
      Duration refresh = bn == null ? Duration.ofSeconds(1)
          : bn.duration("refreshInterval", Duration.ofSeconds(1), Duration.ofMillis(10), ONE_DAY);
      boolean topTwo = bn != null && bn.bool("topTwo", false);
      double alpha = bn == null ? 1 : bn.number("priorAlpha", 1, 1e-9, 1e12);
      double beta = bn == null ? 1 : bn.number("priorBeta", 1, 1e-9, 1e12);
      if (bn != null) {
        bn.rejectUnknown();
        if (policy != Policy.THOMPSON) {
          n.error("bandit", "set (expected: only with policy: thompson)");
        }
      }
      bandit = new Analysis.Bandit(floor, warmup, refresh, topTwo, alpha, beta);
    }
    if (policy == Policy.THOMPSON && metrics.isEmpty()) {
      n.error("metrics", "missing (expected: a primary metric for policy: thompson to learn from)");
    }
    return new Analysis(metrics, slices, window, bandit);
  }

  private String endpointRef(Node n, Set<String> endpoints) {
    String ep = n.string("endpoint", null, true);
    if (ep != null && !ep.isBlank() && !endpoints.contains(ep)) {
      n.error("endpoint", Node.quote(ep) + " (expected: one of the endpoints " + endpoints + ")");
    }
    return ep;
  }

  private Experiment experiment(Node n, Set<String> endpoints, Analysis[] analysisOut, boolean allowOverride) {
    int errorsBefore = errorCount(n);
    String id = n.id("id", null, true);
    String salt = n.string("salt", id, false);
    boolean sticky = n.bool("sticky", true);
    int coverage = n.percentBps("coverage", 10_000, false);
    boolean override = n.bool("override", allowOverride); // QA override: opt-in, per experiment or globally
    boolean fallback = n.bool("fallbackToChampion", false);
    String policyName = n.string("policy", "hash", false);
    Policy policy = Policy.HASH;
    if ("thompson".equals(policyName)) {
      policy = Policy.THOMPSON;
    } else if (!"hash".equals(policyName)) {
      n.error("policy", Node.quote(policyName) + " (expected: hash or thompson)");
    }
    analysisOut[0] = analysis(n, policy);

    record Spec(String id, Role role, String endpoint, int bps, String path) {}
    List<Spec> variants = new ArrayList<>();
    int variantSum = 0;
    for (Node v : n.objects("variants", false)) {
      String vid = v.id("id", null, true);
      String ep = endpointRef(v, endpoints);
      long w = v.integer("weight", -1, 0, 10_000);
      if (!v.has("weight")) {
        v.error("weight", "missing (expected: basis points 0..10000)");
      }
      v.rejectUnknown();
      if (w >= 0) {
        variantSum += (int) w;
      }
      variants.add(new Spec(vid, Role.VARIANT, ep, (int) Math.max(w, 0), v.path()));
    }
    Node champ = n.object("champion", false);
    Spec champion = null;
    if (champ != null) {
      String cid = champ.id("id", "champion", false);
      String ep = endpointRef(champ, endpoints);
      champ.rejectUnknown();
      champion = new Spec(cid, Role.CHAMPION, ep, 0, champ.path());
    }
    Node can = n.object("canary", false);
    Spec canary = null;
    if (can != null) {
      String cid = can.id("id", "canary", false);
      String ep = endpointRef(can, endpoints);
      int bps = can.percentBps("percent", 0, true);
      can.rejectUnknown();
      canary = new Spec(cid, Role.CANARY, ep, bps, can.path());
    }
    if (champion == null && variants.isEmpty()) {
      n.error(null, "no arms (expected: a champion, or variants with weights)");
    }
    if (canary != null && champion == null) {
      n.error("canary", "a canary needs a champion to take its share from (expected: champion)");
    }
    int explicit = variantSum + (canary == null ? 0 : canary.bps());
    if (champion != null) {
      if (explicit > 10_000) {
        n.error(null, "variant and canary weights sum to " + explicit
            + " bps (expected: at most 10000, the champion gets the remainder)");
      }
    } else if (!variants.isEmpty() && variantSum != 10_000 && errorCount(n) == errorsBefore) {
      n.error("variants", "weights sum to " + variantSum + " bps (expected: 10000, i.e. 100%)");
    }

    List<Shadow> shadows = new ArrayList<>();
    Set<String> armIds = new HashSet<>();
    for (Node s : n.objects("shadows", false)) {
      String sid = s.id("id", null, false);
      String ep = endpointRef(s, endpoints);
      if (sid == null) {
        sid = ep;
      }
      int pct = s.percentBps("percent", 10_000, false);
      double tol = s.number("tolerance", 1e-6, 0, Double.MAX_VALUE);
      s.rejectUnknown();
      if (sid != null && ep != null) {
        if (!armIds.add("shadow:" + sid)) {
          s.error("id", Node.quote(sid) + " (expected: unique among the experiment's shadows)");
        }
        shadows.add(new Shadow(sid, ep, pct, tol));
      }
    }

    Targeting targeting = Targeting.NONE;
    Node t = n.object("targeting", false);
    if (t != null) {
      Map<String, List<String>> headers = new LinkedHashMap<>();
      Node h = t.object("headers", false);
      if (h != null) {
        JsonNode hj = t.raw("headers");
        var it = hj.fields();
        while (it.hasNext()) {
          var e = it.next();
          List<String> values = new ArrayList<>();
          if (e.getValue().isArray()) {
            e.getValue().forEach(x -> values.add(x.asText()));
          } else if (e.getValue().isValueNode() && !e.getValue().isNull()) {
            values.add(e.getValue().asText());
          } else {
            h.error(e.getKey(), Node.describe(e.getValue()) + " (expected: a value or a list of values)");
          }
          headers.put(e.getKey(), List.copyOf(values));
          h.has(e.getKey());
        }
      }
      String prefix = t.string("pathPrefix", null, false);
      if (prefix != null && !prefix.startsWith("/")) {
        t.error("pathPrefix", Node.quote(prefix) + " (expected: starts with /)");
      }
      t.rejectUnknown();
      targeting = new Targeting(headers, prefix);
    }
    n.rejectUnknown();

    List<Spec> layout = new ArrayList<>(variants);
    if (champion != null) {
      layout.add(new Spec(champion.id(), Role.CHAMPION, champion.endpoint(), 10_000 - explicit, champion.path()));
    }
    if (canary != null) {
      layout.add(canary);
    }
    for (Spec s : layout) {
      if (s.id() != null && !s.id().isEmpty() && !armIds.add(s.id())) {
        errorsAt(n, s.path() + ".id", Node.quote(s.id()) + " (expected: unique among the experiment's arms)");
      }
    }
    if (errorCount(n) != errorsBefore || id == null) {
      return null;
    }
    List<Arm> arms = new ArrayList<>();
    for (int i = 0; i < layout.size(); i++) {
      Spec s = layout.get(i);
      arms.add(new Arm(s.id(), s.role(), s.endpoint(), s.bps(), i));
    }
    String expVersion = sha(((ObjectNode) rawOf(n)).toString()).substring(0, 12);
    return new Experiment(id, salt, expVersion, arms, shadows, coverage, sticky, override, fallback, targeting, policy);
  }

  private List<Route> routes(Node root, Set<String> endpoints, Set<String> experiments) {
    List<Route> out = new ArrayList<>();
    int i = 0;
    for (Node n : root.objects("routes", false)) {
      String prefix = n.string("pathPrefix", null, false);
      String model = n.string("model", null, false);
      String exp = n.string("experiment", null, false);
      String ep = n.string("endpoint", null, false);
      String id = n.id("id", null, false);
      n.rejectUnknown();
      boolean ok = true;
      if ((prefix == null) == (model == null)) {
        n.error(null, "expected exactly one of pathPrefix or model");
        ok = false;
      }
      if (prefix != null && !prefix.startsWith("/")) {
        n.error("pathPrefix", Node.quote(prefix) + " (expected: starts with /)");
        ok = false;
      }
      if ((exp == null) == (ep == null)) {
        n.error(null, "expected exactly one of experiment or endpoint");
        ok = false;
      }
      if (exp != null && !experiments.contains(exp)) {
        n.error("experiment", Node.quote(exp) + " (expected: one of the experiments " + experiments + ")");
        ok = false;
      }
      if (ep != null && !endpoints.contains(ep)) {
        n.error("endpoint", Node.quote(ep) + " (expected: one of the endpoints " + endpoints + ")");
        ok = false;
      }
      if (ok) {
        out.add(new Route(id != null ? id : "routes[" + i + "]", prefix, model, exp, ep));
      }
      i++;
    }
    return out;
  }

  private StateSettings state(Node n) {
    if (n == null) {
      return new StateSettings("memory", 1_000_000, Duration.ofDays(30), null);
    }
    String store = n.string("store", null, false);
    Duration ttl = n.duration("ttl", Duration.ofDays(30), Duration.ofSeconds(1), Duration.ofDays(3650));
    long maxEntries = n.integer("maxEntries", 1_000_000, 1, Integer.MAX_VALUE);
    Node r = n.object("redis", false);
    StateSettings.Redis redis = null;
    if (r != null) {
      String uri = r.redisUri("uri");
      long cacheSize = r.integer("cacheSize", 1_000_000, 1, Integer.MAX_VALUE);
      Duration staleness = r.duration("cacheStaleness", Duration.ofHours(1), Duration.ofMillis(1), ONE_DAY);
      Duration timeout = r.duration("commandTimeout", Duration.ofMillis(50), Duration.ofMillis(1), ONE_HOUR);
      int maxPending = (int) r.integer("maxPendingWrites", 10_000, 0, 10_000_000);
      Duration flush = r.duration("flushInterval", Duration.ofSeconds(1), Duration.ofMillis(10), ONE_HOUR);
      boolean invalidations = r.bool("invalidations", true);
      Duration grace = r.duration("startupGrace", Duration.ofSeconds(10), Duration.ZERO, ONE_HOUR);
      r.rejectUnknown();
      redis = new StateSettings.Redis(uri, cacheSize, staleness, timeout, maxPending, flush, invalidations, grace);
    }
    if (store == null) {
      store = redis != null ? "redis" : "memory";
    }
    if (!store.equals("memory") && !store.equals("redis")) {
      n.error("store", Node.quote(store) + " (expected: memory or redis)");
    } else if (store.equals("redis") && redis == null) {
      n.error("redis", "missing (expected: a redis section with uri when store is redis)");
    }
    n.rejectUnknown();
    return new StateSettings(store, maxEntries, ttl, "redis".equals(store) ? redis : null);
  }

  private static int errorCount(Node n) {
    return n.errorCount();
  }

  private static void errorsAt(Node n, String path, String message) {
    n.addAbsolute(path, message);
  }

  private static JsonNode rawOf(Node n) {
    return n.json();
  }
}

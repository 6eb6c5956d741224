package dev.vane.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The config file as written, one record per mapping, bound by Jackson from a document that the schema has
 * accepted and whose defaults it has filled in ({@link ConfigSchema}): so every field is here, typed, and in range.
 * A field the schema gives no default is nullable. {@link ConfigAssembly} turns these into the public records.
 */
final class ConfigSpec {
  private ConfigSpec() {}

  /** Binds records strictly: an unknown property, a null primitive or a fraction for an integer fails. */
  static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .addModule(new SimpleModule("vane-units").addDeserializer(Duration.class, new DurationReader()))
      .build();

  record File(String version, Server server, Admin admin, Observability observability, String configSource,
      List<Endpoint> endpoints,
      List<Experiment> experiments, List<Route> routes, String defaultEndpoint, State state, TimeSeries timeseries,
      Events events) {}

  record Server(String host, int port, @JsonDeserialize(using = SizeReader.class) long maxBodyBytes,
      boolean variantHeaders, UnitId unitId, String overrideHeader, boolean allowOverride, int eventLoops,
      Duration reloadInterval, String transport, Duration headerTimeout, Duration idleTimeout, Duration bodyTimeout,
      int maxConnections, Duration shutdownGrace, Tls tls, AdminListener admin) {}

  record Tls(String cert, String key) {}

  record Observability(Metrics metrics, Tracing tracing, Logs logs) {}

  record Metrics(boolean enabled, boolean authenticate) {}

  record Tracing(String endpoint, double samplingRatio, String serviceName) {}

  record Logs(String format, boolean accessLog, double accessLogSampleRatio) {}

  record AdminListener(String host, int port, Tls tls) {}

  /** {@code auth} is the text {@code none} or a mapping; {@link ConfigAssembly#admin} reads it. */
  record Admin(JsonNode auth, int history, String auditFile, int auditMaxEntries, String localCopy) {}

  record Token(String name, String token, String tokenSha256, List<String> roles) {}

  record Jwt(String publicKey, String publicKeyFile, String jwksUrl, Duration jwksRefresh, String algorithm,
      String issuer, String audience, String rolesClaim, String nameClaim) {}

  record UnitId(String header, String cookie, String query) {}

  record Endpoint(String id, String url, Duration timeout, Duration connectTimeout, int maxConnections,
      int maxShadowInFlight, int maxPending, Price price, String streamUsage) {}

  record Route(String pathPrefix, String model, String experiment, String endpoint, String id) {}

  record Experiment(String id, String salt, boolean sticky, double coverage, Boolean override,
      boolean fallbackToChampion, boolean paused, String policy, List<Metric> metrics, List<Slice> slices, Duration attributionWindow,
      Bandit bandit, List<Variant> variants, Arm champion, Canary canary, List<Shadow> shadows, Targeting targeting,
      Rollout rollout, List<List<String>> sliceCrosses, List<ResponseMetric> responseMetrics) {}

  record ResponseMetric(String name, String pointer, String aggregate, String builtin,
      @JsonDeserialize(using = SizeReader.class) long maxBodyBytes, String calibrates,
      Duration driftReference) {}

  record Price(double promptPer1k, double completionPer1k) {}

  record Rollout(ShadowFirst shadowFirst, List<Step> steps, List<Guardrail> guardrails, double alpha,
      Duration analysisInterval, Duration maxStepDuration, String onInconclusive, boolean requireNonInferiority,
      Webhooks webhooks) {}

  record ShadowFirst(long minCompared, double minAgreement, double maxLatencyRatio) {}

  record Step(int percent, long minExposures, Duration minDuration) {}

  record Guardrail(String metric, double margin, Boolean srm) {}

  record Webhooks(String confirmPromotion, String events, String secret, Duration timeout) {}

  record Arm(String id, String endpoint) {}

  record Canary(String id, String endpoint, double percent) {}

  record Variant(String id, String endpoint, int weight) {}

  record Shadow(String id, String endpoint, double percent, double tolerance, double comparePercent) {}

  record Targeting(Map<String, JsonNode> headers, String pathPrefix) {}

  record Metric(String name, String kind, String direction, boolean primary, boolean guardrail, Double min,
      Double max) {}

  record Slice(String name, String header, String bodyField, int maxValues) {}

  record Bandit(double minExplorationPercent, long warmup, Duration refreshInterval, boolean topTwo,
      double priorAlpha, double priorBeta) {}

  record TimeSeries(Duration minuteWindow, Duration retention) {}

  record Events(int queue, int batch, Duration flushInterval, List<EventSink> sinks) {}

  record EventSink(String type, Long maxLen, Integer retryBuffer, String dir,
      @JsonDeserialize(using = SizeReader.class) Long maxBytes, Duration maxAge) {}

  record State(String store, Duration ttl, long maxEntries, Redis redis) {}

  record Redis(String uri, long cacheSize, Duration cacheStaleness, Duration commandTimeout, int maxPendingWrites,
      Duration flushInterval, boolean invalidations, Duration startupGrace) {}

  /** A duration ({@link Units#millis}): integer milliseconds or a number with a unit. */
  static final class DurationReader extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode v = p.readValueAsTree();
      BigDecimal ms = Units.millis(v);
      if (ms == null) {
        return (Duration) ctxt.handleWeirdStringValue(Duration.class, v.asText(),
            "expected: a duration such as 500ms, 2s, 5m, 1h, 30d");
      }
      return Duration.ofMillis(ms.longValueExact());
    }
  }

  /** A size in bytes ({@link Units#bytes}): an integer, or an integer with a binary unit. */
  static final class SizeReader extends JsonDeserializer<Long> {
    @Override
    public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode v = p.readValueAsTree();
      BigInteger b = Units.bytes(v);
      if (b == null) {
        return (Long) ctxt.handleWeirdStringValue(Long.class, v.asText(), "expected: a size such as 10MB");
      }
      return b.longValueExact();
    }
  }
}

package dev.vane.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import dev.vane.router.Policy;
import dev.vane.router.Role;
import dev.vane.router.Route;
import dev.vane.router.RoutingTable;
import dev.vane.router.Shadow;
import dev.vane.router.Targeting;
import dev.vane.router.UnitIdSource;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a bound {@link ConfigSpec.File} (valid: schema and {@link CrossChecks} passed) into a {@link VaneConfig}:
 * percentages into basis points, the champion's remainder, the defaults that depend on other fields (salt = id,
 * a shadow's id = its endpoint, override = {@code server.allowOverride}, the store = redis when a redis section is
 * given, a metric's bounds by its kind, the bandit settings of {@code policy: thompson} without a bandit section).
 */
final class ConfigAssembly {
  private ConfigAssembly() {}

  /** The public records of a valid file; a rule that only the routing table checks is added to {@code errors}. */
  static VaneConfig build(ConfigSpec.File f, String source, String version, List<String> experimentVersions,
      List<ConfigError> errors) {
    ServerSettings server = server(f.server());
    Map<String, EndpointSettings> endpoints = new LinkedHashMap<>();
    for (ConfigSpec.Endpoint e : f.endpoints()) {
      endpoints.put(e.id(), new EndpointSettings(e.id(), URI.create(e.url()), e.timeout(), e.connectTimeout(),
          e.maxConnections(), e.maxShadowInFlight(), e.maxPending(),
          e.price() == null ? null : new EndpointSettings.Price(e.price().promptPer1k(), e.price().completionPer1k()),
          !"leave".equals(e.streamUsage())));
    }
    List<Experiment> experiments = new ArrayList<>();
    Map<String, Analysis> analysis = new LinkedHashMap<>();
    for (int i = 0; i < f.experiments().size(); i++) {
      ConfigSpec.Experiment x = f.experiments().get(i);
      Policy policy = "thompson".equals(x.policy()) ? Policy.THOMPSON : Policy.HASH;
      experiments.add(experiment(x, policy, experimentVersions.get(i), server.allowOverride()));
      analysis.put(x.id(), analysis(x, policy));
    }
    List<Route> routes = new ArrayList<>();
    for (int i = 0; i < f.routes().size(); i++) {
      ConfigSpec.Route r = f.routes().get(i);
      routes.add(new Route(r.id() != null ? r.id() : "routes[" + i + "]", r.pathPrefix(), r.model(), r.experiment(),
          r.endpoint()));
    }
    RoutingTable table;
    try {
      table = new RoutingTable(version, routes, experiments, f.defaultEndpoint());
    } catch (IllegalArgumentException e) {
      errors.add(new ConfigError("", e.getMessage()));
      table = new RoutingTable(version, List.of(), List.of(), null);
    }
    return new VaneConfig(source, version, server, endpoints, table, state(f.state()), analysis,
        admin(f.admin(), f.configSource()), observability(f.observability()), timeseries(f.timeseries()),
        events(f.events()));
  }

  static ObservabilitySettings observability(ConfigSpec.Observability o) {
    return new ObservabilitySettings(
        new ObservabilitySettings.Metrics(o.metrics().enabled(), o.metrics().authenticate()),
        new ObservabilitySettings.Tracing(o.tracing().endpoint(), o.tracing().samplingRatio(),
            o.tracing().serviceName()),
        new ObservabilitySettings.Logs("json".equals(o.logs().format()), o.logs().accessLog(),
            o.logs().accessLogSampleRatio()));
  }

  /** The control plane's settings; a plain token is kept only as its SHA-256. */
  static AdminSettings admin(ConfigSpec.Admin a, String configSource) {
    AdminSettings.Auth auth = AdminSettings.Auth.NONE;
    JsonNode node = a.auth();
    if (node != null && node.isObject()) {
      List<AdminSettings.Token> tokens = new ArrayList<>();
      JsonNode ts = node.get("tokens");
      for (int i = 0; ts != null && i < ts.size(); i++) {
        ConfigSpec.Token t = bind((ObjectNode) ts.get(i), ConfigSpec.Token.class);
        byte[] sha = t.token() != null ? AdminSettings.sha256(t.token()) : HexFormat.of().parseHex(t.tokenSha256());
        EnumSet<AdminSettings.Role> roles = EnumSet.noneOf(AdminSettings.Role.class);
        t.roles().forEach(r -> roles.add(AdminSettings.Role.valueOf(r.toUpperCase(Locale.ROOT))));
        tokens.add(new AdminSettings.Token(t.name(), sha, roles));
      }
      AdminSettings.Jwt jwt = null;
      if (node.hasNonNull("jwt")) {
        // defaults inside a oneOf branch are not filled in by the schema pass
        ConfigSpec.Jwt j = bind(ConfigSchema.get().defaults("/properties/admin/properties/auth/else/properties/jwt",
            (ObjectNode) node.get("jwt").deepCopy()), ConfigSpec.Jwt.class);
        jwt = new AdminSettings.Jwt(j.publicKey(), j.publicKeyFile(), j.jwksUrl(), j.jwksRefresh(), j.algorithm(),
            j.issuer(), j.audience(), j.rolesClaim(), j.nameClaim());
      }
      auth = new AdminSettings.Auth(false, tokens, jwt);
    }
    return new AdminSettings(auth, a.history(), a.auditFile(), a.auditMaxEntries(), a.localCopy(),
        "redis".equals(configSource) ? AdminSettings.Source.REDIS : AdminSettings.Source.FILE);
  }

  static ServerSettings server(ConfigSpec.Server s) {
    ServerSettings.Transport transport = ServerSettings.Transport.AUTO;
    for (ServerSettings.Transport t : ServerSettings.Transport.values()) {
      if (t.id().equals(s.transport())) {
        transport = t;
      }
    }
    return new ServerSettings(s.host(), s.port(), s.maxBodyBytes(), s.variantHeaders(),
        new UnitIdSource(s.unitId().header(), s.unitId().cookie(), s.unitId().query()), s.overrideHeader(),
        s.allowOverride(), s.eventLoops(), s.reloadInterval(), transport,
        new ServerSettings.Limits(s.headerTimeout(), s.idleTimeout(), s.bodyTimeout(), s.maxConnections()),
        s.shutdownGrace(), tls(s.tls()),
        new ServerSettings.Admin(s.admin().host(), s.admin().port(), tls(s.admin().tls())));
  }

  private static ServerSettings.Tls tls(ConfigSpec.Tls t) {
    return t == null ? null : new ServerSettings.Tls(t.cert(), t.key());
  }

  static TimeSeriesSettings timeseries(ConfigSpec.TimeSeries t) {
    return new TimeSeriesSettings(t.minuteWindow(), t.retention());
  }

  /** The event sinks, each field it leaves out given its type's default (the retry buffer: the queue's size). */
  static EventSettings events(ConfigSpec.Events e) {
    List<EventSettings.Sink> sinks = new ArrayList<>();
    for (ConfigSpec.EventSink s : e.sinks()) {
      int retry = s.retryBuffer() != null ? s.retryBuffer() : e.queue();
      sinks.add("jsonl".equals(s.type())
          ? new EventSettings.Jsonl(s.dir(), s.maxBytes() != null ? s.maxBytes() : EventSettings.DEFAULT_MAX_BYTES,
              s.maxAge() != null ? s.maxAge() : EventSettings.DEFAULT_MAX_AGE, retry)
          : new EventSettings.RedisStream(s.maxLen() != null ? s.maxLen() : EventSettings.DEFAULT_MAX_LEN, retry));
    }
    return new EventSettings(e.queue(), e.batch(), e.flushInterval(), sinks);
  }

  static StateSettings state(ConfigSpec.State s) {
    String store = s.store() != null ? s.store() : s.redis() != null ? "redis" : "memory";
    StateSettings.Redis redis = s.redis() == null || !store.equals("redis") ? null : redis(s.redis());
    return new StateSettings(store, s.maxEntries(), s.ttl(), redis);
  }

  static StateSettings.Redis redis(ConfigSpec.Redis r) {
    return new StateSettings.Redis(r.uri(), r.cacheSize(), r.cacheStaleness(), r.commandTimeout(),
        r.maxPendingWrites(), r.flushInterval(), r.invalidations(), r.startupGrace());
  }

  /** Basis points of a percentage with at most two decimals (the schema's multipleOf 0.01). */
  static int bps(double percent) {
    return (int) Math.round(percent * 100);
  }

  private static Experiment experiment(ConfigSpec.Experiment x, Policy policy, String version,
      boolean allowOverride) {
    List<Arm> arms = new ArrayList<>();
    int explicit = 0;
    for (ConfigSpec.Variant v : list(x.variants())) {
      arms.add(new Arm(v.id(), Role.VARIANT, v.endpoint(), v.weight(), arms.size()));
      explicit += v.weight();
    }
    explicit += x.canary() == null ? 0 : bps(x.canary().percent());
    if (x.champion() != null) {
      arms.add(new Arm(x.champion().id(), Role.CHAMPION, x.champion().endpoint(), 10_000 - explicit, arms.size()));
    }
    if (x.canary() != null) {
      arms.add(new Arm(x.canary().id(), Role.CANARY, x.canary().endpoint(), bps(x.canary().percent()), arms.size()));
    }
    List<Shadow> shadows = new ArrayList<>();
    for (ConfigSpec.Shadow s : list(x.shadows())) {
      shadows.add(new Shadow(s.id() != null ? s.id() : s.endpoint(), s.endpoint(), bps(s.percent()), s.tolerance(),
          bps(s.comparePercent())));
    }
    Targeting targeting = Targeting.NONE;
    if (x.targeting() != null) {
      Map<String, List<String>> headers = new LinkedHashMap<>();
      if (x.targeting().headers() != null) {
        x.targeting().headers().forEach((name, v) -> {
          List<String> values = new ArrayList<>();
          if (v.isArray()) {
            v.forEach(e -> values.add(e.asText()));
          } else {
            values.add(v.asText());
          }
          headers.put(name, List.copyOf(values));
        });
      }
      targeting = new Targeting(headers, x.targeting().pathPrefix());
    }
    return new Experiment(x.id(), x.salt() != null ? x.salt() : x.id(), version, arms, shadows, bps(x.coverage()),
        x.sticky(), x.override() != null ? x.override() : allowOverride, x.fallbackToChampion(), targeting, policy, x.paused());
  }

  private static Analysis analysis(ConfigSpec.Experiment x, Policy policy) {
    List<Analysis.Metric> metrics = new ArrayList<>();
    for (ConfigSpec.Metric m : list(x.metrics())) {
      boolean binary = "binary".equals(m.kind());
      double min = m.min() != null ? m.min() : binary ? 0 : -Analysis.Metric.DEFAULT_BOUND;
      double max = m.max() != null ? m.max() : binary ? 1 : Analysis.Metric.DEFAULT_BOUND;
      metrics.add(new Analysis.Metric(m.name(), binary, "higher".equals(m.direction()), m.primary(), m.guardrail(),
          min, max));
    }
    List<Analysis.Slice> slices = new ArrayList<>();
    for (ConfigSpec.Slice s : list(x.slices())) {
      slices.add(new Analysis.Slice(s.name(), s.header(), s.bodyField(), s.maxValues()));
    }
    List<Analysis.Cross> crosses = new ArrayList<>();
    for (List<String> c : list(x.sliceCrosses())) {
      crosses.add(new Analysis.Cross(c.get(0), c.get(1)));
    }
    Analysis.Bandit bandit = null;
    ConfigSpec.Bandit b = x.bandit();
    if (b == null && policy == Policy.THOMPSON) {
      b = bind(ConfigSchema.get().defaults("/properties/experiments/items/properties/bandit",
          ConfigSpec.MAPPER.createObjectNode()), ConfigSpec.Bandit.class);
    }
    if (b != null) {
      bandit = new Analysis.Bandit(b.minExplorationPercent(), b.warmup(), b.refreshInterval(), b.topTwo(),
          b.priorAlpha(), b.priorBeta());
    }
    List<Analysis.ResponseMetric> responseMetrics = new ArrayList<>();
    for (ConfigSpec.ResponseMetric r : list(x.responseMetrics())) {
      responseMetrics.add(r.builtin() != null
          ? new Analysis.ResponseMetric(r.name(), null, null, Analysis.Builtin.of(r.builtin()), r.maxBodyBytes(),
              r.calibrates(), r.driftReference())
          : new Analysis.ResponseMetric(r.name(), r.pointer(), r.aggregate() == null ? Analysis.Aggregate.FIRST
              : Analysis.Aggregate.valueOf(r.aggregate().toUpperCase(Locale.ROOT)), null, r.maxBodyBytes(),
              r.calibrates(), r.driftReference()));
    }
    return new Analysis(metrics, slices, crosses, x.attributionWindow(), bandit, rollout(x.rollout()),
        responseMetrics);
  }

  private static Analysis.Rollout rollout(ConfigSpec.Rollout r) {
    if (r == null) {
      return null;
    }
    List<Analysis.Step> steps = new ArrayList<>();
    for (ConfigSpec.Step s : r.steps()) {
      steps.add(new Analysis.Step(s.percent(), s.minExposures(), s.minDuration()));
    }
    List<Analysis.Guardrail> guardrails = new ArrayList<>();
    boolean srm = false;
    for (ConfigSpec.Guardrail g : list(r.guardrails())) {
      if (g.srm() != null) {
        srm = true;
      } else {
        guardrails.add(new Analysis.Guardrail(g.metric(), g.margin()));
      }
    }
    ConfigSpec.ShadowFirst sf = r.shadowFirst();
    ConfigSpec.Webhooks w = r.webhooks();
    return new Analysis.Rollout(sf == null ? null : new Analysis.ShadowFirst(sf.minCompared(), sf.minAgreement(),
        sf.maxLatencyRatio()), steps, guardrails, srm, r.alpha(), r.analysisInterval(), r.maxStepDuration(),
        "rollback".equals(r.onInconclusive()), r.requireNonInferiority(),
        w == null ? null : new Analysis.Webhooks(w.confirmPromotion(), w.events(), w.secret(), w.timeout()));
  }

  /** A section of the schema's defaults, bound (for defaults outside any file: no file, no section). */
  static <T> T bind(ObjectNode node, Class<T> type) {
    try {
      return ConfigSpec.MAPPER.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the schema's defaults do not bind to " + type.getSimpleName(), e);
    }
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }
}

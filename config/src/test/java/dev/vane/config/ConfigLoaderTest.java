package dev.vane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vane.router.Experiment;
import dev.vane.router.Role;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
  private final ConfigLoader loader = new ConfigLoader(Map.of("VANE_ADMIN_TOKEN", "s3cret", "REDIS_PW", "pw")::get);

  static String full() throws Exception {
    try (InputStream in = ConfigLoaderTest.class.getResourceAsStream("/full.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static final String ENDPOINTS = """
      endpoints:
        - { id: a, url: "http://127.0.0.1:1" }
        - { id: b, url: "http://127.0.0.1:2" }
      """;

  @Test
  void theFullExampleLoadsWithEveryField() throws Exception {
    VaneConfig c = loader.parse(full(), "full.yaml");
    assertEquals("127.0.0.1", c.server().host());
    assertEquals(10L * 1024 * 1024, c.server().maxBodyBytes());
    assertEquals("vane_uid", c.server().unitId().cookie());
    assertEquals(ServerSettings.Transport.AUTO, c.server().transport());
    assertEquals(ServerSettings.Transport.IO_URING,
        loader.parse(ENDPOINTS + "server: { transport: io_uring }", "t.yaml").server().transport());
    assertEquals(ServerSettings.Transport.NIO,
        loader.parse(ENDPOINTS + "server: { transport: nio }", "t.yaml").server().transport());
    assertEquals(6, c.endpoints().size());
    assertEquals(Duration.ofMillis(500), c.endpoints().get("fraud-v1").connectTimeout());
    assertEquals("/base", c.endpoints().get("fraud-v3").basePath());
    Experiment canary = c.routing().experiment("fraud-canary");
    assertEquals(List.of("champion", "canary"), canary.arms().stream().map(a -> a.id()).toList());
    assertEquals(9500, canary.arms().get(0).weightBps());
    assertEquals(500, canary.arms().get(1).weightBps());
    assertEquals(Role.CANARY, canary.arms().get(1).role());
    assertEquals("fraud-2026-11", canary.salt());
    assertEquals(1, canary.shadows().size());
    assertEquals(1e-4, canary.shadows().get(0).tolerance());
    assertTrue(canary.fallbackToControl());
    Experiment abc = c.routing().experiment("ranker-abc");
    assertEquals(8000, abc.coverageBps());
    assertEquals("ranker-abc", abc.salt(), "salt defaults to the id");
    assertFalse(abc.overrideAllowed());
    assertEquals(List.of("eu", "uk"), abc.targeting().headers().get("X-Region"));
    assertEquals("fraud-v1", c.routing().defaultEndpoint());
    assertEquals("ranker", c.routing().resolve("/v1/chat/completions", "ranker").id());
    assertEquals(Duration.ofDays(30), c.state().ttl());
  }

  @Test
  void timeSeriesKeepADayOfMinutesAndTwoWeeksOfHoursUnlessConfigured() throws Exception {
    VaneConfig d = loader.parse(ENDPOINTS, "x");
    assertEquals(new TimeSeriesSettings(java.time.Duration.ofHours(24), java.time.Duration.ofDays(14)), d.timeseries());
    assertEquals(1440, d.timeseries().windowMinutes());
    assertEquals(336, d.timeseries().retentionHours());
    VaneConfig c = loader.parse(ENDPOINTS + "timeseries: { minuteWindow: 90m, retention: 2d }", "x");
    assertEquals(90, c.timeseries().windowMinutes());
    assertEquals(48, c.timeseries().retentionHours());
  }

  @Test
  void eventsAreOffUnlessSinksAreConfiguredAndEachSinkGetsItsTypesDefaults() throws Exception {
    EventSettings d = loader.parse(ENDPOINTS, "x").events();
    assertFalse(d.enabled());
    assertEquals(new EventSettings(65536, 1000, Duration.ofMillis(200), List.of()), d);
    EventSettings e = loader.parse(ENDPOINTS + "state: { redis: { uri: redis://127.0.0.1:6379 } }\n"
        + "events: { queue: 100, sinks: [ { type: redis-stream }, { type: jsonl, dir: /tmp/ev, maxBytes: 1MB, "
        + "maxAge: 10m, retryBuffer: 5 } ] }", "x").events();
    assertEquals(List.of(new EventSettings.RedisStream(1_000_000, 100),
        new EventSettings.Jsonl("/tmp/ev", 1 << 20, Duration.ofMinutes(10), 5)), e.sinks());
  }

  @Test
  void anEmptyDocumentNeedsEndpoints() {
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("", "x"));
    assertEquals("endpoints: missing (expected: a list)", e.errors().get(0).toString());
  }

  @Test
  void continuousMetricsTakeValuesWithinTheirDeclaredRangeOrOneTrillionEitherSide() throws Exception {
    VaneConfig c = loader.parse(ENDPOINTS + "experiments:\n  - { id: e, champion: { endpoint: a }, metrics: ["
        + " { name: revenue, kind: continuous }, { name: rating, kind: continuous, min: 1, max: 5 },"
        + " { name: click, kind: binary } ] }", "m.yaml");
    Analysis a = c.analysis("e");
    assertEquals(-1e12, a.metric("revenue").min());
    assertEquals(1e12, a.metric("revenue").max());
    assertTrue(a.metric("revenue").accepts(-1e12));
    assertFalse(a.metric("revenue").accepts(1.0000000001e12));
    assertFalse(a.metric("revenue").accepts(Double.NaN));
    assertTrue(a.metric("rating").accepts(5));
    assertFalse(a.metric("rating").accepts(0.999));
    assertEquals(0, a.metric("click").min());
    assertEquals(1, a.metric("click").max());
  }

  @Test
  void experimentVersionsChangeOnlyWhenTheExperimentChanges() throws Exception {
    VaneConfig a = loader.parse(full(), "a");
    VaneConfig b = loader.parse(full().replace("percent: 5 }", "percent: 20 }"), "b");
    assertNotEquals(a.version(), b.version());
    assertNotEquals(a.routing().experiment("fraud-canary").version(), b.routing().experiment("fraud-canary").version());
    assertEquals(a.routing().experiment("ranker-abc").version(), b.routing().experiment("ranker-abc").version());
  }

  @Test
  void pausedDefaultsToFalseAndIsReadPerExperiment() throws Exception {
    VaneConfig a = loader.parse(full(), "a");
    assertFalse(a.routing().experiment("fraud-canary").paused());
    VaneConfig b = loader.parse(full().replace("    fallbackToChampion: true\n",
        "    fallbackToChampion: true\n    paused: true\n"), "b");
    assertTrue(b.routing().experiment("fraud-canary").paused());
    assertFalse(b.routing().experiment("ranker-abc").paused());
  }

  @Test
  void pausingAndResumingKeepTheExperimentVersionSoFiguresContinue() throws Exception {
    VaneConfig live = loader.parse(full(), "a");
    VaneConfig paused = loader.parse(full().replace("    fallbackToChampion: true\n",
        "    fallbackToChampion: true\n    paused: true\n"), "b");
    VaneConfig resumed = loader.parse(full().replace("    fallbackToChampion: true\n",
        "    fallbackToChampion: true\n    paused: false\n"), "c");
    assertNotEquals(live.version(), paused.version(), "the config version changes");
    String v = live.routing().experiment("fraud-canary").version();
    assertEquals(v, paused.routing().experiment("fraud-canary").version());
    assertEquals(v, resumed.routing().experiment("fraud-canary").version());
  }

  @Test
  void environmentVariablesAreSubstitutedWithDefaults() throws Exception {
    String yaml = ENDPOINTS + """
        state:
          redis: { uri: "redis://:${REDIS_PW}@127.0.0.1:6379/0", commandTimeout: ${TIMEOUT:-25ms} }
        """;
    VaneConfig c = loader.parse(yaml, "x");
    assertEquals("redis://:pw@127.0.0.1:6379/0", c.state().redis().uri());
    assertEquals(Duration.ofMillis(25), c.state().redis().commandTimeout());
    assertTrue(c.state().isRedis(), "a redis section implies store: redis");
    assertTrue(c.state().redis().invalidations(), "invalidations on by default");
    assertEquals(Duration.ofHours(1), c.state().redis().cacheStaleness());
    assertNull(loader.parse(ENDPOINTS, "x").state().redis());
    assertFalse(loader.parse(ENDPOINTS + "state: { redis: { uri: \"redis://h:1\", invalidations: false } }", "x")
        .state().redis().invalidations());
    assertEquals(Duration.ofSeconds(10), c.state().redis().startupGrace(), "startupGrace defaults to 10s");
    assertEquals(Duration.ZERO, loader.parse(ENDPOINTS + "state: { redis: { uri: \"redis://h:1\", startupGrace: 0s } }",
        "x").state().redis().startupGrace());
    ConfigException tooLong = assertThrows(ConfigException.class, () -> loader.parse(ENDPOINTS
        + "state: { redis: { uri: \"redis://h:1\", startupGrace: 2h } }", "x"));
    assertTrue(tooLong.getMessage().contains("state.redis.startupGrace: 2h (expected: 0..1h)"), tooLong.getMessage());
  }

  @Test
  void valuesAtTheEdgesOfTheirRangesAreAccepted() throws Exception {
    VaneConfig c = loader.parse("""
        server: { port: 65535, maxBodyBytes: 2147483647, reloadInterval: 0, shutdownGrace: 1h, headerTimeout: 1d }
        endpoints:
          - { id: a, url: "http://admin:s3cret@127.0.0.1:65535/v1", timeout: 1d, connectTimeout: 1.5s }
          - { id: b, url: "https://[::1]:1/", timeout: 86400000 }
        state:
          ttl: 3650d
          redis: { uri: "rediss://:pw@cache.internal:6380/15", commandTimeout: 1h, cacheStaleness: 0.5ms }
        """, "edges.yaml");
    assertEquals(65535, c.server().port());
    assertEquals(Integer.MAX_VALUE, c.server().maxBodyBytes());
    assertEquals(Duration.ofDays(1), c.endpoints().get("a").timeout());
    assertEquals(Duration.ofMillis(1500), c.endpoints().get("a").connectTimeout());
    assertEquals(Duration.ofDays(1), c.endpoints().get("b").timeout());
    assertEquals("::1", c.endpoints().get("b").host().replace("[", "").replace("]", ""));
    assertEquals(Duration.ofDays(3650), c.state().ttl());
    assertEquals(Duration.ofMillis(1), c.state().redis().cacheStaleness(), "half a millisecond rounds up");
    assertEquals("http://admin:***@127.0.0.1:65535/v1", c.endpoints().get("a").displayUrl());
    assertFalse(c.endpoints().get("a").toString().contains("s3cret"), c.endpoints().get("a").toString());
    assertFalse(c.state().redis().toString().contains(":pw@"), c.state().redis().toString());
    assertEquals("redis-socket:///run/redis.sock", loader.parse(ENDPOINTS
        + "state: { redis: { uri: \"redis-socket:///run/redis.sock\" } }", "x").state().redis().uri());
  }

  @Test
  void sentinelAndClusterUrisAreAccepted() throws Exception {
    for (String uri : new String[] {"redis-sentinel://s1:26379,s2:26380,[::1]:26381/2#mymaster",
        "rediss-sentinel://user:pw@sentinel.internal#main", "redis-cluster://a:7000,b:7001,c",
        "rediss-cluster://default:pw@10.0.0.1:6380/0"}) {
      VaneConfig c = loader.parse(ENDPOINTS + "state: { redis: { uri: \"" + uri + "\" } }", "x");
      assertEquals(uri, c.state().redis().uri());
      assertFalse(c.state().redis().toString().contains("pw@"), c.state().redis().toString());
    }
  }

  @Test
  void aUtf8ByteOrderMarkIsSkipped() throws Exception {
    byte[] text = ENDPOINTS.getBytes(StandardCharsets.UTF_8);
    byte[] withBom = new byte[text.length + 3];
    withBom[0] = (byte) 0xEF;
    withBom[1] = (byte) 0xBB;
    withBom[2] = (byte) 0xBF;
    System.arraycopy(text, 0, withBom, 3, text.length);
    assertEquals(loader.parse(text, "a").version(), loader.parse(withBom, "b").version());
    assertEquals(loader.parse(ENDPOINTS, "a").version(), loader.parse(text, "b").version());
  }

  @Test
  void anUnexpectedExceptionInTheLoaderBecomesAConfigErrorWithoutItsMessage() {
    ConfigLoader broken = new ConfigLoader(name -> {
      throw new IllegalStateException("environment unavailable: hunter2");
    });
    ConfigException e = assertThrows(ConfigException.class,
        () -> broken.parse(ENDPOINTS + "server: { host: ${HOST} }", "x.yaml"));
    assertEquals(List.of(new ConfigError("",
        "cannot load the config: unexpected IllegalStateException in the loader (a bug in Vane: see the log)")),
        e.errors());
    assertFalse(e.getMessage().contains("hunter2"));
  }

  @Test
  void substitutedValuesNeverAppearInErrors() {
    // values of four characters and more are hidden; shorter ones (ONE) are no secret and stay readable
    ConfigLoader withEnv = new ConfigLoader(Map.of("PW", "hunter2", "PORT", "99999", "ONE", "1")::get);
    ConfigException e = assertThrows(ConfigException.class, () -> withEnv.parse("""
        server: { port: ${PORT}, eventLoops: ${ONE}000 }
        endpoints:
          - { id: a, url: "ftp://admin:${PW}@h/x" }
          - { id: "b${PW}c d", url: "http://h:1" }
        """, "x.yaml"));
    List<String> msgs = e.errors().stream().map(ConfigError::toString).toList();
    assertEquals(List.of("server.port: ${PORT} (expected: 0..65535)",
        "server.eventLoops: 1000 (expected: 0..256)",
        "endpoints[0].url: \"ftp://admin:***@h/x\" (expected: an http:// or https:// URL)",
        "endpoints[1].id: \"b${PW}c d\" (expected: 1..64 of letters, digits, '.', '_', '-')"), msgs);
  }

  @Test
  void everyErrorIsReportedAtOnce() {
    String yaml = ENDPOINTS + """
        experiments:
          - id: e1
            champion: { endpoint: nope }
            canary: { endpoint: b, percent: 140 }
            colour: blue
        server: { port: 70000 }
        """;
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parse(yaml, "x"));
    List<String> msgs = e.errors().stream().map(ConfigError::toString).toList();
    assertEquals(4, msgs.size(), msgs.toString());
    assertTrue(msgs.contains("server.port: 70000 (expected: 0..65535)"), msgs.toString());
    assertTrue(msgs.contains("experiments[0].canary.percent: 140 (expected: 0..100)"), msgs.toString());
    assertTrue(e.getMessage().contains("4 error(s)"));
  }

  @Test
  void anInvalidExperimentGivesTheRoutesThatNameItNoSecondError() {
    String yaml = ENDPOINTS + """
        experiments:
          - { id: rb, champion: { endpoint: a }, canary: { endpoint: b, percent: 140 } }
        routes:
          - { pathPrefix: /x, experiment: rb }
        """;
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parse(yaml, "x"));
    assertEquals(List.of("experiments[0].canary.percent: 140 (expected: 0..100)"),
        e.errors().stream().map(ConfigError::toString).toList());
  }

  @Test
  void anEndpointWithABadUrlIsStillDeclaredForTheArmsThatNameIt() {
    String yaml = """
        endpoints:
          - { id: a, url: "http://h:70000" }
        experiments:
          - { id: e, champion: { endpoint: a } }
        """;
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parse(yaml, "x"));
    assertEquals(List.of("endpoints[0].url: \"http://h:70000\" (expected: a port 1..65535, not 70000)"),
        e.errors().stream().map(ConfigError::toString).toList());
  }

  static Stream<Arguments> invalidConfigs() {
    String exp = ENDPOINTS + "experiments:\n";
    return Stream.of(
        Arguments.of("canary percent over 100",
            exp + "  - { id: e, champion: { endpoint: a }, canary: { endpoint: b, percent: 140 } }",
            "experiments[0].canary.percent: 140 (expected: 0..100)"),
        Arguments.of("negative canary percent",
            exp + "  - { id: e, champion: { endpoint: a }, canary: { endpoint: b, percent: -1 } }",
            "experiments[0].canary.percent: -1 (expected: 0..100)"),
        Arguments.of("canary percent finer than a basis point",
            exp + "  - { id: e, champion: { endpoint: a }, canary: { endpoint: b, percent: 0.125 } }",
            "experiments[0].canary.percent: 0.125 (expected: at most two decimals, i.e. whole basis points)"),
        Arguments.of("variant weights not summing to 100%",
            exp + "  - { id: e, variants: [ { id: x, endpoint: a, weight: 5000 }, { id: y, endpoint: b, weight: 4000 } ] }",
            "experiments[0].variants: weights sum to 9000 bps (expected: 10000, i.e. 100%)"),
        Arguments.of("variants and canary over 100% with a champion",
            exp + "  - { id: e, champion: { endpoint: a }, canary: { endpoint: b, percent: 60 }, variants: [ { id: x, endpoint: a, weight: 5000 } ] }",
            "experiments[0]: variant and canary weights sum to 11000 bps (expected: at most 10000, the champion gets the remainder)"),
        Arguments.of("variant weight out of range",
            exp + "  - { id: e, variants: [ { id: x, endpoint: a, weight: 10001 } ] }",
            "experiments[0].variants[0].weight: 10001 (expected: 0..10000)"),
        Arguments.of("variant without weight",
            exp + "  - { id: e, variants: [ { id: x, endpoint: a } ] }",
            "experiments[0].variants[0].weight: missing (expected: an integer 0..10000)"),
        Arguments.of("unknown endpoint in an arm",
            exp + "  - { id: e, champion: { endpoint: zzz } }",
            "experiments[0].champion.endpoint: \"zzz\" (expected: one of the endpoints [a, b])"),
        Arguments.of("unknown endpoint in a shadow",
            exp + "  - { id: e, champion: { endpoint: a }, shadows: [ { endpoint: q } ] }",
            "experiments[0].shadows[0].endpoint: \"q\" (expected: one of the endpoints [a, b])"),
        Arguments.of("duplicate experiment ids",
            exp + "  - { id: e, champion: { endpoint: a } }\n  - { id: e, champion: { endpoint: b } }",
            "experiments[1].id: \"e\" (expected: unique; already used by another experiment)"),
        Arguments.of("duplicate endpoint ids",
            "endpoints:\n  - { id: a, url: \"http://h:1\" }\n  - { id: a, url: \"http://h:2\" }",
            "endpoints[1].id: \"a\" (expected: unique; already used by another endpoint)"),
        Arguments.of("duplicate arm ids",
            exp + "  - { id: e, variants: [ { id: x, endpoint: a, weight: 5000 }, { id: x, endpoint: b, weight: 5000 } ] }",
            "experiments[0].variants[1].id: \"x\" (expected: unique among the experiment's arms)"),
        Arguments.of("url that does not parse",
            "endpoints:\n  - { id: a, url: \"http://bad host:1\" }",
            "endpoints[0].url: \"http://bad host:1\" (expected: a URL: Illegal character in authority at index 7)"),
        Arguments.of("url with another scheme",
            "endpoints:\n  - { id: a, url: \"ftp://h/x\" }",
            "endpoints[0].url: \"ftp://h/x\" (expected: an http:// or https:// URL)"),
        Arguments.of("unknown top-level field",
            ENDPOINTS + "colour: blue",
            "colour: unknown field (expected one of: server, admin, observability, configSource, endpoints, experiments, routes, defaultEndpoint, state, timeseries, events, version)"),
        Arguments.of("unknown experiment field",
            exp + "  - { id: e, champion: { endpoint: a }, weight: 3 }",
            "experiments[0].weight: unknown field (expected one of: id, salt, sticky, coverage, override, fallbackToChampion, paused, policy, metrics, slices, sliceCrosses, responseMetrics, attributionWindow, rollout, bandit, variants, champion, canary, shadows, targeting)"),
        Arguments.of("route to an unknown experiment",
            ENDPOINTS + "routes:\n  - { pathPrefix: /x, experiment: nope }",
            "routes[0].experiment: \"nope\" (expected: one of the experiments [])"),
        Arguments.of("route with both prefix and model",
            ENDPOINTS + "routes:\n  - { pathPrefix: /x, model: m, endpoint: a }",
            "routes[0]: both pathPrefix and model (expected: exactly one of pathPrefix or model)"),
        Arguments.of("route prefix without slash",
            ENDPOINTS + "routes:\n  - { pathPrefix: x, endpoint: a }",
            "routes[0].pathPrefix: \"x\" (expected: starts with /)"),
        Arguments.of("unknown default endpoint",
            ENDPOINTS + "defaultEndpoint: c",
            "defaultEndpoint: \"c\" (expected: one of the endpoints [a, b])"),
        Arguments.of("bad duration",
            "endpoints:\n  - { id: a, url: \"http://h:1\", timeout: soon }",
            "endpoints[0].timeout: \"soon\" (expected: a duration such as 500ms, 2s, 5m, 1h, 30d)"),
        Arguments.of("bad size",
            ENDPOINTS + "server: { maxBodyBytes: lots }",
            "server.maxBodyBytes: \"lots\" (expected: a size such as 1048576, 512KB, 10MB)"),
        Arguments.of("port out of range",
            ENDPOINTS + "server: { port: 70000 }",
            "server.port: 70000 (expected: 0..65535)"),
        Arguments.of("port not a number",
            ENDPOINTS + "server: { port: eighty }",
            "server.port: \"eighty\" (expected: an integer 0..65535)"),
        Arguments.of("unknown policy",
            exp + "  - { id: e, champion: { endpoint: a }, policy: ucb }",
            "experiments[0].policy: \"ucb\" (expected: one of hash, thompson)"),
        Arguments.of("canary without champion",
            exp + "  - { id: e, canary: { endpoint: b, percent: 5 }, variants: [ { id: x, endpoint: a, weight: 10000 } ] }",
            "experiments[0].canary: a canary needs a champion to take its share from (expected: champion)"),
        Arguments.of("experiment without arms",
            exp + "  - { id: e }",
            "experiments[0]: no arms (expected: a champion, or variants with weights)"),
        Arguments.of("bad experiment id",
            exp + "  - { id: \"has space\", champion: { endpoint: a } }",
            "experiments[0].id: \"has space\" (expected: 1..64 of letters, digits, '.', '_', '-')"),
        Arguments.of("coverage over 100",
            exp + "  - { id: e, champion: { endpoint: a }, coverage: 101 }",
            "experiments[0].coverage: 101 (expected: 0..100)"),
        Arguments.of("negative shadow tolerance",
            exp + "  - { id: e, champion: { endpoint: a }, shadows: [ { endpoint: b, tolerance: -1 } ] }",
            "experiments[0].shadows[0].tolerance: -1 (expected: 0..1.7976931348623157E308)"),
        Arguments.of("unknown state store",
            ENDPOINTS + "state: { store: etcd }",
            "state.store: \"etcd\" (expected: one of memory, redis)"),
        Arguments.of("redis store without redis section",
            ENDPOINTS + "state: { store: redis }",
            "state.redis: missing (expected: a redis section with uri when store is redis)"),
        Arguments.of("redis uri with another scheme",
            ENDPOINTS + "state: { redis: { uri: \"http://user:pw@h:1\" } }",
            "state.redis.uri: \"http://user:***@h:1\" (expected: redis://, rediss://, redis-socket://, "
                + "redis[s]-sentinel:// or redis[s]-cluster://)"),
        Arguments.of("redis cluster uri with a database",
            ENDPOINTS + "state: { redis: { uri: \"redis-cluster://:pw@h:1,h:2/3\" } }",
            "state.redis.uri: \"redis-cluster://:***@h:1,h:2/3\" (expected: no database but /0 (a Redis Cluster has "
                + "only database 0))"),
        Arguments.of("redis cluster uri with a bad port",
            ENDPOINTS + "state: { redis: { uri: \"rediss-cluster://h:1,h:70000\" } }",
            "state.redis.uri: \"rediss-cluster://h:1,h:70000\" (expected: a port 1..65535, not 70000)"),
        Arguments.of("redis cluster uri with an empty seed",
            ENDPOINTS + "state: { redis: { uri: \"redis-cluster://h:1,,h:2\" } }",
            "state.redis.uri: \"redis-cluster://h:1,,h:2\" (expected: seed nodes as host[:port],... (a host, a port "
                + "1..65535))"),
        Arguments.of("redis sentinel uri without a master name",
            ENDPOINTS + "state: { redis: { uri: \"redis-sentinel://user:pw@s1:26379,s2:26379/0\" } }",
            "state.redis.uri: \"redis-sentinel://user:***@s1:26379,s2:26379/0\" (expected: the master's name as the "
                + "fragment (#mymaster))"),
        Arguments.of("unset environment variable",
            ENDPOINTS + "server: { host: ${NOT_SET} }",
            "line 4: environment variable NOT_SET is not set (use ${NOT_SET:-default} for a default)"),
        Arguments.of("invalid YAML",
            ENDPOINTS + "server: { port: [ }",
            "line 4, column 18: invalid YAML: "),
        Arguments.of("duplicate YAML keys",
            ENDPOINTS + "server: { port: 1, port: 2 }",
            "line 4, column 24: invalid YAML: Duplicate field 'port'"),
        Arguments.of("targeting header not a value",
            exp + "  - { id: e, champion: { endpoint: a }, targeting: { headers: { X-R: { a: b } } } }",
            "experiments[0].targeting.headers.X-R: a mapping (expected: a value or a list of values)"),
        Arguments.of("unknown metric kind",
            exp + "  - { id: e, champion: { endpoint: a }, metrics: [ { name: m, kind: ratio } ] }",
            "experiments[0].metrics[0].kind: \"ratio\" (expected: one of binary, continuous)"),
        Arguments.of("two primary metrics",
            exp + "  - { id: e, champion: { endpoint: a }, metrics: [ { name: m, kind: binary, primary: true }, { name: n, kind: binary, primary: true } ] }",
            "experiments[0].metrics[1].primary: true (expected: at most one primary metric per experiment)"),
        Arguments.of("built-in metric name",
            exp + "  - { id: e, champion: { endpoint: a }, metrics: [ { name: latency, kind: continuous } ] }",
            "experiments[0].metrics[0].name: \"latency\" (expected: not a built-in metric name: latency, error_rate)"),
        Arguments.of("metric min above max",
            exp + "  - { id: e, champion: { endpoint: a }, metrics: [ { name: m, kind: continuous, min: 5, max: 1 } ] }",
            "experiments[0].metrics[0].max: 1 (expected: >= min 5)"),
        Arguments.of("metric bound beyond 1e15",
            exp + "  - { id: e, champion: { endpoint: a }, metrics: [ { name: m, kind: continuous, max: 1e16 } ] }",
            "experiments[0].metrics[0].max: 1.0E16 (expected: -1.0E15..1.0E15)"),
        Arguments.of("metric bound not a number",
            exp + "  - { id: e, champion: { endpoint: a }, metrics: [ { name: m, kind: continuous, min: low } ] }",
            "experiments[0].metrics[0].min: "),
        Arguments.of("metric bound on a binary metric",
            exp + "  - { id: e, champion: { endpoint: a }, metrics: [ { name: m, kind: binary, max: 10 } ] }",
            "experiments[0].metrics[0].max: 10 (expected: no min/max on a binary metric, its values are 0 or 1)"),
        Arguments.of("thompson without metrics",
            exp + "  - { id: e, policy: thompson, variants: [ { id: x, endpoint: a, weight: 5000 }, { id: y, endpoint: b, weight: 5000 } ] }",
            "experiments[0].metrics: missing (expected: a primary metric for policy: thompson to learn from)"),
        Arguments.of("bandit settings without thompson",
            exp + "  - { id: e, champion: { endpoint: a }, bandit: { warmup: 10 } }",
            "experiments[0].bandit: a mapping (expected: only with policy: thompson)"),
        Arguments.of("slice with header and body field",
            exp + "  - { id: e, champion: { endpoint: a }, slices: [ { name: r, header: X-R, bodyField: r } ] }",
            "experiments[0].slices[0]: both header and bodyField (expected: exactly one of header or bodyField)"),
        Arguments.of("slice cross naming an undeclared slice",
            exp + "  - { id: e, champion: { endpoint: a }, slices: [ { name: country, header: X-C }, { name: device, header: X-D } ], sliceCrosses: [ [country, os] ] }",
            "experiments[0].sliceCrosses[0][1]: \"os\" (expected: one of the experiment's slices [country, device])"),
        Arguments.of("slice crossed with itself",
            exp + "  - { id: e, champion: { endpoint: a }, slices: [ { name: country, header: X-C } ], sliceCrosses: [ [country, country] ] }",
            "experiments[0].sliceCrosses[0][1]: \"country\" (expected: a slice other than the first of the pair)"),
        Arguments.of("slice pair crossed twice",
            exp + "  - { id: e, champion: { endpoint: a }, slices: [ { name: country, header: X-C }, { name: device, header: X-D } ], sliceCrosses: [ [country, device], [device, country] ] }",
            "experiments[0].sliceCrosses[1]: [device, country] (expected: each pair of slices crossed once)"),
        Arguments.of("slice cross of three",
            exp + "  - { id: e, champion: { endpoint: a }, slices: [ { name: country, header: X-C }, { name: device, header: X-D } ], sliceCrosses: [ [country, device, country] ] }",
            "experiments[0].sliceCrosses[0]: "),
        Arguments.of("unknown transport",
            ENDPOINTS + "server: { transport: kqueue }",
            "server.transport: \"kqueue\" (expected: one of auto, epoll, io_uring, nio)"),
        Arguments.of("empty unit id source",
            ENDPOINTS + "server: { unitId: {} }",
            "server.unitId: {} (expected: at least one of header, cookie, query)"),
        Arguments.of("time-series retention shorter than the minute window",
            ENDPOINTS + "timeseries: { minuteWindow: 2d, retention: 24h }",
            "timeseries.retention: 24h (expected: at least timeseries.minuteWindow, 2d: hours are kept at least as "
                + "long as minutes)"),
        Arguments.of("time-series retention in part hours",
            ENDPOINTS + "timeseries: { retention: 90m }",
            "timeseries.retention: 90m (expected: whole hours, such as 36h or 14d)"),
        Arguments.of("time-series minute window in part minutes",
            ENDPOINTS + "timeseries: { minuteWindow: 90s }",
            "timeseries.minuteWindow: 90s (expected: whole minutes, such as 90m)"),
        Arguments.of("jsonl sink without a directory",
            ENDPOINTS + "events: { sinks: [ { type: jsonl } ] }",
            "events.sinks[0].dir: missing (expected: the directory of a jsonl sink's files)"),
        Arguments.of("redis-stream sink without state.redis",
            ENDPOINTS + "events: { sinks: [ { type: redis-stream } ] }",
            "events.sinks[0].type: redis-stream without state.redis (expected: a state.redis section, whose Redis "
                + "holds the streams)"),
        Arguments.of("file settings on a redis-stream sink",
            ENDPOINTS + "state: { redis: { uri: redis://h:1 } }\nevents: { sinks: [ { type: redis-stream, dir: x } ] }",
            "events.sinks[0].dir: x (expected: only with type: jsonl)"),
        Arguments.of("maxLen on a jsonl sink",
            ENDPOINTS + "events: { sinks: [ { type: jsonl, dir: x, maxLen: 5 } ] }",
            "events.sinks[0].maxLen: 5 (expected: only with type: redis-stream)"),
        Arguments.of("unknown sink type",
            ENDPOINTS + "events: { sinks: [ { type: kafka } ] }",
            "events.sinks[0].type: \"kafka\" (expected: one of redis-stream, jsonl)"),
        Arguments.of("empty queue",
            ENDPOINTS + "events: { queue: 0 }",
            "events.queue: 0 (expected: "),
        Arguments.of("time-series minute window beyond a week",
            ENDPOINTS + "timeseries: { minuteWindow: 8d }",
            "timeseries.minuteWindow: "));
  }

  @Test
  void sliceCrossesNameTwoDeclaredSlicesAndReadAsOneDimension() throws Exception {
    VaneConfig c = loader.parse(ENDPOINTS + """
        experiments:
          - id: e
            champion: { endpoint: a }
            slices: [ { name: country, header: X-C, maxValues: 3 }, { name: device, header: X-D } ]
            sliceCrosses: [ [country, device] ]
        """, "c.yaml");
    Analysis a = c.analysis("e");
    assertEquals(List.of(new Analysis.Cross("country", "device")), a.sliceCrosses());
    assertEquals("country+device", a.sliceCrosses().get(0).name());
    assertEquals(1, a.sliceIndex("device"));
    assertEquals(List.of(), loader.parse(ENDPOINTS + "experiments:\n  - { id: e, champion: { endpoint: a } }\n",
        "n.yaml").analysis("e").sliceCrosses());
  }

  @Test
  void responseMetricsAndPricesAreReadWithTheirDefaults() throws Exception {
    VaneConfig c = loader.parse("""
        endpoints:
          - { id: a, url: "http://127.0.0.1:1", price: { promptPer1k: 0.5, completionPer1k: 1.5 } }
          - { id: b, url: "http://127.0.0.1:2", streamUsage: leave }
        experiments:
          - id: e
            champion: { endpoint: a }
            metrics: [ { name: converted, kind: binary } ]
            responseMetrics:
              - { name: score, pointer: /outputs/0/data, calibrates: converted }
              - { name: label, pointer: /outputs/0/data, aggregate: argmax, maxBodyBytes: 64KB }
              - { name: tokens_out, builtin: usage.completion_tokens }
              - { name: ttft, builtin: ttft }
        """, "c.yaml");
    Analysis a = c.analysis("e");
    assertEquals(List.of(
        new Analysis.ResponseMetric("score", "/outputs/0/data", Analysis.Aggregate.FIRST, null, 1 << 20, "converted"),
        new Analysis.ResponseMetric("label", "/outputs/0/data", Analysis.Aggregate.ARGMAX, null, 64 << 10),
        new Analysis.ResponseMetric("tokens_out", null, null, Analysis.Builtin.COMPLETION_TOKENS, 1 << 20),
        new Analysis.ResponseMetric("ttft", null, null, Analysis.Builtin.TTFT, 1 << 20)), a.responseMetrics());
    assertEquals(new EndpointSettings.Price(0.5, 1.5), c.endpoints().get("a").price());
    assertEquals(null, c.endpoints().get("b").price());
    assertTrue(c.endpoints().get("a").askStreamUsage(), "streamUsage: ask by default");
    assertFalse(c.endpoints().get("b").askStreamUsage());
    assertEquals(List.of(), loader.parse(ENDPOINTS + "experiments:\n  - { id: e, champion: { endpoint: a } }\n",
        "n.yaml").analysis("e").responseMetrics());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidConfigs")
  void invalidConfigsAreRejectedWithPathAndReason(String name, String yaml, String expected) {
    try {
      loader.parse(yaml, "bad.yaml");
      fail("accepted: " + name);
    } catch (ConfigException e) {
      List<String> msgs = e.errors().stream().map(ConfigError::toString).toList();
      assertTrue(msgs.stream().anyMatch(m -> m.equals(expected) || (expected.endsWith(": ") && m.startsWith(expected))),
          name + ": expected " + expected + " in " + msgs);
    }
  }
}

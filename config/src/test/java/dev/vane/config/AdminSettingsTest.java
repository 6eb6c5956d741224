package dev.vane.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AdminSettingsTest {
  private static final String E = "endpoints: [ { id: a, url: \"http://127.0.0.1:9001\" } ]\n";

  @Test
  void withoutAnAdminSectionTheListenerIsOnLoopback9090WithoutAuthAndTheFileIsTheSource() throws Exception {
    VaneConfig cfg = new ConfigLoader().parse(E, "t");
    assertEquals("127.0.0.1", cfg.server().admin().host());
    assertEquals(9090, cfg.server().admin().port());
    assertNull(cfg.server().admin().tls());
    assertNull(cfg.server().tls());
    assertTrue(cfg.admin().auth().none());
    assertEquals(AdminSettings.Source.FILE, cfg.admin().source());
    assertEquals(100, cfg.admin().history());
  }

  @Test
  void plainTokensAreKeptOnlyAsTheirHashAndRolesAreRead() throws Exception {
    String sha = HexFormat.of().formatHex(AdminSettings.sha256("another-long-secret"));
    VaneConfig cfg = new ConfigLoader(Map.of("OPS_TOKEN", "a-long-enough-secret")::get).parse("""
        server: { admin: { host: 0.0.0.0, port: 9191, tls: { cert: c.pem, key: k.pem } } }
        admin:
          auth:
            tokens:
              - { name: ops, token: "${OPS_TOKEN}", roles: [operator, feedback] }
              - { name: ci, tokenSha256: %s, roles: [admin] }
        """.formatted(sha) + E, "t");
    AdminSettings.Auth auth = cfg.admin().auth();
    assertFalse(auth.none());
    assertEquals("ops", auth.tokens().get(0).name());
    assertArrayEquals(AdminSettings.sha256("a-long-enough-secret"), auth.tokens().get(0).sha256());
    assertEquals(Set.of(AdminSettings.Role.OPERATOR, AdminSettings.Role.FEEDBACK), auth.tokens().get(0).roles());
    assertArrayEquals(AdminSettings.sha256("another-long-secret"), auth.tokens().get(1).sha256());
    assertFalse(auth.tokens().toString().contains("a-long-enough-secret"));
    assertEquals(new ServerSettings.Tls("c.pem", "k.pem"), cfg.server().admin().tls());
  }

  @Test
  void jwtSettingsGetTheirDefaults() throws Exception {
    VaneConfig cfg = new ConfigLoader().parse("""
        admin: { auth: { jwt: { jwksUrl: "https://idp.example/jwks.json", issuer: idp } } }
        """ + E, "t");
    AdminSettings.Jwt jwt = cfg.admin().auth().jwt();
    assertEquals("https://idp.example/jwks.json", jwt.jwksUrl());
    assertEquals(Duration.ofMinutes(5), jwt.jwksRefresh());
    assertEquals("RS256", jwt.algorithm());
    assertEquals("roles", jwt.rolesClaim());
    assertEquals("sub", jwt.nameClaim());
  }

  @Test
  void adminGrantsEverythingOperatorGrantsViewingAndFeedbackOnlyFeedback() {
    for (AdminSettings.Role r : AdminSettings.Role.values()) {
      assertTrue(AdminSettings.Role.ADMIN.grants(r));
    }
    assertTrue(AdminSettings.Role.OPERATOR.grants(AdminSettings.Role.VIEWER));
    assertFalse(AdminSettings.Role.OPERATOR.grants(AdminSettings.Role.ADMIN));
    assertFalse(AdminSettings.Role.OPERATOR.grants(AdminSettings.Role.FEEDBACK));
    assertFalse(AdminSettings.Role.VIEWER.grants(AdminSettings.Role.OPERATOR));
    assertFalse(AdminSettings.Role.FEEDBACK.grants(AdminSettings.Role.VIEWER));
  }

  @Test
  void loopbackHostsAreTheOnesWithoutAuthentication() {
    for (String h : new String[] {"127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"}) {
      assertTrue(ServerSettings.loopback(h), h);
    }
    for (String h : new String[] {"0.0.0.0", "10.0.0.1", "::", "example.com", "128.0.0.1"}) {
      assertFalse(ServerSettings.loopback(h), h);
    }
  }

  @Test
  void aLayeredConfigTakesRoutingFromTheDocumentAndTheRestFromTheBootstrap() throws Exception {
    String bootstrap = """
        server: { port: 8181 }
        configSource: redis
        state: { redis: { uri: "redis://127.0.0.1:6379" } }
        endpoints: [ { id: seed, url: "http://127.0.0.1:9009" } ]
        """;
    VaneConfig cfg = new ConfigLoader().parseLayered(bootstrap, E, "redis v3");
    assertEquals(8181, cfg.server().port());
    assertEquals(Set.of("a"), cfg.endpoints().keySet());
    assertEquals(AdminSettings.Source.REDIS, cfg.admin().source());
    ConfigException e = assertThrows(ConfigException.class,
        () -> new ConfigLoader().parseLayered(bootstrap, "server: { port: 1 }\n" + E, "redis v4"));
    assertEquals("server: set in the bootstrap file, not in the versioned config (expected: only endpoints, routes, "
        + "experiments, defaultEndpoint, version)", e.errors().get(0).toString());
    e = assertThrows(ConfigException.class, () -> new ConfigLoader().parseLayered(bootstrap,
        "endpoints: [ { id: a, url: \"ftp://x\" } ]\n", "redis v4"));
    assertEquals("endpoints[0].url", e.errors().get(0).path());
  }

  @Test
  void aRolloutIsReadWithItsDefaults() throws Exception {
    VaneConfig cfg = new ConfigLoader().parse("""
        endpoints: [ { id: a, url: "http://127.0.0.1:9001" }, { id: b, url: "http://127.0.0.1:9002" } ]
        experiments:
          - id: e
            champion: { endpoint: a }
            canary: { endpoint: b, percent: 0 }
            shadows: [ { endpoint: b } ]
            metrics: [ { name: complaints, kind: binary, direction: lower, guardrail: true } ]
            rollout:
              shadowFirst: { minCompared: 100 }
              steps: [ { percent: 5, minExposures: 2000, minDuration: 10m }, { percent: 100 } ]
              guardrails: [ { metric: errorRate, margin: 0.2 }, { metric: latency, margin: 0.1 },
                            { metric: complaints }, { srm: true } ]
              onInconclusive: rollback
              webhooks: { events: "http://127.0.0.1:9999/events", secret: "0123456789abcdef0123" }
        """, "t");
    Analysis.Rollout r = cfg.analysis("e").rollout();
    assertEquals(new Analysis.ShadowFirst(100, 0.99, 1.5), r.shadowFirst());
    assertEquals(List.of(new Analysis.Step(5, 2000, Duration.ofMinutes(10)), new Analysis.Step(100, 0, Duration.ZERO)),
        r.steps());
    assertEquals(List.of(new Analysis.Guardrail("errorRate", 0.2), new Analysis.Guardrail("latency", 0.1),
        new Analysis.Guardrail("complaints", 0.0)), r.guardrails());
    assertTrue(r.srm());
    assertEquals(0.05, r.alpha());
    assertEquals(Duration.ofSeconds(30), r.analysisInterval());
    assertEquals(Duration.ofHours(6), r.maxStepDuration());
    assertTrue(r.rollbackInconclusive());
    assertFalse(r.requireNonInferiority());
    assertEquals(Duration.ofSeconds(5), r.webhooks().timeout());
    assertFalse(r.webhooks().toString().contains("0123456789abcdef0123"));
    assertNull(cfg.analysis("nope").rollout());
  }
}

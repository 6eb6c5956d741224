package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.router.Shadow;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Shadows never change what the client gets, and their comparison figures are right. */
class ShadowTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final TestBackend primary = fx.backend("primary");
  static final TestBackend shadow = fx.backend("shadow");
  Gateway gw;

  void start(String shadowExtra, double tolerance) throws Exception {
    start(shadowExtra, tolerance, "");
  }

  /** {@code shadowFields}: more fields of the shadow entry, e.g. {@code ", comparePercent: 25"}. */
  void start(String shadowExtra, double tolerance, String shadowFields) throws Exception {
    gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 2 }
        endpoints:
          - { id: primary, url: "%s", timeout: 2s }
          - { id: shadow, url: "%s", timeout: 10s %s }
        routes:
          - { pathPrefix: /v2/, experiment: e }
          - { pathPrefix: /plain/, endpoint: primary }
        experiments:
          - id: e
            champion: { endpoint: primary }
            shadows: [ { id: s1, endpoint: shadow, percent: 100, tolerance: %s %s } ]
        """.formatted(primary.url(), shadow.url(), shadowExtra, tolerance, shadowFields));
  }

  JsonObject shadowFigures() {
    return shadowFigures(0);
  }

  /** The figures of the experiment's {@code idx}-th shadow. */
  JsonObject shadowFigures(int idx) {
    return h.get(gw.adminPort(), "/v1/experiments/e").json().getJsonArray("shadows").getJsonObject(idx);
  }

  JsonObject awaitFigures(Predicate<JsonObject> done) throws InterruptedException {
    return awaitFigures(0, done);
  }

  /** The {@code idx}-th shadow's figures once {@code done} holds for them (or after 15 s). */
  JsonObject awaitFigures(int idx, Predicate<JsonObject> done) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    JsonObject f = shadowFigures(idx);
    while (!done.test(f) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      f = shadowFigures(idx);
    }
    return f;
  }

  /** The {@code idx}-th shadow's figures once it has compared {@code n} copies (or after 15 s). */
  JsonObject awaitCompared(int idx, long n) throws InterruptedException {
    return awaitFigures(idx, f -> f.getLong("compared", 0L) >= n);
  }

  /** Median client latency of n requests, after checking each got 200 from the primary. */
  long medianMicros(String path, int n) {
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      Harness.Reply r = h.post(gw.port(), path, "u" + i, "{\"inputs\":[]}");
      assertEquals(200, r.status(), r.body().toString());
      assertEquals("primary", r.header("X-Backend"));
      t[i] = r.micros();
    }
    Arrays.sort(t);
    return t[n / 2];
  }

  /** Asserts the median client latency with the shadow is within 20 ms of the plain route's; returns mirrored requests. */
  int assertClientUnaffected() {
    for (int round = 1; round <= 3; round++) {
      long without = medianMicros("/plain/x", 40);
      long with = medianMicros("/v2/models/m/infer", 40);
      if (with < without + 20_000) {
        return 40 * round;
      }
    }
    throw new AssertionError("client latency with the shadow exceeds the no-shadow median by over 20 ms");
  }

  /** Two shadows of one experiment: each copy carries the whole body (it is released only once both have it). */
  @Test
  void everyShadowOfARequestGetsItsBody() throws Exception {
    TestBackend second = h.backend("shadow2");
    gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        endpoints:
          - { id: primary, url: "%s", timeout: 2s }
          - { id: shadow, url: "%s", timeout: 10s }
          - { id: shadow2, url: "%s", timeout: 10s }
        routes:
          - { pathPrefix: /v2/, experiment: e }
        experiments:
          - id: e
            champion: { endpoint: primary }
            shadows: [ { id: s1, endpoint: shadow, percent: 100 }, { id: s2, endpoint: shadow2, percent: 100 } ]
        """.formatted(primary.url(), shadow.url(), second.url()));
    int n = 30;
    for (int i = 0; i < n; i++) {
      String body = "{\"inputs\":[{\"name\":\"x\",\"data\":[" + i + "]}],\"pad\":\"" + "p".repeat(i * 50) + "\"}";
      Harness.Reply r = h.post(gw.port(), "/v2/models/m/raw", "u" + i, body);
      assertEquals(200, r.status());
      assertEquals(body, r.body().toString(), "the client gets the primary's echo");
    }
    for (int k = 0; k < 2; k++) {
      JsonObject f = awaitCompared(k, n);
      assertEquals("s" + (k + 1), f.getString("id"));
      assertEquals(n, f.getLong("compared"), f.encode());
      assertEquals(1.0, f.getDouble("bodyEqualRate"), "each shadow echoed exactly the body the client sent: " + f.encode());
    }
  }

  /**
   * Two shadows on one endpoint that allows one connection: the second copy waits in the pool's queue until the
   * first one's answer frees the connection, and still goes out with the whole body.
   */
  @Test
  void aCopyThatWaitsForAConnectionStillGetsItsBody() throws Exception {
    shadow.sleep(20);
    gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        endpoints:
          - { id: primary, url: "%s", timeout: 2s }
          - { id: shadow, url: "%s", timeout: 10s, maxConnections: 1, maxShadowInFlight: 1000 }
        routes:
          - { pathPrefix: /v2/, experiment: e }
        experiments:
          - id: e
            champion: { endpoint: primary }
            shadows: [ { id: s1, endpoint: shadow, percent: 100 }, { id: s2, endpoint: shadow, percent: 100 } ]
        """.formatted(primary.url(), shadow.url()));
    int n = 10;
    for (int i = 0; i < n; i++) {
      String body = "{\"inputs\":[{\"name\":\"x\",\"data\":[" + i + "]}],\"pad\":\"" + "q".repeat(i * 80) + "\"}";
      assertEquals(200, h.post(gw.port(), "/v2/models/m/raw", "u" + i, body).status());
    }
    for (int k = 0; k < 2; k++) {
      JsonObject f = awaitCompared(k, n);
      assertEquals(n, f.getLong("compared"), f.encode());
      assertEquals(0, f.getLong("dropped"), f.encode());
      assertEquals(1.0, f.getDouble("bodyEqualRate"), "the queued copies carried the whole body: " + f.encode());
    }
  }

  /**
   * A shadow whose endpoint refuses connections fails every copy and frees its in-flight slot each time (were a
   * slot kept, copies beyond {@code maxShadowInFlight} would be dropped instead), while the other shadow of the
   * same requests compares every one.
   */
  @Test
  void aShadowThatCannotConnectFreesItsSlotsAndTheOtherShadowStillCompares() throws Exception {
    int refused;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      refused = s.getLocalPort(); // closed again below: nothing listens there
    }
    gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        endpoints:
          - { id: primary, url: "%s", timeout: 2s }
          - { id: gone, url: "http://127.0.0.1:%d", timeout: 2s, maxShadowInFlight: 3 }
          - { id: shadow, url: "%s", timeout: 10s }
        routes:
          - { pathPrefix: /v2/, experiment: e }
        experiments:
          - id: e
            champion: { endpoint: primary }
            shadows: [ { id: s1, endpoint: gone, percent: 100 }, { id: s2, endpoint: shadow, percent: 100 } ]
        """.formatted(primary.url(), refused, shadow.url()));
    int n = 20;
    for (int i = 0; i < n; i++) {
      assertEquals(200, h.post(gw.port(), "/v2/models/m/raw", "u" + i, "{\"inputs\":[" + i + "]}").status());
      // each refused copy fails within a millisecond or so; wait until it has, so no two are ever in flight
      int sent = i + 1;
      awaitFigures(0, f -> f.getLong("errors", 0L) >= sent);
    }
    JsonObject gone = shadowFigures(0);
    assertEquals(n, gone.getLong("mirrored"), gone.encode());
    assertEquals(0, gone.getLong("dropped"), "no slot was kept by a failed copy: " + gone.encode());
    assertEquals(n, gone.getLong("errors"), gone.encode());
    JsonObject ok = awaitCompared(1, n);
    assertEquals(n, ok.getLong("compared"), ok.encode());
    assertEquals(1.0, ok.getDouble("bodyEqualRate"), ok.encode());
  }

  @Test
  void aShadowThatHangsChangesNothingForTheClient() throws Exception {
    start(", maxShadowInFlight: 1000", 1e-6);
    shadow.sleep(5000);
    int sent = assertClientUnaffected();
    assertEquals(0, shadowFigures().getLong("compared"), "nothing compared while the shadow sleeps");
    assertEquals(sent, shadowFigures().getLong("mirrored"));
  }

  /**
   * Unlike nginx's {@code mirror}, which holds a client's connection until the mirror subrequest answers, no
   * response waits for its copy: with every request mirrored to a shadow that answers after 2 s, each of 20
   * sequential requests on one keep-alive connection is answered well within it, and the copies are all out at once.
   */
  @Test
  void noClientResponseWaitsForItsCopyWithEveryRequestMirrored() throws Exception {
    start(", maxShadowInFlight: 1000", 1e-6);
    shadow.sleep(2000);
    long t0 = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      Harness.Reply r = h.post(gw.port(), "/v2/models/m/infer", "u" + i, "{\"inputs\":[]}");
      assertEquals(200, r.status());
      assertEquals("primary", r.header("X-Backend"));
      assertTrue(r.micros() < 1_000_000, "request " + i + " took " + r.micros() + " µs: it waited for its copy");
    }
    long allMillis = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(allMillis < 2_000, "20 mirrored requests took " + allMillis + " ms: less than one copy's answer");
    JsonObject f = shadowFigures();
    assertEquals(20, f.getLong("mirrored"));
    assertEquals(0, f.getLong("compared"), "no copy answered yet");
    f = awaitCompared(0, 20);
    assertEquals(20, f.getLong("compared"), "every copy answered after its 2 s and was compared");
  }

  /**
   * comparePercent 25: every copy is sent and counted in mirrored; only those whose request id hashes under 25%
   * are compared (exactly the ids {@link Shadow#compares} picks, a share within binomial bounds of 25%), and the
   * agreement rates are over the compared ones. The shadow agrees for the first 200 requests and disagrees for the
   * next 200, so the expected agreement rate is known exactly from the ids.
   */
  @Test
  void aComparePercentComparesItsShareOfTheCopiesAndMirrorsThemAll() throws Exception {
    start(", maxShadowInFlight: 1000", 1e-3, ", comparePercent: 25"); // none dropped, however slow the machine
    primary.mode = TestBackend.Mode.KSERVE;
    shadow.mode = TestBackend.Mode.KSERVE;
    primary.kserveData = "[0.1,0.7,0.2]";
    shadow.kserveData = "[0.1,0.7004,0.1996]"; // agrees within 1e-3
    Shadow picks = new Shadow("s1", "shadow", 10_000, 1e-3, 2_500);
    int agreeing = 0;
    int n = 400;
    int expected = 0;
    for (int i = 0; i < n; i++) {
      if (i == n / 2) {
        int firstHalf = expected;
        awaitCompared(0, firstHalf); // the first half's copies have answered
        shadow.kserveData = "[0.1,0.2,0.7]"; // disagrees from here on
      }
      String id = "req-" + i;
      if (picks.compares(id)) {
        expected++;
        if (i < n / 2) {
          agreeing++;
        }
      }
      Harness.Reply r = h.send(gw.port(), HttpMethod.POST, "/v2/models/m/infer",
          Map.of("X-User-Id", "u" + i, "X-Request-Id", id), Buffer.buffer("{}"));
      assertEquals(200, r.status());
    }
    // binomial(400, 0.25): mean 100, sd 8.66; 4.5 sd either side (two-sided p < 1e-5)
    assertTrue(expected >= 61 && expected <= 139, "ids picked for comparison: " + expected + " of " + n);
    int compared = expected;
    JsonObject f = awaitFigures(x -> x.getLong("compared") >= compared);
    Thread.sleep(200); // nothing more may arrive
    f = shadowFigures();
    assertEquals(25.0, f.getDouble("comparePercent"));
    assertEquals(0, f.getLong("dropped"));
    assertEquals(n, f.getLong("mirrored"), "every copy is mirrored");
    assertEquals(0, f.getLong("errors"));
    assertEquals(compared, f.getLong("compared"), "exactly the picked copies are compared");
    assertEquals(compared, f.getLong("numericCompared"));
    assertEquals((double) agreeing / compared, f.getDouble("numericAgreementRate"), 1e-12,
        "agreement over the compared copies");
    assertEquals((double) agreeing / compared, f.getDouble("labelAgreementRate"), 1e-12);
  }

  @Test
  void aShadowThatFailsWith500ChangesNothingAndIsCountedAsAStatusMismatch() throws Exception {
    start("", 1e-6);
    shadow.mode = TestBackend.Mode.STATUS;
    shadow.status = 500;
    int sent = assertClientUnaffected();
    JsonObject f = awaitFigures(x -> x.getLong("compared") >= sent);
    assertEquals(sent, f.getLong("compared"));
    assertEquals(0.0, f.getDouble("statusMatchRate"));
  }

  /**
   * A shadow that sends its head and then stalls mid-body gives its in-flight slot back once the endpoint's
   * timeout passes without a chunk (counted as an error), so later copies are mirrored, not dropped.
   */
  @Test
  void aShadowThatStallsMidBodyGivesItsSlotBackAfterTheTimeout() throws Exception {
    gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 2 }
        endpoints:
          - { id: primary, url: "%s", timeout: 2s }
          - { id: shadow, url: "%s", timeout: 300ms, maxShadowInFlight: 4 }
        routes:
          - { pathPrefix: /v2/, experiment: e }
        experiments:
          - id: e
            champion: { endpoint: primary }
            shadows: [ { id: s1, endpoint: shadow, percent: 100 } ]
        """.formatted(primary.url(), shadow.url()));
    shadow.stallBody = true;
    for (int round = 1; round <= 3; round++) {
      for (int i = 0; i < 4; i++) {
        assertEquals(200, h.post(gw.port(), "/v2/models/m/infer", "u" + i, "{\"inputs\":[]}").status());
      }
      int done = 4 * round;
      JsonObject f = awaitFigures(x -> x.getLong("errors") >= done);
      assertEquals(done, f.getLong("errors"), "every stalled copy ended: " + f.encode());
      assertEquals(done, f.getLong("mirrored"), "no copy dropped for want of a slot: " + f.encode());
      assertEquals(0, f.getLong("dropped"), f.encode());
    }
  }

  @Test
  void aShadowThatResetsTheConnectionChangesNothingAndIsCountedAsAnError() throws Exception {
    start("", 1e-6);
    shadow.mode = TestBackend.Mode.RESET;
    int sent = assertClientUnaffected();
    JsonObject f = awaitFigures(x -> x.getLong("errors") >= sent);
    assertEquals(sent, f.getLong("errors"));
    assertEquals(0, f.getLong("compared"));
  }

  @Test
  void aKnownDisagreementIsMeasured() throws Exception {
    start("", 1e-3);
    primary.mode = TestBackend.Mode.KSERVE;
    shadow.mode = TestBackend.Mode.KSERVE;
    primary.kserveData = "[0.1,0.7,0.2]";
    shadow.kserveData = "[0.1,0.2,0.7]";
    for (int i = 0; i < 10; i++) {
      h.post(gw.port(), "/v2/models/m/infer", "u" + i, "{}");
    }
    JsonObject f = awaitFigures(x -> x.getLong("compared") >= 10);
    assertEquals(10, f.getLong("compared"));
    assertEquals(1.0, f.getDouble("statusMatchRate"));
    assertEquals(0.0, f.getDouble("bodyEqualRate"), "model names differ");
    assertEquals(10, f.getLong("numericCompared"));
    assertEquals(0.0, f.getDouble("numericAgreementRate"));
    assertEquals(0.5, f.getDouble("maxAbsDiff"), 1e-12);
    assertEquals(10, f.getLong("labelCompared"));
    assertEquals(0.0, f.getDouble("labelAgreementRate"));

    shadow.kserveData = "[0.1,0.7005,0.1995]";
    for (int i = 0; i < 10; i++) {
      h.post(gw.port(), "/v2/models/m/infer", "u" + i, "{}");
    }
    f = awaitFigures(x -> x.getLong("compared") >= 20);
    assertEquals(20, f.getLong("numericCompared"));
    assertEquals(0.5, f.getDouble("numericAgreementRate"), 1e-12, "the second ten agree within 1e-3");
    assertEquals(0.5, f.getDouble("labelAgreementRate"), 1e-12);
    assertEquals(0.5, f.getDouble("maxAbsDiff"), 1e-12, "the maximum is over all pairs");
  }

  @Test
  void inFlightShadowsAreBoundedAndTheExcessIsDroppedAndCounted() throws Exception {
    start(", maxShadowInFlight: 3", 1e-6);
    shadow.sleep(3000);
    for (int i = 0; i < 10; i++) {
      assertEquals(200, h.post(gw.port(), "/v2/models/m/infer", "u" + i, "{}").status());
    }
    JsonObject f = shadowFigures();
    assertEquals(3, f.getLong("mirrored"));
    assertEquals(7, f.getLong("dropped"));
  }
}

package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.state.RedisServerProcess;
import java.net.ConnectException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fixtures' scopes, driven through the callbacks JUnit calls: what a test opens is closed after it, what is
 * opened outside a test lives until the class ends, backends return to their defaults, Redis outlives the gateways.
 */
class VaneFixturesTest {
  static final String YAML = """
      server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
      endpoints:
        - { id: a, url: "%s" }
      routes:
        - { pathPrefix: /, endpoint: a }
      """;

  /** Driven by hand: each test plays a class's run through the callbacks JUnit would call. */
  final VaneFixtures fx = new VaneFixtures();

  @AfterEach
  void endTheTestAndTheClass() throws Exception {
    fx.afterEach(null);
    fx.afterAll(null);
  }

  static boolean listening(int port) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (ConnectException e) {
      return false;
    }
  }

  @Test
  void whatATestOpensIsClosedAfterItAndWhatTheClassOpensAfterTheClass() throws Exception {
    TestBackend a = fx.backend("a");
    Gateway forClass = fx.gateway(YAML.formatted(a.url()));
    fx.beforeEach(null);
    Gateway forTest = fx.gateway(YAML.formatted(a.url()));
    assertEquals(200, fx.harness().get(forTest.port(), "/x").status());
    fx.afterEach(null);
    assertFalse(listening(forTest.port()), "the test's gateway is closed after the test");
    assertEquals(200, fx.harness().get(forClass.port(), "/x").status(), "the class's gateway still serves");
    assertTrue(listening(a.port()));
    fx.afterAll(null);
    assertFalse(listening(forClass.port()), "the class's gateway is closed after the class");
    assertFalse(listening(a.port()), "and so are the backends");
    assertThrows(IllegalStateException.class, () -> fx.beforeEach(null), "one instance serves one run of a class");
  }

  @Test
  void backendsReturnToTheirDefaultsAfterEachTest() throws Exception {
    TestBackend plain = fx.backend("plain");
    TestBackend slow = fx.backend("slow", b -> b.sleep(400));
    assertEquals(TestBackend.Mode.SLEEP, slow.mode);
    fx.beforeEach(null);
    plain.mode = TestBackend.Mode.KSERVE;
    plain.kserveData = "[1]";
    plain.status = 503;
    slow.sleep(5_000);
    fx.afterEach(null);
    assertEquals(TestBackend.Mode.ECHO, plain.mode);
    assertEquals("[0.1,0.7,0.2]", plain.kserveData);
    assertEquals(500, plain.status);
    assertEquals(TestBackend.Mode.SLEEP, slow.mode);
    assertEquals(400, slow.sleepMs, "the setup given with the backend is applied again");
  }

  @Test
  void redisIsStoppedAfterEverythingElseEvenWhatWasOpenedBeforeIt() throws Exception {
    List<String> closed = new ArrayList<>();
    AtomicReference<RedisServerProcess> redis = new AtomicReference<>();
    fx.beforeEach(null);
    fx.own(() -> closed.add("opened before Redis, Redis running: " + redis.get().running()));
    redis.set(fx.redis());
    fx.own(() -> closed.add("opened after Redis, Redis running: " + redis.get().running()));
    fx.afterEach(null);
    assertEquals(List.of("opened after Redis, Redis running: true", "opened before Redis, Redis running: true"),
        closed, "reverse order of opening, Redis last");
    assertFalse(redis.get().running());
  }

  @Test
  void aGatewayClosedByTheTestIsNotClosedAgainAndOnlyOwnedOnesCanBe() throws Exception {
    fx.beforeEach(null);
    Gateway g = fx.gateway(YAML.formatted(fx.backend("a").url()));
    fx.close(g);
    assertFalse(listening(g.port()));
    assertThrows(IllegalArgumentException.class, () -> fx.close(g), "closed once, and forgotten");
    fx.afterEach(null);
  }
}

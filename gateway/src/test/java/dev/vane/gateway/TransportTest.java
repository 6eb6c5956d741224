package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vane.config.ServerSettings;
import dev.vane.gateway.Gateway;
import dev.vane.gateway.Harness;
import dev.vane.gateway.TestBackend;
import dev.vane.gateway.runtime.Transports;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code server.transport}: the proxy, its shadow loop and its API behave the same on every transport. */
class TransportTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final TestBackend primary = fx.backend("primary");
  static final TestBackend shadow = fx.backend("shadow");

  static boolean loads(ServerSettings.Transport t) {
    return switch (t) {
      case EPOLL -> Transport.EPOLL.available();
      case IO_URING -> Transport.IO_URING.available();
      default -> true;
    };
  }

  @ParameterizedTest
  @EnumSource(ServerSettings.Transport.class)
  void requestsBigBodiesAndShadowsWorkOnEachTransport(ServerSettings.Transport t) throws Exception {
    assumeTrue(loads(t), () -> t.id() + " does not load on this machine");
    Gateway gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 2, transport: %s }
        endpoints:
          - { id: primary, url: "%s", timeout: 2s }
          - { id: shadow, url: "%s", timeout: 2s }
        routes:
          - { pathPrefix: /v2/, experiment: e }
        experiments:
          - id: e
            champion: { endpoint: primary }
            shadows: [ { id: s1, endpoint: shadow, percent: 100 } ]
        """.formatted(t.id(), primary.url(), shadow.url()));
    Harness.Reply small = h.post(gw.port(), "/v2/models/m/infer", "u1", "{\"inputs\":[]}");
    assertEquals(200, small.status());
    assertEquals("primary", small.header("X-Backend"));
    assertEquals(13, small.json().getInteger("bodyLength"));
    // a body over the one-write limit goes through the streaming path both ways
    byte[] big = new byte[300_000];
    new Random(7).nextBytes(big);
    Harness.Reply large = h.send(gw.port(), HttpMethod.POST, "/v2/models/m/infer", Map.of("X-User-Id", "u2"),
        Buffer.buffer(big));
    assertEquals(200, large.status());
    assertEquals(300_000, large.json().getInteger("bodyLength"), "the body arrived whole");
    long deadline = System.currentTimeMillis() + 10_000;
    JsonObject s;
    do {
      s = h.get(gw.adminPort(), "/v1/experiments/e").json().getJsonArray("shadows").getJsonObject(0);
    } while (s.getLong("compared") < 2 && System.currentTimeMillis() < deadline && sleep());
    assertEquals(2, s.getLong("mirrored"));
    assertEquals(2, s.getLong("compared"), "both copies came back from the shadow over " + t.id());
  }

  private static boolean sleep() throws InterruptedException {
    Thread.sleep(20);
    return true;
  }

  @ParameterizedTest
  @EnumSource(ServerSettings.Transport.class)
  void theChosenTransportIsTheOneInUse(ServerSettings.Transport t) {
    assumeTrue(loads(t), () -> t.id() + " does not load on this machine");
    Vertx v = Transports.vertx(new VertxOptions().setEventLoopPoolSize(1), t);
    try {
      String used = Transports.describe(v, t);
      switch (t) {
        case NIO -> assertEquals("nio", used);
        case AUTO -> assertEquals(Transport.EPOLL.available() ? "epoll" : "nio", used);
        default -> {
          assertEquals(t.id(), used);
          assertTrue(v.isNativeTransportEnabled());
        }
      }
    } finally {
      v.close().await();
    }
  }
}

package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SelfSignedCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** TLS from PEM files on both listeners: the traffic port proxies over HTTPS, the admin listener answers over HTTPS. */
class TlsListenersTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();

  @Test
  void bothListenersServeHttpsWithTheConfiguredCertificate() throws Exception {
    SelfSignedCertificate traffic = SelfSignedCertificate.create("localhost");
    SelfSignedCertificate admin = SelfSignedCertificate.create("localhost");
    TestBackend a = fx.backend("a");
    Gateway gw = fx.gateway("""
        server:
          host: 127.0.0.1
          port: 0
          eventLoops: 1
          tls: { cert: "%s", key: "%s" }
          admin: { port: 0, tls: { cert: "%s", key: "%s" } }
        endpoints: [ { id: a, url: "%s" } ]
        defaultEndpoint: a
        """.formatted(traffic.certificatePath(), traffic.privateKeyPath(), admin.certificatePath(),
        admin.privateKeyPath(), a.url()));
    HttpClient https = h.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
        .setVerifyHost(false));
    try {
      assertEquals(200, status(https, gw.port(), "/anything"), "proxied over HTTPS");
      assertEquals(200, status(https, gw.adminPort(), "/v1/experiments"), "the admin API over HTTPS");
      assertEquals(200, status(https, gw.adminPort(), "/healthz"));
      // plain HTTP on a TLS listener gets no HTTP answer
      assertThrows(RuntimeException.class, () -> h.get(gw.port(), "/anything"));
    } finally {
      https.close().await();
    }
  }

  private static int status(HttpClient client, int port, String uri) {
    return h.onContext(() -> client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(port).setURI(uri)).compose(r -> r.send()).compose(r -> r.body().map(b -> r.statusCode())));
  }
}

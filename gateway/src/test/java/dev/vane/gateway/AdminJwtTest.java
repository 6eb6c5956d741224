package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The admin listener with JWTs: roles from the claim, the name claim as author, expiry and issuer enforced. */
class AdminJwtTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  @TempDir Path dir;

  @Test
  void jwtRolesGateTheAdminApiAndTheNameClaimAuthorsVersions() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair pair = g.generateKeyPair();
    Path pub = dir.resolve("idp.pem");
    Files.writeString(pub, "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
    JWTAuth signer = JWTAuth.create(h.vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm("RS256").setBuffer("-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64,
            "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n")));
    TestBackend a = fx.backend("a");
    TestBackend b = fx.backend("b");
    Gateway gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, eventLoops: 1, admin: { port: 0 } }
        admin: { auth: { jwt: { publicKeyFile: "%s", issuer: vane-test-idp } } }
        endpoints: [ { id: a, url: "%s" }, { id: b, url: "%s" } ]
        routes: [ { pathPrefix: /e/, experiment: e } ]
        experiments: [ { id: e, champion: { endpoint: a }, canary: { endpoint: b, percent: 5 } } ]
        """.formatted(pub, a.url(), b.url()));
    JWTOptions rs256 = new JWTOptions().setAlgorithm("RS256").setIssuer("vane-test-idp").setExpiresInSeconds(300);
    String viewer = signer.generateToken(new JsonObject().put("sub", "vera@example.com")
        .put("roles", new JsonArray().add("viewer")), rs256);
    String operator = signer.generateToken(new JsonObject().put("sub", "oscar@example.com")
        .put("roles", "operator"), rs256);
    String otherIssuer = signer.generateToken(new JsonObject().put("sub", "mallory").put("roles", "admin"),
        new JWTOptions().setAlgorithm("RS256").setIssuer("elsewhere"));
    String expired = signer.generateToken(new JsonObject().put("sub", "oscar@example.com").put("roles", "admin")
        .put("exp", System.currentTimeMillis() / 1000 - 3600), new JWTOptions().setAlgorithm("RS256")
        .setIssuer("vane-test-idp"));

    assertEquals(200, call(gw, viewer, HttpMethod.GET, "/v1/experiments", null).status());
    assertEquals(403, call(gw, viewer, HttpMethod.POST, "/admin/v1/experiments/e/ramp", "{\"percent\": 20}").status());
    Harness.Reply ramped = call(gw, operator, HttpMethod.POST, "/admin/v1/experiments/e/ramp", "{\"percent\": 20}");
    assertEquals(200, ramped.status(), ramped.body().toString());
    assertEquals("oscar@example.com", ramped.json().getString("author"));
    assertEquals(401, call(gw, otherIssuer, HttpMethod.GET, "/v1/experiments", null).status());
    assertEquals(401, call(gw, expired, HttpMethod.GET, "/v1/experiments", null).status());
    assertEquals("wrong JWT issuer", call(gw, otherIssuer, HttpMethod.GET, "/v1/experiments", null).json()
        .getString("message"));
  }

  private static Harness.Reply call(Gateway gw, String jwt, HttpMethod method, String path, String body) {
    return h.send(gw.adminPort(), method, path, Map.of("Authorization", "Bearer " + jwt),
        body == null ? null : Buffer.buffer(body));
  }
}

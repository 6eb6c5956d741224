package dev.vane.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vane.config.AdminSettings;
import dev.vane.config.AdminSettings.Role;
import dev.vane.config.ConfigLoader;
import dev.vane.config.VaneConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Authenticator} with a real Vert.x: tokens from a parsed config, JWTs signed with JDK-generated RSA 2048 and
 * EC P-256 keys by vertx-auth-jwt (or by hand with {@link Signature}), and a JWKS document served by a real HTTP
 * server on loopback.
 */
class AuthenticatorTest {
  static final String E = "endpoints: [ { id: a, url: \"http://127.0.0.1:9001\" } ]\n";
  static Vertx vertx;
  static KeyPair rsa;
  static KeyPair rsaOther;
  static KeyPair ec;
  static HttpServer jwksServer;
  /** What the JWKS server answers: a body with 200, or null for a 503. */
  static final AtomicReference<String> jwksBody = new AtomicReference<>();
  static final AtomicInteger jwksHits = new AtomicInteger();
  /** Every refusal message seen, checked for leaked secrets at the end of {@link #refusalsNeverHoldTheTokenOrAKey}. */
  static final List<String> refusals = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    rsa = g.generateKeyPair();
    rsaOther = g.generateKeyPair();
    KeyPairGenerator e = KeyPairGenerator.getInstance("EC");
    e.initialize(new ECGenParameterSpec("secp256r1"));
    ec = e.generateKeyPair();
    jwksServer = vertx.createHttpServer().requestHandler(req -> {
      jwksHits.incrementAndGet();
      String body = jwksBody.get();
      if (body == null) {
        req.response().setStatusCode(503).end();
      } else {
        req.response().putHeader("content-type", "application/json").end(body);
      }
    }).listen(0, "127.0.0.1").await();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  // ---- tokens ----

  @Test
  void aConfiguredTokenOrItsSha256NamesTheCallerAndItsRoles() throws Exception {
    String sha = HexFormat.of().formatHex(AdminSettings.sha256("second-long-secret"));
    VaneConfig cfg = new ConfigLoader().parse("""
        admin:
          auth:
            tokens:
              - { name: ops, token: first-long-secret, roles: [operator, feedback] }
              - { name: ci, tokenSha256: %s, roles: [admin] }
        """.formatted(sha) + E, "t");
    try (Authenticator a = Authenticator.create(vertx, cfg.admin().auth())) {
      Principal ops = accepted(a, "Bearer first-long-secret");
      assertEquals(new Principal("ops", Set.of(Role.OPERATOR, Role.FEEDBACK), "token"), ops);
      assertTrue(ops.may(Role.VIEWER));
      assertFalse(ops.may(Role.ADMIN));
      assertEquals(new Principal("ci", Set.of(Role.ADMIN), "token"), accepted(a, "Bearer second-long-secret"));
      assertEquals("unknown token", refused(a, "Bearer first-long-secreT"));
      assertEquals("unknown token", refused(a, "Bearer " + sha));
      assertEquals("2 token(s)", a.describe());
    }
  }

  @Test
  void theSchemeIsCaseInsensitiveAndAMissingOrEmptyBearerTokenIsRefused() throws Exception {
    try (Authenticator a = Authenticator.create(vertx, tokens(token("ops", "s3cret-token", Role.VIEWER)))) {
      for (String h : new String[] {"bearer s3cret-token", "BEARER   s3cret-token  ", "Bearer\ts3cret-token"}) {
        assertEquals("ops", accepted(a, h).name(), h);
      }
      for (String h : new String[] {null, "", "Bearer", "Bearer ", "Bearer    ", "Basic s3cret-token",
          "Bearers3cret-token", "s3cret-token"}) {
        assertEquals("missing bearer token", refused(a, h), String.valueOf(h));
      }
      assertEquals("unknown token", refused(a, "Bearer s3cret-token extra"));
    }
  }

  @Test
  void everyEntryIsComparedSoTheLastOneMatchesToo() throws Exception {
    List<AdminSettings.Token> many = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      many.add(token("t" + i, "token-number-" + i, i % 2 == 0 ? Role.VIEWER : Role.FEEDBACK));
    }
    try (Authenticator a = Authenticator.create(vertx, new AdminSettings.Auth(false, many, null))) {
      for (int i = 0; i < 20; i++) {
        Principal p = accepted(a, "Bearer token-number-" + i);
        assertEquals("t" + i, p.name());
        assertEquals(Set.of(i % 2 == 0 ? Role.VIEWER : Role.FEEDBACK), p.roles());
      }
    }
  }

  @Test
  void withAuthNoneEveryCallerIsTheLocalAdmin() throws Exception {
    try (Authenticator a = Authenticator.create(vertx, AdminSettings.Auth.NONE)) {
      for (String h : new String[] {null, "Bearer whatever", "Basic x"}) {
        Principal p = accepted(a, h);
        assertSame(Principal.anonymousAdmin(), p);
        assertEquals("local", p.name());
        assertEquals("none", p.scheme());
        assertEquals(EnumSet.allOf(Role.class), p.roles());
      }
      assertEquals("none (loopback only)", a.describe());
    }
  }

  // ---- JWT with a PEM key ----

  @Test
  void anRs256JwtFromAnInlinePemKeyNamesTheCallerAndItsRoles() throws Exception {
    JWTAuth signer = signer("RS256", rsa, null);
    try (Authenticator a = Authenticator.create(vertx, jwt(pem(rsa), null, null, "RS256", null, null))) {
      String t = signer.generateToken(new JsonObject().put("sub", "alice").put("roles", new JsonArray()
          .add("operator").add("viewer").add("superuser")), new JWTOptions().setAlgorithm("RS256")
          .setExpiresInSeconds(60));
      assertEquals(new Principal("alice", Set.of(Role.OPERATOR, Role.VIEWER), "jwt"), accepted(a, "Bearer " + t));
      assertEquals("JWT (RS256 public key)", a.describe());
    }
  }

  @Test
  void anEs256JwtFromAKeyFileIsAccepted(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("idp.pem");
    Files.writeString(file, pem(ec));
    JWTAuth signer = signer("ES256", ec, null);
    try (Authenticator a = Authenticator.create(vertx, tokensAndJwt(List.of(token("ops", "plain-token", Role.ADMIN)),
        new AdminSettings.Jwt(null, file.toString(), null, null, "ES256", null, null, "roles", "sub")))) {
      String t = signer.generateToken(new JsonObject().put("sub", "bob").put("roles", "feedback viewer"),
          new JWTOptions().setAlgorithm("ES256").setExpiresInSeconds(60));
      assertEquals(new Principal("bob", Set.of(Role.FEEDBACK, Role.VIEWER), "jwt"), accepted(a, "Bearer " + t));
      assertEquals("ops", accepted(a, "Bearer plain-token").name());
      assertEquals("1 token(s), JWT (ES256 key file " + file + ")", a.describe());
    }
  }

  @Test
  void aJwtSignedByHandWithTheJdkIsAccepted() throws Exception {
    try (Authenticator a = Authenticator.create(vertx, jwt(pem(rsa), null, null, "RS256", "email", "groups"))) {
      long now = System.currentTimeMillis() / 1000;
      String t = handSigned(rsa, new JsonObject().put("alg", "RS256").put("typ", "JWT"), new JsonObject()
          .put("email", "carol@example.com").put("groups", new JsonArray().add("Admin")).put("exp", now + 60));
      assertEquals(new Principal("carol@example.com", Set.of(Role.ADMIN), "jwt"), accepted(a, "Bearer " + t));
    }
  }

  @Test
  void expiredNotYetValidAndWronglySignedJwtsAreRefusedWithTheirReason() throws Exception {
    JWTAuth signer = signer("RS256", rsa, null);
    JWTAuth other = signer("RS256", rsaOther, null);
    long now = System.currentTimeMillis() / 1000;
    JWTOptions noTimes = new JWTOptions().setAlgorithm("RS256").setNoTimestamp(true);
    try (Authenticator a = Authenticator.create(vertx, jwt(pem(rsa), null, null, "RS256", null, null))) {
      assertEquals("expired JWT", refused(a, "Bearer " + signer.generateToken(claims("alice", "admin")
          .put("exp", now - 60), noTimes)));
      assertEquals("JWT not yet valid", refused(a, "Bearer " + signer.generateToken(claims("alice", "admin")
          .put("nbf", now + 60).put("exp", now + 120), noTimes)));
      // within the leeway
      assertEquals("alice", accepted(a, "Bearer " + signer.generateToken(claims("alice", "admin")
          .put("exp", now - 1), noTimes)).name());
      String good = signer.generateToken(claims("alice", "admin"), noTimes);
      assertEquals("invalid JWT signature", refused(a, "Bearer " + other.generateToken(claims("alice", "admin"),
          noTimes)));
      String[] parts = good.split("\\.");
      String forged = parts[0] + "." + b64(claims("mallory", "admin").encode()) + "." + parts[2];
      assertEquals("invalid JWT signature", refused(a, "Bearer " + forged));
      // a key for another algorithm, an unsigned token, a shared secret
      assertEquals("no key for the JWT's algorithm or key id", refused(a, "Bearer "
          + signer("ES256", ec, null).generateToken(claims("alice", "admin"), new JWTOptions().setAlgorithm("ES256"))));
      String none = b64("{\"alg\":\"none\"}") + "." + b64(claims("alice", "admin").encode());
      assertEquals("unknown token", refused(a, "Bearer " + none + "."));
      assertEquals("unsigned JWT", refused(a, "Bearer " + none + ".c2ln"));
      JWTAuth hmac = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
          .setAlgorithm("HS256").setBuffer(pem(rsa))));
      assertEquals("no key for the JWT's algorithm or key id", refused(a, "Bearer "
          + hmac.generateToken(claims("alice", "admin"), new JWTOptions().setAlgorithm("HS256"))));
      assertEquals("malformed JWT", refused(a, "Bearer " + b64("{not json") + "." + parts[1] + "." + parts[2]));
    }
  }

  @Test
  void theIssuerAndAudienceAreCheckedWhenConfigured() throws Exception {
    JWTAuth signer = signer("RS256", rsa, null);
    AdminSettings.Jwt j = new AdminSettings.Jwt(pem(rsa), null, null, null, "RS256", "https://idp.example", "vane",
        "roles", "sub");
    try (Authenticator a = Authenticator.create(vertx, tokensAndJwt(List.of(), j))) {
      JWTOptions right = new JWTOptions().setAlgorithm("RS256").setIssuer("https://idp.example")
          .setAudience(List.of("other", "vane"));
      assertEquals("alice", accepted(a, "Bearer " + signer.generateToken(claims("alice", "viewer"), right)).name());
      assertEquals("wrong JWT issuer", refused(a, "Bearer " + signer.generateToken(claims("alice", "viewer"),
          new JWTOptions(right).setIssuer("https://evil.example"))));
      assertEquals("wrong JWT issuer", refused(a, "Bearer " + signer.generateToken(claims("alice", "viewer"),
          new JWTOptions(right).setIssuer(null))));
      assertEquals("wrong JWT audience", refused(a, "Bearer " + signer.generateToken(claims("alice", "viewer"),
          new JWTOptions(right).setAudience(List.of("grafana")))));
      assertEquals("wrong JWT audience", refused(a, "Bearer " + signer.generateToken(claims("alice", "viewer"),
          new JWTOptions(right).setAudience(null))));
    }
  }

  @Test
  void aJwtWithoutAVaneRoleOrWithoutANameIsRefused() throws Exception {
    JWTAuth signer = signer("RS256", rsa, null);
    JWTOptions o = new JWTOptions().setAlgorithm("RS256");
    try (Authenticator a = Authenticator.create(vertx, jwt(pem(rsa), null, null, "RS256", null, null))) {
      assertEquals("the JWT grants no Vane role", refused(a, "Bearer " + signer.generateToken(
          new JsonObject().put("sub", "alice"), o)));
      assertEquals("the JWT grants no Vane role", refused(a, "Bearer " + signer.generateToken(
          claims("alice", "root superuser"), o)));
      assertEquals("the JWT grants no Vane role", refused(a, "Bearer " + signer.generateToken(
          new JsonObject().put("sub", "alice").put("roles", 7), o)));
      assertEquals("the JWT has no sub claim", refused(a, "Bearer " + signer.generateToken(
          new JsonObject().put("roles", "admin"), o)));
    }
  }

  @Test
  void aBadKeyOrKeyFileFailsTheStartAndTheMessageHoldsNoKey(@TempDir Path dir) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Authenticator.create(vertx, jwt(pem(ec), null, null, "RS256", null, null)));
    assertEquals("admin.auth.jwt.publicKey: not a valid RS256 public key (expected: a PEM -----BEGIN PUBLIC "
        + "KEY----- block of a key for that algorithm)", e.getMessage());
    Path missing = dir.resolve("missing.pem");
    e = assertThrows(IllegalArgumentException.class, () -> Authenticator.create(vertx, tokensAndJwt(List.of(),
        new AdminSettings.Jwt(null, missing.toString(), null, null, "RS256", null, null, "roles", "sub"))));
    assertEquals("admin.auth.jwt.publicKeyFile: cannot read " + missing + " (NoSuchFileException)", e.getMessage());
  }

  // ---- JWKS ----

  @Test
  void jwtsAreRefusedUntilTheJwksDocumentIsLoadedAndAFailedRefreshKeepsTheKeys() throws Exception {
    jwksBody.set(null);
    JWTAuth signer = signer("RS256", rsa, "k1");
    String t = signer.generateToken(claims("dave", "viewer"), new JWTOptions().setAlgorithm("RS256"));
    int before = jwksHits.get();
    try (Authenticator a = Authenticator.create(vertx, jwt(null, jwksUrl(), Duration.ofMinutes(5), null, null,
        null))) {
      waitUntil(() -> jwksHits.get() > before);
      assertEquals("JWT keys not loaded yet", refused(a, "Bearer " + t));
      jwksBody.set(jwks(jwk(rsa, "k1")));
      a.refreshKeys().await();
      assertEquals("dave", accepted(a, "Bearer " + t).name());
      jwksBody.set(null);
      assertEquals("HTTP status 503", failure(a.refreshKeys()).getMessage());
      jwksBody.set("{\"keys\": [ {\"kty\": \"oct\", \"k\": \"c2VjcmV0\"} ]}");
      assertTrue(failure(a.refreshKeys()).getMessage().startsWith("no RSA, EC or OKP signing key"));
      jwksBody.set("<html>");
      assertEquals("not a JSON object with a keys array", failure(a.refreshKeys()).getMessage());
      assertEquals("dave", accepted(a, "Bearer " + t).name());
      assertEquals("JWT (jwks " + jwksUrl() + ")", a.describe());
    }
  }

  @Test
  void aRotatedKeyIsPickedUpAtTheNextRefreshAndTheTimerStopsOnClose() throws Exception {
    jwksBody.set(jwks(jwk(rsa, "k1")));
    String old = signer("RS256", rsa, "k1").generateToken(claims("erin", "operator"),
        new JWTOptions().setAlgorithm("RS256"));
    String rotated = signer("RS256", rsaOther, "k2").generateToken(claims("erin", "operator"),
        new JWTOptions().setAlgorithm("RS256"));
    Authenticator a = Authenticator.create(vertx, jwt(null, jwksUrl(), Duration.ofMillis(100), null, null, null));
    try {
      waitUntil(() -> outcome(a, old) == null);
      assertEquals("no key for the JWT's algorithm or key id", refused(a, "Bearer " + rotated));
      jwksBody.set(jwks(jwk(rsaOther, "k2")));
      waitUntil(() -> outcome(a, rotated) == null);
      assertEquals("no key for the JWT's algorithm or key id", refused(a, "Bearer " + old));
    } finally {
      a.close();
    }
    int hits = jwksHits.get();
    Thread.sleep(400);
    assertTrue(jwksHits.get() <= hits + 1, "fetches after close: " + (jwksHits.get() - hits));
  }

  @Test
  void theJwksUrlIsShownWithoutItsCredentials() {
    try (Authenticator a = Authenticator.create(vertx, tokensAndJwt(List.of(token("x", "xx-token", Role.VIEWER)),
        new AdminSettings.Jwt(null, null, "http://idp:hunter2@127.0.0.1:1/jwks", Duration.ofMinutes(5), "RS256",
            null, null, "roles", "sub")))) {
      assertEquals("1 token(s), JWT (jwks http://idp:***@127.0.0.1:1/jwks)", a.describe());
    }
  }

  // ---- what a refusal may say ----

  @Test
  void refusalsNeverHoldTheTokenOrAKey() throws Exception {
    JWTAuth signer = signer("RS256", rsa, null);
    String secret = "very-secret-admin-token";
    try (Authenticator a = Authenticator.create(vertx, tokensAndJwt(List.of(token("ops", secret, Role.ADMIN)),
        new AdminSettings.Jwt(pem(rsa), null, null, null, "RS256", "iss-x", "aud-x", "roles", "sub")))) {
      String jwt = signer.generateToken(claims("alice", "admin"), new JWTOptions().setAlgorithm("RS256"));
      List<String> presented = List.of(secret + "x", jwt, jwt + "x", "a.b.c", secret.substring(1), "Bearer",
          signer("RS256", rsaOther, null).generateToken(claims("alice", "admin"), new JWTOptions()
              .setAlgorithm("RS256").setIssuer("iss-x").setAudience(List.of("aud-x"))));
      for (String p : presented) {
        String why = refused(a, "Bearer " + p);
        assertFalse(why.contains(p), why);
        for (String part : p.split("\\.")) {
          assertFalse(part.length() > 3 && why.contains(part), why);
        }
      }
      List<String> secrets = new ArrayList<>(List.of(secret, jwt, HexFormat.of().formatHex(AdminSettings
          .sha256(secret)), Base64.getEncoder().encodeToString(rsa.getPublic().getEncoded()).substring(0, 40)));
      synchronized (refusals) {
        assertTrue(refusals.size() > 5);
        for (String why : refusals) {
          for (String s : secrets) {
            assertFalse(why.contains(s), why);
          }
          assertTrue(why.length() < 60 && !why.contains("BEGIN"), why);
        }
      }
    }
  }

  // ---- helpers ----

  static AdminSettings.Token token(String name, String token, Role... roles) {
    return new AdminSettings.Token(name, AdminSettings.sha256(token), Set.of(roles));
  }

  static AdminSettings.Auth tokens(AdminSettings.Token... tokens) {
    return new AdminSettings.Auth(false, List.of(tokens), null);
  }

  static AdminSettings.Auth tokensAndJwt(List<AdminSettings.Token> tokens, AdminSettings.Jwt jwt) {
    return new AdminSettings.Auth(false, tokens, jwt);
  }

  /** JWT settings with either a PEM key or a JWKS URL; null claims take the schema's defaults. */
  static AdminSettings.Auth jwt(String pem, String jwksUrl, Duration refresh, String algorithm, String nameClaim,
      String rolesClaim) {
    return tokensAndJwt(List.of(), new AdminSettings.Jwt(pem, null, jwksUrl, refresh,
        algorithm == null ? "RS256" : algorithm, null, null, rolesClaim == null ? "roles" : rolesClaim,
        nameClaim == null ? "sub" : nameClaim));
  }

  static String jwksUrl() {
    return "http://127.0.0.1:" + jwksServer.actualPort() + "/jwks.json";
  }

  static JsonObject claims(String sub, String roles) {
    return new JsonObject().put("sub", sub).put("roles", roles);
  }

  /** A JWTAuth holding the private key of {@code pair}, to sign test tokens (with {@code kid} when not null). */
  static JWTAuth signer(String algorithm, KeyPair pair, String kid) {
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm)
        .setBuffer(pem).setId(kid)));
  }

  static String pem(KeyPair pair) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
  }

  static String b64(String s) {
    return b64(s.getBytes(StandardCharsets.UTF_8));
  }

  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** An RS256 JWT signed with {@code java.security.Signature}, independently of vertx-auth-jwt. */
  static String handSigned(KeyPair pair, JsonObject header, JsonObject payload) throws Exception {
    String input = b64(header.encode()) + "." + b64(payload.encode());
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(pair.getPrivate());
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + b64(s.sign());
  }

  static JsonObject jwk(KeyPair pair, String kid) {
    RSAPublicKey k = (RSAPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("use", "sig").put("alg", "RS256")
        .put("n", b64(unsigned(k.getModulus()))).put("e", b64(unsigned(k.getPublicExponent())));
  }

  static byte[] unsigned(BigInteger i) {
    byte[] b = i.toByteArray();
    return b[0] == 0 && b.length > 1 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
  }

  static String jwks(JsonObject... keys) {
    JsonArray a = new JsonArray();
    for (JsonObject k : keys) {
      a.add(k);
    }
    // an encryption key and a symmetric key are skipped
    a.add(new JsonObject(Map.of("kty", "RSA", "use", "enc", "n", "AQAB", "e", "AQAB")));
    a.add(new JsonObject(Map.of("kty", "oct", "k", "c2VjcmV0")));
    return new JsonObject().put("keys", a).encode();
  }

  static Principal accepted(Authenticator a, String header) throws Exception {
    try {
      return a.authenticate(header).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("refused: " + e.getCause().getMessage());
    }
  }

  /** The reason {@code header} is refused (recorded for {@link #refusalsNeverHoldTheTokenOrAKey}). */
  static String refused(Authenticator a, String header) throws Exception {
    Throwable t = failure(a.authenticate(header));
    assertInstanceOf(AuthenticationException.class, t);
    synchronized (refusals) {
      refusals.add(t.getMessage());
    }
    return t.getMessage();
  }

  static Throwable failure(Future<?> f) throws Exception {
    try {
      Object v = f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      return fail("expected a failure, got " + v);
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  /** The refusal reason of a bearer token, or null when it is accepted. */
  static String outcome(Authenticator a, String token) {
    try {
      accepted(a, "Bearer " + token);
      return null;
    } catch (AssertionError | Exception e) {
      return e.getMessage();
    }
  }

  static void waitUntil(java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("condition not met in 5 s");
      }
      Thread.sleep(20);
    }
  }
}

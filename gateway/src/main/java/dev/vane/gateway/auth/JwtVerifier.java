package dev.vane.gateway.auth;

import dev.vane.config.AdminSettings;
import dev.vane.config.Redaction;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.NoSuchKeyIdException;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SignatureException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies JWTs with vertx-auth-jwt against a PEM public key, or against the keys of a JWKS document fetched at
 * creation and every {@code jwksRefresh}. The keys are one immutable {@link JWTAuth}, swapped whole after each
 * successful fetch; a failed fetch keeps the previous keys.
 */
final class JwtVerifier implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JwtVerifier.class);
  /** Seconds of clock skew allowed on {@code exp}, {@code nbf} and {@code iat}. */
  static final int LEEWAY_SECONDS = 5;
  /** Largest JWKS document read, in bytes. */
  static final int MAX_JWKS_BYTES = 1 << 20;
  static final long DEFAULT_REFRESH_MS = 5 * 60_000;
  static final int CONNECT_TIMEOUT_MS = 5_000;
  static final int IDLE_TIMEOUT_MS = 10_000;
  /** Key types taken from a JWKS document: asymmetric only (a shared secret has no place in a published JWKS). */
  private static final Set<String> KEY_TYPES = Set.of("RSA", "EC", "OKP");

  private final Vertx vertx;
  private final AdminSettings.Jwt settings;
  private final String rolesClaim;
  private final String nameClaim;
  private final JWTOptions options;
  private final AtomicReference<JWTAuth> keys = new AtomicReference<>();
  private final HttpClient http;
  private final long timer;
  /** The latest JWKS fetch (guarded by {@code this}); the next one starts after it. */
  private Future<Void> lastFetch = Future.succeededFuture();
  private volatile boolean closed;

  private JwtVerifier(Vertx vertx, AdminSettings.Jwt settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.rolesClaim = settings.rolesClaim() != null ? settings.rolesClaim() : "roles";
    this.nameClaim = settings.nameClaim() != null ? settings.nameClaim() : "sub";
    JWTOptions o = new JWTOptions().setLeeway(LEEWAY_SECONDS);
    if (settings.issuer() != null) {
      o.setIssuer(settings.issuer());
    }
    if (settings.audience() != null) {
      o.setAudience(List.of(settings.audience()));
    }
    this.options = o;
    if (settings.jwksUrl() == null) {
      keys.set(pemAuth(settings));
      http = null;
      timer = -1;
    } else {
      http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS)
          .setIdleTimeout(IDLE_TIMEOUT_MS).setIdleTimeoutUnit(TimeUnit.MILLISECONDS));
      // the schema's default, for settings built without the loader
      long every = settings.jwksRefresh() == null ? DEFAULT_REFRESH_MS : Math.max(1, settings.jwksRefresh().toMillis());
      timer = vertx.setPeriodic(every, every, id -> scheduledRefresh());
      refresh();
    }
  }

  /**
   * A verifier for {@code settings}: a PEM key (inline or read from its file now), or a JWKS document whose first
   * fetch starts now.
   *
   * @throws IllegalArgumentException when the key file cannot be read or the key is not a valid key for the
   *                                  configured algorithm (the message names the setting, never the key)
   */
  static JwtVerifier create(Vertx vertx, AdminSettings.Jwt settings) {
    return new JwtVerifier(vertx, settings);
  }

  private JWTAuthOptions authOptions() {
    return new JWTAuthOptions().setJWTOptions(new JWTOptions(options));
  }

  /** The PEM key, inline or read from its file now, parsed now so that a bad key fails the start. */
  private JWTAuth pemAuth(AdminSettings.Jwt s) {
    String where = s.publicKey() != null ? "admin.auth.jwt.publicKey" : "admin.auth.jwt.publicKeyFile";
    String pem = s.publicKey();
    if (pem == null) {
      try {
        pem = Files.readString(Path.of(s.publicKeyFile()), StandardCharsets.US_ASCII);
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException(where + ": cannot read " + s.publicKeyFile() + " ("
            + e.getClass().getSimpleName() + ")");
      }
    }
    String algorithm = s.algorithm() != null ? s.algorithm() : "RS256";
    try {
      return JWTAuth.create(vertx,
          authOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(pem)));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(where + ": not a valid " + algorithm + " public key (expected: a PEM "
          + "-----BEGIN PUBLIC KEY----- block of a key for that algorithm)");
    }
  }

  /** For the startup line: where the keys come from. */
  String describe() {
    if (settings.jwksUrl() != null) {
      return "jwks " + Redaction.uri(settings.jwksUrl());
    }
    String algorithm = settings.algorithm() != null ? settings.algorithm() : "RS256";
    return settings.publicKey() != null ? algorithm + " public key"
        : algorithm + " key file " + settings.publicKeyFile();
  }

  /**
   * Fetches the JWKS document once more (after the fetch under way, if any) and, when it holds at least one usable
   * signing key, swaps the keys in. Fails (keeping the previous keys, with a warning logged) on a network error, a
   * status other than 200, a body over {@link #MAX_JWKS_BYTES} or a document without signing keys. Completes at
   * once with a PEM key.
   */
  synchronized Future<Void> refresh() {
    if (http == null || closed) {
      return Future.succeededFuture();
    }
    Future<Void> next = lastFetch.transform(ignored -> fetchAndSwap());
    lastFetch = next;
    return next;
  }

  /** The timer's refresh: skipped while a fetch is still under way, so that a slow server does not pile them up. */
  private synchronized void scheduledRefresh() {
    if (lastFetch.isComplete()) {
      refresh();
    }
  }

  private Future<Void> fetchAndSwap() {
    String url = settings.jwksUrl();
    return fetch(url).map(this::fromJwks).<Void>map(auth -> {
      keys.set(auth);
      return null;
    }).onFailure(e -> {
      if (!closed) {
        log.warn("admin.auth.jwt: fetching the JWKS document {} failed, {}: {}", Redaction.uri(url),
            keys.get() == null ? "JWTs are refused until a fetch succeeds" : "keeping the previous keys",
            Redaction.text(String.valueOf(e.getMessage())));
      }
    });
  }

  private Future<Buffer> fetch(String url) {
    RequestOptions ro;
    try {
      ro = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url).setFollowRedirects(false)
          .setConnectTimeout(CONNECT_TIMEOUT_MS).setIdleTimeout(IDLE_TIMEOUT_MS)
          .putHeader(HttpHeaders.ACCEPT, "application/jwk-set+json, application/json");
    } catch (RuntimeException e) {
      return Future.failedFuture("not a usable URL");
    }
    return http.request(ro).compose(req -> req.send()).compose(resp -> {
      String refused = resp.statusCode() != 200 ? "HTTP status " + resp.statusCode()
          : declaredLength(resp.getHeader(HttpHeaders.CONTENT_LENGTH)) > MAX_JWKS_BYTES
              ? "the document is larger than " + MAX_JWKS_BYTES + " bytes" : null;
      if (refused != null) {
        // drop the connection rather than read a body we will not use; the reset is expected, not an error
        try {
          resp.exceptionHandler(ignored -> {});
          resp.request().reset();
        } catch (IllegalStateException ended) {
          // the whole (empty) response had arrived already: nothing left to drop
        }
        return Future.failedFuture(refused);
      }
      return resp.body().compose(b -> b.length() > MAX_JWKS_BYTES
          ? Future.failedFuture("the document is larger than " + MAX_JWKS_BYTES + " bytes")
          : Future.succeededFuture(b));
    });
  }

  /** A Content-Length header's value, or 0 when absent or not a number that fits a long. */
  private static long declaredLength(String header) {
    try {
      return header == null ? 0 : Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The keys of a JWKS document ({@code {"keys": [...]}}), asymmetric signing keys only. */
  private JWTAuth fromJwks(Buffer body) {
    JsonArray all;
    try {
      all = new JsonObject(body).getJsonArray("keys");
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a JSON object with a keys array");
    }
    if (all == null) {
      throw new IllegalArgumentException("not a JSON object with a keys array");
    }
    JWTAuthOptions o = authOptions();
    List<JsonObject> usable = new ArrayList<>();
    for (Object k : all) {
      if (k instanceof JsonObject jwk && KEY_TYPES.contains(jwk.getString("kty"))
          && (jwk.getValue("use") == null || "sig".equals(jwk.getValue("use")))) {
        usable.add(jwk);
      }
    }
    if (usable.isEmpty()) {
      // vertx-auth-jwt without keys would be in its "unsecured" mode
      throw new IllegalArgumentException("no RSA, EC or OKP signing key among " + all.size() + " key(s)");
    }
    return JWTAuth.create(vertx, o.setJwks(usable));
  }

  /** Verifies {@code token} (three non-empty base64url parts) and reads its name and roles. */
  Future<Principal> verify(String token) {
    JWTAuth auth = keys.get();
    if (auth == null) {
      return Future.failedFuture(new AuthenticationException("JWT keys not loaded yet"));
    }
    Future<User> checked;
    try {
      checked = auth.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      return Future.failedFuture(new AuthenticationException(reason(e, token)));
    }
    return checked.transform(ar -> {
      if (ar.failed()) {
        return Future.failedFuture(new AuthenticationException(reason(ar.cause(), token)));
      }
      try {
        return Future.succeededFuture(principal(ar.result().principal()));
      } catch (AuthenticationException e) {
        return Future.failedFuture(e);
      }
    });
  }

  private Principal principal(JsonObject claims) {
    Object name = claims.getValue(nameClaim);
    if (!(name instanceof String n) || n.isBlank()) {
      throw new AuthenticationException("the JWT has no " + nameClaim + " claim");
    }
    Set<AdminSettings.Role> roles = roles(claims.getValue(rolesClaim));
    if (roles.isEmpty()) {
      throw new AuthenticationException("the JWT grants no Vane role");
    }
    return new Principal(n, roles, "jwt");
  }

  /** Roles from a JSON array of strings or a space-separated string; names that are no Vane role are ignored. */
  static Set<AdminSettings.Role> roles(Object claim) {
    List<String> names = new ArrayList<>();
    if (claim instanceof JsonArray a) {
      for (Object o : a) {
        if (o instanceof String s) {
          names.add(s);
        }
      }
    } else if (claim instanceof String s) {
      names.addAll(List.of(s.trim().split("\\s+")));
    }
    EnumSet<AdminSettings.Role> roles = EnumSet.noneOf(AdminSettings.Role.class);
    for (String n : names) {
      for (AdminSettings.Role r : AdminSettings.Role.values()) {
        if (r.id().equals(n.toLowerCase(Locale.ROOT))) {
          roles.add(r);
        }
      }
    }
    return roles;
  }

  /**
   * A safe reason for a failure of vertx-auth-jwt. Its checks run in this order: signature, audience, issuer,
   * time; the time check says "expired" for {@code exp}, {@code nbf} and {@code iat} alike, so the payload (whose
   * signature is good by then) tells which.
   */
  private static String reason(Throwable e, String token) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    if (e instanceof SignatureException) {
      return "invalid JWT signature";
    }
    if (e instanceof NoSuchKeyIdException) {
      return "no key for the JWT's algorithm or key id";
    }
    if (m.startsWith("Invalid JWT audience")) {
      return "wrong JWT audience";
    }
    if (m.startsWith("Invalid JWT issuer")) {
      return "wrong JWT issuer";
    }
    if (m.contains("token expired")) {
      return expired(token) ? "expired JWT" : "JWT not yet valid";
    }
    if (m.contains("\"none\"")) {
      return "unsigned JWT";
    }
    if (e instanceof IllegalArgumentException || e instanceof io.vertx.core.json.DecodeException
        || e instanceof ClassCastException) {
      return "malformed JWT";
    }
    return "invalid JWT";
  }

  /** Whether the payload's {@code exp} has passed (with the leeway); false when it has none. */
  private static boolean expired(String token) {
    try {
      String payload = token.substring(token.indexOf('.') + 1, token.lastIndexOf('.'));
      JsonObject claims = new JsonObject(Buffer.buffer(Base64.getUrlDecoder().decode(payload)));
      Number exp = claims.getNumber("exp");
      return exp != null && System.currentTimeMillis() / 1000 - LEEWAY_SECONDS >= exp.longValue();
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    closed = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (http != null) {
      http.close();
    }
  }
}

package dev.vane.gateway.auth;

import dev.vane.config.AdminSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.MessageDigest;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Authenticates callers of the admin listener from their {@code Authorization: Bearer <token>} header: against the
 * configured tokens (kept only as SHA-256), then, when JWT verification is configured and the token looks like a
 * JWT, as a JWT. With {@code auth: none} every caller is {@link Principal#anonymousAdmin()}. Every refusal is a
 * failed future holding an {@link AuthenticationException} whose message is safe to show the caller.
 */
public final class Authenticator implements AutoCloseable {
  /** Three non-empty base64url parts: header, payload, signature. */
  private static final Pattern JWT_SHAPE = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
  private static final Future<Principal> ANONYMOUS = Future.succeededFuture(Principal.anonymousAdmin());

  private final boolean none;
  private final List<AdminSettings.Token> tokens;
  /** {@code hashes[i]} is the SHA-256 of {@code tokens.get(i)}, copied once. */
  private final byte[][] hashes;
  private final JwtVerifier jwt;

  private Authenticator(boolean none, List<AdminSettings.Token> tokens, JwtVerifier jwt) {
    this.none = none;
    this.tokens = tokens;
    this.hashes = new byte[tokens.size()][];
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = tokens.get(i).sha256();
    }
    this.jwt = jwt;
  }

  /**
   * An authenticator for {@code auth}: a PEM public key is read (from its file too) and parsed now; a JWKS
   * document is fetched now and every {@code jwksRefresh} until {@link #close()}.
   *
   * @throws IllegalArgumentException when the JWT key file cannot be read or the key is not valid for the algorithm
   */
  public static Authenticator create(Vertx vertx, AdminSettings.Auth auth) {
    if (auth.none()) {
      return new Authenticator(true, List.of(), null);
    }
    return new Authenticator(false, auth.tokens(), auth.jwt() == null ? null : JwtVerifier.create(vertx, auth.jwt()));
  }

  /**
   * The caller named by an {@code Authorization} header value ({@code Bearer <token>}, scheme in any case), or a
   * failed future with an {@link AuthenticationException}: "missing bearer token", "unknown token", or why a JWT
   * was refused ("expired JWT", "invalid JWT signature", "wrong JWT issuer", "JWT keys not loaded yet", ...).
   *
   * @param authorization the header's value, or null when absent
   */
  public Future<Principal> authenticate(String authorization) {
    if (none) {
      return ANONYMOUS;
    }
    String token = bearerToken(authorization);
    if (token == null) {
      return Future.failedFuture(new AuthenticationException("missing bearer token"));
    }
    AdminSettings.Token match = matchToken(token);
    if (match != null) {
      return Future.succeededFuture(new Principal(match.name(), match.roles(), "token"));
    }
    if (jwt != null && JWT_SHAPE.matcher(token).matches()) {
      return jwt.verify(token);
    }
    return Future.failedFuture(new AuthenticationException("unknown token"));
  }

  /** The token of {@code Bearer <token>}, or null when the header is absent, of another scheme, or empty. */
  static String bearerToken(String authorization) {
    if (authorization == null) {
      return null;
    }
    String h = authorization.strip();
    if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer", 0, 6) || !Character.isWhitespace(h.charAt(6))) {
      return null;
    }
    String token = h.substring(7).strip();
    return token.isEmpty() ? null : token;
  }

  /**
   * The configured token whose hash equals the SHA-256 of {@code token}'s UTF-8 bytes, or null. Every entry is
   * compared with {@link MessageDigest#isEqual} and the loop never exits early, so the time taken does not tell
   * which entry (if any) matched.
   */
  private AdminSettings.Token matchToken(String token) {
    byte[] presented = AdminSettings.sha256(token);
    int found = -1;
    for (int i = 0; i < hashes.length; i++) {
      boolean equal = MessageDigest.isEqual(hashes[i], presented);
      found = equal ? i : found;
    }
    return found < 0 ? null : tokens.get(found);
  }

  /**
   * For the startup line: {@code "none (loopback only)"}, or the parts that are configured, such as
   * {@code "2 token(s), JWT (jwks https://idp.example/jwks.json)"} or {@code "JWT (RS256 public key)"}.
   */
  public String describe() {
    if (none) {
      return "none (loopback only)";
    }
    String t = tokens.isEmpty() ? null : tokens.size() + " token(s)";
    String j = jwt == null ? null : "JWT (" + jwt.describe() + ")";
    if (t == null && j == null) {
      return "no tokens and no JWT (every call refused)";
    }
    return t == null ? j : j == null ? t : t + ", " + j;
  }

  /** Fetches the JWKS document again now (see {@link JwtVerifier#refresh()}); for tests. */
  Future<Void> refreshKeys() {
    return jwt == null ? Future.succeededFuture() : jwt.refresh();
  }

  /** Stops the JWKS refresh timer and closes its HTTP client. */
  @Override
  public void close() {
    if (jwt != null) {
      jwt.close();
    }
  }
}

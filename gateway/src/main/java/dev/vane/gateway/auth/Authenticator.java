package dev.vane.gateway.auth;

import dev.vane.config.AdminSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.MessageDigest;

/** Bearer tokens from the config (compared as SHA-256, in constant time). */
public final class Authenticator implements AutoCloseable {
  private final AdminSettings.Auth auth;

  private Authenticator(AdminSettings.Auth auth) {
    this.auth = auth;
  }

  public static Authenticator create(Vertx vertx, AdminSettings.Auth auth) {
    return new Authenticator(auth);
  }

  /** From the Authorization header value (may be null): {@code Bearer <token>}. */
  public Future<Principal> authenticate(String authorization) {
    if (auth.none()) {
      return Future.succeededFuture(Principal.anonymousAdmin());
    }
    if (authorization == null || authorization.length() < 7
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.substring(7).isBlank()) {
      return Future.failedFuture(new AuthenticationException("missing bearer token"));
    }
    byte[] sha = AdminSettings.sha256(authorization.substring(7).trim());
    AdminSettings.Token found = null;
    for (AdminSettings.Token t : auth.tokens()) {
      if (MessageDigest.isEqual(sha, t.sha256()) & found == null) {
        found = t;
      }
    }
    if (found == null) {
      return Future.failedFuture(new AuthenticationException("unknown token"));
    }
    return Future.succeededFuture(new Principal(found.name(), found.roles(), "token"));
  }

  public String describe() {
    return auth.none() ? "none (loopback only)" : auth.tokens().size() + " token(s)";
  }

  @Override
  public void close() {}
}

package dev.vane.gateway.auth;

/**
 * Why a caller of the admin listener is not authenticated. The message is a short fixed reason ("unknown token",
 * "expired JWT", ...) that is safe to send to the client: it never holds the presented token or a key. Carries no
 * stack trace (it is an answer, not a fault).
 */
public final class AuthenticationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  AuthenticationException(String reason) {
    super(reason, null, false, false);
  }
}

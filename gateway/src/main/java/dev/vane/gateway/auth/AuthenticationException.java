package dev.vane.gateway.auth;

/** A caller is not authenticated; the message is safe to send back (it never holds the token). */
public final class AuthenticationException extends RuntimeException {
  public AuthenticationException(String message) {
    super(message, null, false, false);
  }
}

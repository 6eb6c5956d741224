package dev.vane.gateway.configstore;

/** The store cannot be reached now (Redis down); the message holds no credential. */
public final class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}

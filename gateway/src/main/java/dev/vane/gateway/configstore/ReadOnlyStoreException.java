package dev.vane.gateway.configstore;

/** The store refuses writes (HTTP 409); the message says why and where to change the config instead. */
public final class ReadOnlyStoreException extends RuntimeException {
  public ReadOnlyStoreException(String reason) {
    super(reason, null, false, false);
  }

  /** Why writes are refused. */
  public String reason() {
    return getMessage();
  }
}

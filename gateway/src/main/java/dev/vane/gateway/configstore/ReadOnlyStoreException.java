package dev.vane.gateway.configstore;

/** A write to a store that cannot be written (a read-only file, e.g. a Kubernetes ConfigMap). */
public final class ReadOnlyStoreException extends RuntimeException {
  public ReadOnlyStoreException(String reason) {
    super(reason, null, false, false);
  }
}

package dev.vane.gateway.configstore;

/** A write named a version that is no longer the latest (HTTP 409): the caller reloads and tries again. */
public final class StaleVersionException extends RuntimeException {
  private final long latest;

  public StaleVersionException(long latest) {
    super("the expected version is not the latest (the latest is " + latest + ")", null, false, false);
    this.latest = latest;
  }

  /** The latest version number when the write was refused (0: the store is empty). */
  public long latest() {
    return latest;
  }
}

package dev.vane.gateway.configstore;

/** A write based on a version that is no longer the latest. */
public final class StaleVersionException extends RuntimeException {
  private final long latest;

  public StaleVersionException(long latest) {
    super("the config is at version " + latest + " now; read it again and retry", null, false, false);
    this.latest = latest;
  }

  public long latest() {
    return latest;
  }
}

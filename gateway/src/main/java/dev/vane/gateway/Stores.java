package dev.vane.gateway;

import dev.vane.config.VaneConfig;
import dev.vane.router.StickyStore;

/** Chooses the sticky store a config asks for. */
final class Stores {
  private Stores() {}

  static StickyStore forConfig(VaneConfig cfg) {
    if (cfg.state().isRedis()) {
      throw new IllegalArgumentException("state.store: redis is not available in this build yet");
    }
    return Gateway.memoryStore(cfg);
  }
}

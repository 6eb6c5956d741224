package dev.vane.gateway;

import dev.vane.config.StateSettings;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.state.RedisFigures;
import dev.vane.gateway.state.RedisSettings;
import dev.vane.gateway.state.RedisStickyStore;
import dev.vane.router.StickyStore;

/** Chooses the sticky store a config asks for. */
final class Stores {
  private Stores() {}

  static StickyStore forConfig(VaneConfig cfg) {
    StateSettings s = cfg.state();
    if (s.isRedis()) {
      StateSettings.Redis r = s.redis();
      return new RedisStickyStore(new RedisSettings(r.uri(), s.ttl(), r.cacheSize(), r.cacheStaleness(),
          r.commandTimeout(), r.maxPendingWrites(), r.invalidations(), r.startupGrace()));
    }
    return Gateway.memoryStore(cfg);
  }

  static FigureSource figuresFor(VaneConfig cfg) {
    if (cfg.state().isRedis()) {
      StateSettings.Redis r = cfg.state().redis();
      return new RedisFigures(r.uri(), r.flushInterval(), r.commandTimeout());
    }
    return FigureSource.local();
  }
}

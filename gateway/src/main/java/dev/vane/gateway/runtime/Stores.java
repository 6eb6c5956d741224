package dev.vane.gateway.runtime;

import dev.vane.config.StateSettings;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.counters.FigureSource;
import dev.vane.gateway.state.redis.RedisFigures;
import dev.vane.gateway.state.redis.RedisSettings;
import dev.vane.gateway.state.redis.RedisStickyStore;
import dev.vane.router.InMemoryStickyStore;
import dev.vane.router.StickyStore;

/** Chooses the sticky store a config asks for. */
public final class Stores {
  private Stores() {}

  public static StickyStore forConfig(VaneConfig cfg) {
    StateSettings s = cfg.state();
    if (s.isRedis()) {
      StateSettings.Redis r = s.redis();
      return new RedisStickyStore(new RedisSettings(r.uri(), s.ttl(), r.cacheSize(), r.cacheStaleness(),
          r.commandTimeout(), r.maxPendingWrites(), r.invalidations(), r.startupGrace()));
    }
    return memory(cfg);
  }

  /** The in-memory sticky store a config asks for. */
  public static StickyStore memory(VaneConfig cfg) {
    return new InMemoryStickyStore(cfg.state().memoryMaxEntries(), cfg.state().ttl());
  }

  public static FigureSource figuresFor(VaneConfig cfg) {
    if (cfg.state().isRedis()) {
      StateSettings.Redis r = cfg.state().redis();
      return new RedisFigures(r.uri(), r.flushInterval(), r.commandTimeout());
    }
    return FigureSource.local();
  }
}

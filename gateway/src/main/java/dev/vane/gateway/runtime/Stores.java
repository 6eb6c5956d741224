package dev.vane.gateway.runtime;

import dev.vane.config.StateSettings;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.counters.FigureSource;
import dev.vane.gateway.feedback.FeedbackBackend;
import dev.vane.gateway.state.redis.RedisFeedback;
import dev.vane.gateway.state.redis.RedisFigures;
import dev.vane.gateway.state.redis.RedisSettings;
import dev.vane.gateway.state.redis.RedisStickyStore;
import dev.vane.router.InMemoryStickyStore;
import dev.vane.router.StickyStore;

/**
 * Builds the state a config asks for: the sticky store, and the figures and feedback state shared with other
 * instances. With Redis, all of them connect through the process's one
 * {@link dev.vane.gateway.state.redis.RedisConnections} (one Lettuce {@code ClientResources}), which each of them
 * holds until it is closed and which shuts down after the last.
 */
public final class Stores {
  private Stores() {}

  /** Figures and feedback state, closed together (figures first) by {@link #close()}. */
  public record Shared(FigureSource figures, FeedbackBackend feedback) implements AutoCloseable {
    /** This instance only. */
    public static Shared local() {
      return new Shared(FigureSource.local(), FeedbackBackend.local());
    }

    @Override
    public void close() {
      try {
        figures.close();
      } finally {
        feedback.close();
      }
    }
  }

  public static StickyStore forConfig(VaneConfig cfg) {
    StateSettings s = cfg.state();
    if (s.isRedis()) {
      return new RedisStickyStore(RedisSettings.of(s.ttl(), s.redis()));
    }
    return memory(cfg);
  }

  /** The in-memory sticky store a config asks for. */
  public static StickyStore memory(VaneConfig cfg) {
    return new InMemoryStickyStore(cfg.state().memoryMaxEntries(), cfg.state().ttl());
  }

  /** Figures and feedback state: in Redis when the config has a Redis, else this instance's own. */
  public static Shared sharedFor(VaneConfig cfg) {
    if (!cfg.state().isRedis()) {
      return Shared.local();
    }
    StateSettings.Redis r = cfg.state().redis();
    RedisFigures figures = new RedisFigures(r.uri(), r.flushInterval(), r.commandTimeout());
    return new Shared(figures, new RedisFeedback(r.uri(), r.flushInterval(), r.commandTimeout()));
  }
}

package dev.vane.gateway.state.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sticky store's link to Redis, and the one timer thread ({@code vane-redis-sticky-<n>}) on which the store's
 * background work runs: connection events, claim timeouts and the outage queue's drain.
 *
 * <p><b>Connecting and readiness.</b> {@link #start} connects in the background, retrying every 50 ms, doubling to
 * 1 s, until a first connection succeeds; after that Lettuce reconnects by itself (commands are rejected while
 * disconnected, never buffered). The store is {@link #started()} once connected, or once
 * {@link RedisSettings#startupGrace()} has passed on its clock without a connection.
 *
 * <p><b>Invalidations.</b> Where Redis supports it (6+, RESP3), Redis pushes the name of every key this link has read
 * that another client then changes ({@code CLIENT TRACKING ON NOLOOP}; reads inside the claim script count, see
 * {@link ClaimScript}), and the key is dropped from the {@link StickyCache}, so an assignment changed in Redis by
 * another instance or an operator is seen within a round trip. (BCAST mode would not do: Redis checks NOLOOP there
 * against the script's own client, so every claim would evict its own result.) After a reconnect, tracking is
 * switched on again and each confirmed cached entry is marked to be checked against Redis on its unit's next request
 * ({@link StickyCache#verifyConfirmed}): pushes sent while the link was down are lost. Where Redis refuses tracking,
 * a change is served stale for at most {@link RedisSettings#cacheStaleness()}. On a Redis Cluster tracking is per
 * primary's connection ({@link RedisLink#track}): a lost node connection or a changed topology (failover,
 * resharding) counts as a reconnect here (switched on again on every primary, cached entries checked).
 *
 * <p><b>Ticks.</b> Every {@value #TICK_MILLIS} ms and on each connection event, on the timer thread: log a change of
 * started, up or down; switch tracking on for a new link; and, while up, run the owner's task (the outage queue's
 * drain). All methods may be called from any thread; only {@link #close()} blocks.
 */
final class StickyConnection {
  /** Named after the store, as its log lines were before it was split into parts. */
  private static final Logger log = LoggerFactory.getLogger(RedisStickyStore.class);

  private static final long TICK_MILLIS = 100;
  private static final long MIN_CONNECT_BACKOFF_MILLIS = 50;
  private static final long MAX_CONNECT_BACKOFF_MILLIS = 1_000;
  /** How long Lettuce keeps a command in flight before cancelling it (then it is queued), at least. */
  private static final Duration MIN_GIVE_UP = Duration.ofSeconds(5);
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();

  private final RedisSettings settings;
  private final LongSupplier nanoClock;
  private final StickyCache cache;
  private final RedisConnections connections;
  private final Duration giveUp;
  private final ScheduledThreadPoolExecutor timer;
  private final long originNanos;
  private final long startupGraceNanos;

  private final AtomicBoolean lost = new AtomicBoolean();
  private final LongAdder reconnects = new LongAdder();
  private final LongAdder invalidations = new LongAdder();
  /** +1 each time the connection is lost: invalidations sent meanwhile never arrive. */
  private final AtomicLong linkGeneration = new AtomicLong();
  /** The link generation on which CLIENT TRACKING was last switched on (-1: never). */
  private volatile long trackedGeneration = -1;
  /** Redis refused CLIENT TRACKING (older than 6, RESP2 only, or not permitted): staleness only. */
  private volatile boolean trackingRefused;
  private boolean trackingInFlight; // timer thread only

  private volatile RedisLink link;
  private volatile boolean closed;
  private volatile String lastError;
  private Runnable whileUp = () -> {}; // set before the first tick
  private boolean reportedUp; // timer thread only
  private boolean reportedStarted; // timer thread only
  private long connectBackoffMillis = MIN_CONNECT_BACKOFF_MILLIS; // timer thread only
  private int failedConnects; // timer thread only

  /** A link not yet connecting (see {@link #start}); invalidations go to {@code cache}. */
  StickyConnection(RedisSettings settings, StickyCache cache, LongSupplier nanoClock) {
    this.settings = settings;
    this.cache = cache;
    this.nanoClock = nanoClock;
    this.originNanos = nanoClock.getAsLong();
    this.startupGraceNanos = saturatedNanos(settings.startupGrace());
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "vane-redis-sticky-" + THREAD_IDS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    Duration giveUp = settings.commandTimeout().multipliedBy(20);
    this.giveUp = giveUp.compareTo(MIN_GIVE_UP) < 0 ? MIN_GIVE_UP : giveUp;
    this.connections = RedisConnections.acquire();
  }

  /** Starts ticking and connecting; {@code whileUp} runs on the timer thread on each tick while the link is up. */
  void start(Runnable whileUp) {
    this.whileUp = whileUp;
    timer.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    timer.execute(this::connect);
  }

  /** The link when it is established and usable now, else null (not yet connected, lost, or closed). */
  RedisLink usable() {
    RedisLink conn = link;
    return closed || conn == null || !conn.isOpen() ? null : conn;
  }

  /**
   * True once the first connection to Redis succeeded (whatever happened to it since), or once
   * {@link RedisSettings#startupGrace()} has passed on the store's clock since this link was created.
   */
  boolean started() {
    return link != null || nanoClock.getAsLong() - originNanos >= startupGraceNanos;
  }

  /** True while the connection to Redis is established and usable. */
  boolean healthy() {
    return usable() != null;
  }

  /** Whether Redis currently pushes invalidations to this link (tracking on for the live connection). */
  boolean tracking() {
    return healthy() && trackedGeneration == linkGeneration.get();
  }

  /** Whether Redis refused CLIENT TRACKING: cached assignments then follow Redis only through their staleness. */
  boolean trackingRefused() {
    return trackingRefused;
  }

  /** Keys dropped from the cache because Redis said they changed (a FLUSHDB counts once), since creation. */
  long invalidations() {
    return invalidations.sum();
  }

  /** Times the connection was re-established after it had been lost, since creation. */
  long reconnects() {
    return reconnects.sum();
  }

  /** The last failure seen on this link (connecting, or a command), or null. */
  String lastError() {
    return lastError;
  }

  /** Records a command's failure as the last error. */
  void failed(Throwable cause) {
    lastError = RedisFailures.describe(cause);
  }

  boolean closed() {
    return closed;
  }

  /** Schedules on the timer thread; null when closed. */
  ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
    if (closed) {
      return null;
    }
    try {
      return timer.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  /** Stops the timer, closes the connection and releases the client's threads; blocks for up to a few seconds. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    timer.shutdownNow();
    RedisLink conn = link;
    try {
      if (conn != null) {
        conn.close();
      }
    } finally {
      connections.release();
    }
  }

  /** Runs every {@value #TICK_MILLIS} ms and on connection events, on the timer thread. */
  private void tick() {
    if (closed) {
      return;
    }
    boolean up = healthy();
    if (!reportedStarted && started()) {
      reportedStarted = true;
      if (link == null) {
        log.warn("Redis sticky store not connected to {} within startupGrace ({}); /readyz reports degraded and new "
            + "units get hashed arms until it connects", settings.redactedUri(), settings.startupGrace());
      }
    }
    if (up != reportedUp) {
      reportedUp = up;
      if (up) {
        log.info("Redis sticky store up: {}", settings.redactedUri());
      } else {
        log.warn("Redis sticky store down: {} ({}); serving hashed arms and the local cache, queueing up to {} "
            + "first-writes", settings.redactedUri(), lastError, settings.maxPendingWrites());
      }
    }
    if (up) {
      armTracking();
      whileUp.run();
    }
  }

  /**
   * Switches tracking on for the live connection, once per connection, and after a reconnect marks the cached
   * entries for checking (see the class comment). Timer thread only.
   */
  private void armTracking() {
    RedisLink conn = link;
    long gen = linkGeneration.get();
    if (!settings.invalidations() || trackingRefused || trackingInFlight || trackedGeneration == gen
        || conn == null || !conn.isOpen()) {
      return;
    }
    trackingInFlight = true;
    conn.track(TrackingArgs.Builder.enabled().noloop())
        .whenComplete((ok, failure) -> schedule(() -> {
          trackingInFlight = false;
          if (failure == null) {
            if (linkGeneration.get() != gen) {
              return; // lost again meanwhile: the next tick arms the new link
            }
            boolean first = trackedGeneration < 0;
            boolean cluster = RedisTopology.parse(settings.uri()).kind() == RedisTopology.Kind.CLUSTER;
            trackedGeneration = gen;
            if (!first) {
              // the next request for each confirmed unit claims it again with the cached arm as candidate, so
              // Redis's value wins (changes made while the link was down included) and a key Redis lost (a restart
              // without persistence) is written back with the arm the unit had; provisional entries wait for
              // their queued write
              cache.verifyConfirmed();
            }
            if (first || !cluster) { // a cluster re-arms on every topology change
              log.info("Redis sticky store: invalidations on ({}*{}); cached assignments follow changes in Redis",
                  RedisKeys.STICKY, cluster ? ", tracked on each cluster primary's connection" : "");
            }
          } else if (RedisFailures.unwrap(failure) instanceof RedisCommandExecutionException refused) {
            trackingRefused = true;
            log.warn("Redis sticky store: Redis refused CLIENT TRACKING ({}); a change made in Redis reaches this "
                + "instance's cache only after cacheStaleness ({})", refused.getMessage(), settings.cacheStaleness());
          }
          // otherwise the link failed: the next tick tries again
        }, 0));
  }

  /** RESP3 {@code invalidate} pushes: {@code [invalidate, [key, ...]]}, or a null list when Redis was flushed. */
  private final RedisLink.Events events = new RedisLink.Events() {
    @Override
    public void onReconnected() {
      if (lost.compareAndSet(true, false)) {
        reconnects.increment();
      }
      schedule(StickyConnection.this::tick, 0);
    }

    @Override
    public void onDisconnected() {
      linkGeneration.incrementAndGet();
      lost.set(true);
      lastError = "connection lost";
    }

    @Override
    public void onNodesChanged() {
      linkGeneration.incrementAndGet();
      schedule(StickyConnection.this::tick, 0);
    }

    @Override
    public void onPush(PushMessage message) {
      if (!"invalidate".equals(message.getType())) {
        return;
      }
      List<Object> content = message.getContent(StringCodec.UTF8::decodeKey);
      Object keys = content.size() > 1 ? content.get(1) : null;
      if (keys instanceof List<?> list) {
        for (Object k : list) {
          if (k instanceof String key) {
            cache.invalidate(key);
            invalidations.increment();
          }
        }
      } else {
        cache.clearedAll(); // FLUSHDB / FLUSHALL
        invalidations.increment();
      }
    }
  };

  private void connect() {
    if (closed) {
      return;
    }
    connections.connect(settings.uri(), giveUp, events).whenComplete((conn, failure) -> {
      if (failure == null) {
        if (closed) {
          conn.closeAsync();
          return;
        }
        link = conn;
        schedule(this::tick, 0);
        return;
      }
      lastError = RedisFailures.describe(RedisFailures.unwrap(failure));
      schedule(() -> {
        failedConnects++;
        if (failedConnects == 1) {
          log.warn("Redis sticky store cannot connect to {} ({}); serving without Redis and retrying",
              settings.redactedUri(), lastError);
        } else {
          log.debug("Redis sticky store connect attempt {} to {} failed: {}", failedConnects,
              settings.redactedUri(), lastError);
        }
        long delay = connectBackoffMillis;
        connectBackoffMillis = Math.min(MAX_CONNECT_BACKOFF_MILLIS, connectBackoffMillis * 2);
        schedule(this::connect, TimeUnit.MILLISECONDS.toNanos(delay));
      }, 0);
    });
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }
}

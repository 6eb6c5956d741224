package dev.vane.gateway.state.redis;

import dev.vane.gateway.state.redis.StickyCache.CacheKey;
import dev.vane.router.StickyStore;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sticky assignments shared by several gateway instances through Redis (Lettuce), with a bounded local cache in
 * front and a gateway that keeps serving when Redis does not.
 *
 * <p><b>Key layout.</b> One string key per unit, {@code vane:sticky:<experiment>:<salt>:<unit>}, whose value is the
 * arm id and which expires {@link RedisSettings#ttl()} after it was written or last refreshed. In each of the three
 * ids {@code %} is written {@code %25} and {@code :} is written {@code %3A}, so ids containing ':' cannot collide
 * ({@link #key}).
 *
 * <p><b>First write wins.</b> A claim runs one Lua script (EVALSHA, falling back to EVAL on NOSCRIPT): GET; when
 * nil, or equal to the replaceable arm, SET the candidate with the TTL and report it created; otherwise return the
 * stored arm. Two instances racing on a new unit therefore agree: Redis runs scripts one at a time.
 *
 * <p><b>Local cache and staleness.</b> Answers from Redis are cached locally (at most
 * {@link RedisSettings#cacheSize()} units, each for between 3/4 of and the whole {@link RedisSettings#cacheStaleness()}
 * after it was written to the cache, never refreshed by reads; the fraction is fixed per unit by a hash of its key,
 * so units loaded together, e.g. at startup, come back to Redis spread over a quarter of the staleness instead of
 * in one wave). A warm unit costs no Redis round trip.
 *
 * <p><b>Invalidations.</b> Where Redis supports it (6+, RESP3), the store has Redis push the name of every key it
 * has read that another client then changes ({@code CLIENT TRACKING ON NOLOOP}; reads inside the claim script count,
 * and the script reads a key again after writing it, because a write makes Redis forget the key for the writer too)
 * and drops it from the local cache, so an assignment changed in Redis by another instance or an operator is seen
 * within a round trip. (BCAST mode would not do: Redis checks NOLOOP there against the script's own client, so every
 * claim would evict its own result.) After a reconnect, tracking is switched on again and each confirmed cached
 * entry is checked against Redis on its unit's next request, with the cached arm as the candidate (pushes sent while
 * the link was down are lost; a Redis that lost its data gets the cached arms back). Where Redis refuses tracking, a
 * change is served stale for at most {@code cacheStaleness}, which is otherwise the safety net.
 *
 * <p><b>Lazy TTL refresh.</b> The TTL is not refreshed per request. The claim script re-arms it when less than
 * {@code ttl / 2} remains; a unit served from the local cache sends one PEXPIRE when its Redis key is due for the
 * same (tracked by a timestamp in the cache entry), so an active unit costs at most one refresh per {@code ttl / 2}.
 * Keys without a TTL (set by an operator) are left without one.
 *
 * <p><b>Faults.</b> A claim that Redis does not answer within {@link RedisSettings#commandTimeout()}, or that
 * cannot be sent because Redis is down, completes with the caller's candidate, which is cached locally as a
 * provisional entry (a <i>provisional answer</i>, counted in {@link #stats()}). When the command later succeeds, its
 * winner replaces the provisional entry (when another instance had won the race meanwhile, the unit moves to that
 * arm from its next request on, counted as <i>overruled</i>); when it fails, the
 * claim goes to a bounded queue of pending first-writes (at most {@link RedisSettings#maxPendingWrites()} units;
 * excess is dropped and counted), drained by first-write-wins once Redis is back, each winner updating the local
 * cache. So a unit served a hashed arm during an outage keeps it when Redis had no earlier assignment, and moves to
 * Redis's arm when it had one. The store starts when Redis is unreachable and keeps connecting in the background
 * (it reports {@link #started()} once connected, or once {@link RedisSettings#startupGrace()} has passed without a
 * connection); after a first connection Lettuce reconnects by itself (commands are rejected while disconnected,
 * never buffered).
 * Queued claims still pending at {@link #close()} are lost.
 *
 * <p><b>Threading.</b> All methods may be called from any thread and none blocks, except {@link #close()}.
 * {@link #peek} answers from the local cache (it may fire an asynchronous PEXPIRE). The stage returned by
 * {@link #claim} completes on the calling thread when it is answered locally, on a Lettuce I/O thread when Redis
 * answers, or on this store's timer thread ({@code vane-redis-sticky}) on timeout: callers on a Vert.x event loop
 * must hop back to their context (e.g. {@code Future.fromCompletionStage(stage, context)}) and must not block in
 * continuations. Commands share one connection and are pipelined: each is written without waiting for earlier
 * replies.
 */
public final class RedisStickyStore implements StickyStore {
  private static final Logger log = LoggerFactory.getLogger(RedisStickyStore.class);

  // KEYS[1] key; ARGV[1] candidate; ARGV[2] replaceable or ''; ARGV[3] '1' when ARGV[2] is set; ARGV[4] ttl in ms;
  // ARGV[5] refresh threshold in ms (ttl / 2). Returns {winner, 1 when created else 0, remaining ttl in ms or -1}.
  // A write forgets the key in Redis's tracking table, also for the writer (NOLOOP only skips its push), so a
  // script that wrote reads the key again to stay subscribed to its invalidations.
  static final String CLAIM_SCRIPT = """
      local v = redis.call('GET', KEYS[1])
      if (not v) or (ARGV[3] == '1' and v == ARGV[2]) then
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
        redis.call('GET', KEYS[1])
        return {ARGV[1], 1, tonumber(ARGV[4])}
      end
      local pttl = redis.call('PTTL', KEYS[1])
      if pttl >= 0 and pttl < tonumber(ARGV[5]) then
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        redis.call('GET', KEYS[1])
        pttl = tonumber(ARGV[4])
      end
      return {v, 0, pttl}
      """;
  static final String CLAIM_SCRIPT_SHA = sha1Hex(CLAIM_SCRIPT);

  private static final int DRAIN_BATCH = 256;
  private static final long TICK_MILLIS = 100;
  private static final long MIN_CONNECT_BACKOFF_MILLIS = 50;
  private static final long MAX_CONNECT_BACKOFF_MILLIS = 1_000;
  /** How long Lettuce keeps a command in flight before cancelling it (then it is queued), at least. */
  private static final Duration MIN_GIVE_UP = Duration.ofSeconds(5);
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();

  private final RedisSettings settings;
  private final LongSupplier nanoClock;
  private final RedisConnections connections;
  private final Duration giveUp;
  private final ScheduledThreadPoolExecutor timer;
  private final StickyCache cache;
  private final long originNanos;
  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicInteger pendingCount = new AtomicInteger();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean lost = new AtomicBoolean();
  private final long ttlMillis;
  private final long timeoutNanos;
  private final long startupGraceNanos;
  private final String[] ttlArgs;

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder claims = new LongAdder();
  private final LongAdder provisionalAnswers = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder overruled = new LongAdder();
  private final LongAdder queued = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder reconnects = new LongAdder();
  private final AtomicLong drainedSinceUp = new AtomicLong();
  private final LongAdder invalidations = new LongAdder();
  /** +1 each time the connection is lost: invalidations sent meanwhile never arrive. */
  private final AtomicLong linkGeneration = new AtomicLong();
  /** The link generation on which CLIENT TRACKING was last switched on (-1: never). */
  private volatile long trackedGeneration = -1;
  /** Redis refused CLIENT TRACKING (older than 6, RESP2 only, or not permitted): staleness only. */
  private volatile boolean trackingRefused;
  private boolean trackingInFlight; // timer thread only

  private volatile RedisLink connection;
  private volatile boolean closed;
  private volatile String lastError;
  private boolean reportedUp; // timer thread only
  private boolean reportedStarted; // timer thread only
  private long connectBackoffMillis = MIN_CONNECT_BACKOFF_MILLIS; // timer thread only
  private int failedConnects; // timer thread only

  /** A store with the system nanosecond clock; connects in the background and returns at once. */
  public RedisStickyStore(RedisSettings settings) {
    this(settings, System::nanoTime);
  }

  /**
   * A store whose local cache expiry and TTL refresh bookkeeping read {@code nanoClock} (for tests); Redis's own
   * TTLs run on Redis's clock. Connects in the background and returns at once.
   */
  public RedisStickyStore(RedisSettings settings, LongSupplier nanoClock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.ttlMillis = settings.ttl().toMillis();
    this.timeoutNanos = settings.commandTimeout().toNanos();
    this.startupGraceNanos = saturatedNanos(settings.startupGrace());
    this.ttlArgs = new String[] {Long.toString(ttlMillis), Long.toString(ttlMillis / 2)};
    this.originNanos = nanoClock.getAsLong();
    this.cache = new StickyCache(settings.cacheSize(), settings.cacheStaleness(), settings.ttl(), nanoClock);

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

    timer.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    timer.execute(this::connect);
  }

  @Override
  public String peek(String experiment, String salt, String unit) {
    long now = nanoClock.getAsLong();
    CacheKey ck = CacheKey.of(experiment, salt, unit);
    long entry = cache.live(ck, now);
    if (entry == 0) {
      misses.increment();
      return null;
    }
    if (cache.toVerify(entry)) {
      misses.increment(); // to be checked with Redis after a reconnect: the caller claims, with this arm
      return null;
    }
    hits.increment();
    if (!StickyCache.provisional(entry) && cache.refreshDue(entry, now)) {
      maybeRefreshTtl(RedisKeys.sticky(experiment, salt, unit), ck, entry, now);
    }
    return cache.arm(entry);
  }

  @Override
  public CompletionStage<Claim> claim(String experiment, String salt, String unit, String candidate,
      String replaceable) {
    Objects.requireNonNull(candidate, "candidate");
    String key = RedisKeys.sticky(experiment, salt, unit);
    CacheKey ck = CacheKey.of(experiment, salt, unit);
    long cached = cache.live(ck, nanoClock.getAsLong());
    String cachedArm = cached == 0 ? null : cache.arm(cached);
    boolean verifying = false;
    if (cachedArm != null && !cachedArm.equals(replaceable)) {
      if (!cache.toVerify(cached)) {
        hits.increment();
        return CompletableFuture.completedFuture(new Claim(cachedArm, false));
      }
      verifying = true;
    }
    // cached before a reconnect: Redis's arm wins, and where Redis lost the key it gets the cached arm back
    String proposed = verifying ? cachedArm : candidate;
    RedisLink conn = connection;
    if (closed || conn == null || !conn.isOpen()) {
      provisionalAnswers.increment();
      Claim local = cache.provisional(ck, proposed, replaceable);
      enqueue(key, new Pending(proposed, replaceable), false);
      return CompletableFuture.completedFuture(local);
    }
    claims.increment();
    CompletableFuture<Claim> result = new CompletableFuture<>();
    // the first answer, Redis's or the local one; set before `result` completes, so counters are current by then
    AtomicReference<Claim> answer = new AtomicReference<>();
    CompletableFuture<Reply> reply = runScript(conn, key, proposed, replaceable);
    ScheduledFuture<?> timeout = schedule(() -> answerLocally(result, answer, ck, proposed, replaceable, true),
        timeoutNanos);
    reply.whenComplete((r, failure) -> {
      if (timeout != null) {
        timeout.cancel(false);
      }
      if (failure == null) {
        cache.put(ck, cache.confirmed(r.arm, r.pttlMillis, proposed, replaceable));
        Claim verdict = new Claim(r.arm, r.created);
        if (answer.compareAndSet(null, verdict)) {
          result.complete(verdict);
        } else if (!answer.get().arm().equals(r.arm)) {
          overruled.increment(); // answered locally after the timeout, and another instance had won
        }
      } else {
        answerLocally(result, answer, ck, proposed, replaceable, false);
        failed(key, new Pending(proposed, replaceable), unwrap(failure), false);
      }
    });
    return result;
  }

  /**
   * Completes {@code result} with the local answer (the candidate, unless another local answer came first), unless
   * Redis answered first; {@code timedOut} when Redis is connected but did not answer within the command timeout.
   */
  private void answerLocally(CompletableFuture<Claim> result, AtomicReference<Claim> answer, CacheKey ck,
      String candidate, String replaceable, boolean timedOut) {
    if (answer.get() == null) {
      Claim local = cache.provisional(ck, candidate, replaceable);
      if (answer.compareAndSet(null, local)) {
        provisionalAnswers.increment();
        if (timedOut) {
          timeouts.increment();
        }
        result.complete(local);
      }
    }
  }

  private void maybeRefreshTtl(String key, CacheKey ck, long entry, long now) {
    RedisLink conn = connection;
    if (closed || conn == null || !conn.isOpen()) {
      return;
    }
    long next = cache.refreshed(entry, now);
    if (cache.compareAndSet(ck, entry, next)) {
      RedisClusterAsyncCommands<String, String> commands = conn.commands();
      commands.pexpire(key, ttlMillis).whenComplete((ok, failure) -> {
        if (failure != null) {
          cache.compareAndSet(ck, next, entry); // the next read retries
        }
      });
      if (settings.invalidations()) {
        commands.get(key); // the write made Redis forget this reader: read it again to keep its invalidations
      }
    }
  }

  private CompletableFuture<Reply> runScript(RedisLink conn, String key,
      String candidate, String replaceable) {
    String[] keys = {key};
    String[] args = {candidate, replaceable == null ? "" : replaceable, replaceable == null ? "0" : "1", ttlArgs[0],
        ttlArgs[1]};
    try {
      RedisClusterAsyncCommands<String, String> commands = conn.commands();
      return commands.<List<Object>>evalsha(CLAIM_SCRIPT_SHA, ScriptOutputType.MULTI, keys, args)
          .toCompletableFuture()
          .exceptionallyCompose(failure -> unwrap(failure) instanceof RedisNoScriptException
              ? commands.<List<Object>>eval(CLAIM_SCRIPT, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
              : CompletableFuture.failedFuture(failure))
          .thenApply(Reply::parse);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void failed(String key, Pending claim, Throwable cause, boolean requeue) {
    lastError = cause.getClass().getSimpleName() + ": " + cause.getMessage();
    if (retryable(cause)) {
      enqueue(key, claim, requeue);
    } else {
      dropped.increment();
      log.warn("Redis rejected the sticky claim for {}: {}", key, lastError);
    }
  }

  private static boolean retryable(Throwable cause) {
    return !(cause instanceof RedisCommandExecutionException)
        || cause instanceof RedisBusyException || cause instanceof RedisLoadingException
        || String.valueOf(cause.getMessage()).startsWith("OOM")
        || String.valueOf(cause.getMessage()).startsWith("MASTERDOWN")
        || String.valueOf(cause.getMessage()).startsWith("READONLY");
  }

  private void enqueue(String key, Pending claim, boolean requeue) {
    if (closed || pending.containsKey(key)) {
      return;
    }
    if (pendingCount.incrementAndGet() > settings.maxPendingWrites()) {
      pendingCount.decrementAndGet();
      dropped.increment();
      return;
    }
    if (pending.putIfAbsent(key, claim) != null) {
      pendingCount.decrementAndGet();
    } else if (!requeue) {
      queued.increment();
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
      if (connection == null) {
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
    }
    if (up && !pending.isEmpty() && draining.compareAndSet(false, true)) {
      drainBatch();
    }
  }

  /**
   * Server-assisted invalidation (see the class comment): switches tracking on for the live connection, once per
   * connection, and after a reconnect marks the cached entries for checking. Timer thread only.
   */
  private void armTracking() {
    RedisLink conn = connection;
    long gen = linkGeneration.get();
    if (!settings.invalidations() || trackingRefused || trackingInFlight || trackedGeneration == gen || conn == null
        || !conn.isOpen()) {
      return;
    }
    trackingInFlight = true;
    conn.commands().clientTracking(TrackingArgs.Builder.enabled().noloop())
        .whenComplete((ok, failure) -> schedule(() -> {
          trackingInFlight = false;
          if (failure == null) {
            if (linkGeneration.get() != gen) {
              return; // lost again meanwhile: the next tick arms the new link
            }
            boolean first = trackedGeneration < 0;
            trackedGeneration = gen;
            if (!first) {
              verifyConfirmed();
            }
            log.info("Redis sticky store: invalidations on ({}*); cached assignments follow changes in Redis",
                RedisKeys.STICKY);
          } else if (unwrap(failure) instanceof RedisCommandExecutionException refused) {
            trackingRefused = true;
            log.warn("Redis sticky store: Redis refused CLIENT TRACKING ({}); a change made in Redis reaches this "
                + "instance's cache only after cacheStaleness ({})", refused.getMessage(), settings.cacheStaleness());
          }
          // otherwise the link failed: the next tick tries again
        }, 0));
  }

  /**
   * Marks every assignment confirmed by Redis for checking: the next request for each unit claims it again with the
   * cached arm as candidate, so Redis's value wins (changes made while the link was down included) and a key Redis
   * lost (a restart without persistence) is written back with the arm the unit had. Provisional entries stay as
   * they are until their queued write lands.
   */
  private void verifyConfirmed() {
    cache.verifyConfirmed();
  }

  /** RESP3 {@code invalidate} pushes: {@code [invalidate, [key, ...]]}, or a null list when Redis was flushed. */
  private final RedisLink.Events linkEvents = new RedisLink.Events() {
    @Override
    public void onReconnected() {
      if (lost.compareAndSet(true, false)) {
        reconnects.increment();
      }
      schedule(RedisStickyStore.this::tick, 0);
    }

    @Override
    public void onDisconnected() {
      linkGeneration.incrementAndGet();
      lost.set(true);
      lastError = "connection lost";
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

  /** Whether Redis currently pushes invalidations to this store (tracking on for the live connection). */
  public boolean tracking() {
    return healthy() && trackedGeneration == linkGeneration.get();
  }

  /** Keys dropped from the local cache because Redis said they changed, since this store was created. */
  public long invalidations() {
    return invalidations.sum();
  }

  /** Sends up to {@value #DRAIN_BATCH} queued claims, and the next batch once all have succeeded. */
  private void drainBatch() {
    RedisLink conn = connection;
    if (closed || conn == null || !conn.isOpen()) {
      draining.set(false);
      return;
    }
    List<CompletableFuture<Boolean>> batch = new ArrayList<>(DRAIN_BATCH);
    Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator();
    while (batch.size() < DRAIN_BATCH && it.hasNext()) {
      Map.Entry<String, Pending> e = it.next();
      String key = e.getKey();
      Pending claim = e.getValue();
      if (!pending.remove(key, claim)) {
        continue;
      }
      pendingCount.decrementAndGet();
      claims.increment();
      batch.add(runScript(conn, key, claim.candidate, claim.replaceable).handle((reply, failure) -> {
        if (failure == null) {
          cache.put(CacheKey.of(key),
              cache.confirmed(reply.arm, reply.pttlMillis, claim.candidate, claim.replaceable));
          if (!reply.arm.equals(claim.candidate)) {
            overruled.increment(); // served the candidate during the outage; Redis had another arm
          }
          drainedSinceUp.incrementAndGet();
          return true;
        }
        failed(key, claim, unwrap(failure), true);
        return false;
      }));
    }
    if (batch.isEmpty()) {
      draining.set(false);
      long drained = drainedSinceUp.getAndSet(0);
      if (drained > 0) {
        log.info("Redis sticky store wrote {} first-writes queued while Redis was unavailable", drained);
      }
      return;
    }
    CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).whenComplete((ignored, never) -> {
      boolean allWritten = batch.stream().allMatch(CompletableFuture::join);
      if (!allWritten || schedule(this::drainBatch, 0) == null) {
        draining.set(false);
      }
    });
  }

  private void connect() {
    if (closed) {
      return;
    }
    connections.connect(settings.uri(), giveUp, linkEvents).whenComplete((conn, failure) -> {
      if (failure == null) {
        if (closed) {
          conn.closeAsync();
          return;
        }
        connection = conn;
        schedule(this::tick, 0);
        return;
      }
      Throwable cause = unwrap(failure);
      lastError = cause.getClass().getSimpleName() + ": " + cause.getMessage();
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

  /** Schedules on the timer thread; null when the store is closed. */
  private ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
    if (closed) {
      return null;
    }
    try {
      return timer.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  /**
   * True once the first connection to Redis succeeded (whatever happened to it since), or once
   * {@link RedisSettings#startupGrace()} has passed on this store's clock since it was created.
   */
  @Override
  public boolean started() {
    return connection != null || nanoClock.getAsLong() - originNanos >= startupGraceNanos;
  }

  /** True while the connection to Redis is established and usable. */
  @Override
  public boolean healthy() {
    RedisLink conn = connection;
    return !closed && conn != null && conn.isOpen();
  }

  @Override
  public String describe() {
    boolean up = healthy();
    StringBuilder sb = new StringBuilder("redis ").append(settings.redactedUri())
        .append(up ? " up" : started() ? " down" : " connecting")
        .append(" (pending writes=").append(pendingCount.get()).append('/').append(settings.maxPendingWrites())
        .append(", dropped=").append(dropped.sum())
        .append(", provisional answers=").append(provisionalAnswers.sum())
        .append(" (timeouts=").append(timeouts.sum()).append(", overruled=").append(overruled.sum()).append(')')
        .append(", cached=").append(cache.size())
        .append(", invalidations=").append(tracking() ? "on" : trackingRefused ? "refused by Redis" : "off")
        .append(", staleness=").append(settings.cacheStaleness())
        .append(", ttl=").append(settings.ttl());
    String error = lastError;
    if (!up && error != null) {
      sb.append(", last error: ").append(error);
    }
    return sb.append(')').toString();
  }

  /** Counters since this store was created. */
  public RedisStoreStats stats() {
    return new RedisStoreStats(hits.sum(), misses.sum(), claims.sum(), provisionalAnswers.sum(), timeouts.sum(),
        overruled.sum(), queued.sum(), dropped.sum(), reconnects.sum());
  }

  /** {@link RedisStoreStats#provisionalAnswers()}: claims answered without Redis's verdict since creation. */
  @Override
  public long provisionalAnswers() {
    return provisionalAnswers.sum();
  }

  /** Number of first-writes queued for Redis now, at most {@link RedisSettings#maxPendingWrites()}. */
  public int pendingWrites() {
    return pendingCount.get();
  }

  /**
   * Number of units in the local cache; entries past their staleness deadline or dropped by an invalidation count
   * until their generation goes, and a unit carried into a newer generation may count twice meanwhile.
   */
  public long cacheSize() {
    return cache.size();
  }

  public RedisSettings settings() {
    return settings;
  }

  /**
   * Closes the connection and releases the client's threads; blocks for up to a few seconds, so call it from a
   * worker or shutdown thread, not an event loop. Queued first-writes not yet written are lost.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    timer.shutdownNow();
    int lostWrites = pendingCount.get();
    if (lostWrites > 0) {
      log.warn("Redis sticky store closed with {} queued first-writes not written", lostWrites);
    }
    RedisLink conn = connection;
    try {
      if (conn != null) {
        conn.close();
      }
    } finally {
      connections.release();
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  private static String sha1Hex(String script) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
          .digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private record Pending(String candidate, String replaceable) {}

  private record Reply(String arm, boolean created, long pttlMillis) {
    static Reply parse(List<Object> reply) {
      if (reply == null || reply.size() != 3) {
        throw new IllegalStateException("claim script reply: " + reply + " (expected: [arm, created, pttl])");
      }
      return new Reply(String.valueOf(reply.get(0)), ((Number) reply.get(1)).longValue() == 1,
          ((Number) reply.get(2)).longValue());
    }
  }
}

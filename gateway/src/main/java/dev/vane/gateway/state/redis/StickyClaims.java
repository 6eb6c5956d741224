package dev.vane.gateway.state.redis;

import dev.vane.gateway.state.redis.StickyCache.CacheKey;
import dev.vane.router.StickyStore.Claim;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sticky store's writes to Redis: claims by first write wins ({@link ClaimScript}), answered locally when Redis
 * does not answer, the outage queue of first-writes that Redis could not take, and the lazy refresh of the TTL of
 * units served from the cache.
 *
 * <p><b>Local answers.</b> A claim that Redis does not answer within {@link RedisSettings#commandTimeout()}, or that
 * cannot be sent because Redis is down, completes with the proposed arm, which is cached as a provisional entry (a
 * <i>provisional answer</i>). When the command later succeeds, its winner replaces the provisional entry (when
 * another instance had won the race meanwhile, the unit moves to that arm from its next request on, counted as
 * <i>overruled</i>).
 *
 * <p><b>Outage queue.</b> A claim that fails, or that could not be sent, goes to a bounded queue of pending
 * first-writes (one per key, at most {@link RedisSettings#maxPendingWrites()}; excess is dropped and counted, and so
 * is a claim Redis rejects for good), drained by first write wins in batches of {@value #DRAIN_BATCH} while Redis is
 * up, each winner updating the cache. So a unit served a hashed arm during an outage keeps it when Redis had no
 * earlier assignment, and moves to Redis's arm when it had one. Claims still queued when the store closes are lost.
 *
 * <p><b>TTL refresh.</b> The script re-arms a key's TTL when less than {@code ttl / 2} remains; a unit served from the
 * cache sends one PEXPIRE when its key is due for the same (its cache entry records when), so an active unit costs at
 * most one refresh per {@code ttl / 2}.
 *
 * <p>All methods may be called from any thread and none blocks. A claim's stage completes on a Lettuce I/O thread
 * when Redis answers, on the caller's thread when Redis is down, or on the link's timer thread on timeout.
 */
final class StickyClaims {
  /** Named after the store, as its log lines were before it was split into parts. */
  private static final Logger log = LoggerFactory.getLogger(RedisStickyStore.class);

  private static final int DRAIN_BATCH = 256;

  private final RedisSettings settings;
  private final StickyCache cache;
  private final StickyConnection link;
  private final ClaimScript script;
  private final long ttlMillis;
  private final long timeoutNanos;

  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicInteger pendingCount = new AtomicInteger();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicLong drainedSinceUp = new AtomicLong();

  private final LongAdder claims = new LongAdder();
  private final LongAdder provisionalAnswers = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder overruled = new LongAdder();
  private final LongAdder queued = new LongAdder();
  private final LongAdder dropped = new LongAdder();

  private final LongSupplier wallMillis;

  /** @param wallMillis the wall clock in epoch milliseconds whose hour a new assignment records as first exposure */
  StickyClaims(RedisSettings settings, StickyCache cache, StickyConnection link, LongSupplier wallMillis) {
    this.settings = settings;
    this.wallMillis = wallMillis;
    this.cache = cache;
    this.link = link;
    this.script = new ClaimScript(settings.ttl());
    this.ttlMillis = settings.ttl().toMillis();
    this.timeoutNanos = settings.commandTimeout().toNanos();
  }

  /**
   * Claims the unit of {@code key} ({@code ck} in the cache) for {@code proposed} unless Redis holds another arm that
   * is not {@code replaceable}; answers locally, with {@code proposed}, when Redis is down or late (class comment).
   */
  CompletionStage<Claim> claim(String key, CacheKey ck, String proposed, String replaceable) {
    return claim(key, ck, proposed, replaceable, wallMillis.getAsLong());
  }

  /** {@link #claim(String, CacheKey, String, String)} recording {@code at} as the first exposure if it wins. */
  CompletionStage<Claim> claim(String key, CacheKey ck, String proposed, String replaceable, long at) {
    RedisLink conn = link.usable();
    if (conn == null) {
      provisionalAnswers.increment();
      Claim local = cache.provisional(ck, proposed, replaceable, at);
      enqueue(key, new Pending(proposed, replaceable, at), false);
      return CompletableFuture.completedFuture(local);
    }
    claims.increment();
    CompletableFuture<Claim> result = new CompletableFuture<>();
    // the first answer, Redis's or the local one; set before `result` completes, so counters are current by then
    AtomicReference<Claim> answer = new AtomicReference<>();
    CompletableFuture<ClaimScript.Reply> reply = script.run(conn, key, proposed, replaceable, at);
    ScheduledFuture<?> timeout = link.schedule(
        () -> answerLocally(result, answer, ck, proposed, replaceable, at, true), timeoutNanos);
    reply.whenComplete((r, failure) -> {
      if (timeout != null) {
        timeout.cancel(false);
      }
      if (failure == null) {
        cache.put(ck, cache.confirmed(r.arm(), r.pttlMillis(), proposed, replaceable), r.firstExposureMillis());
        Claim verdict = new Claim(r.arm(), r.created(), r.firstExposureMillis());
        if (answer.compareAndSet(null, verdict)) {
          result.complete(verdict);
        } else if (!answer.get().arm().equals(r.arm())) {
          overruled.increment(); // answered locally after the timeout, and another instance had won
        }
      } else {
        answerLocally(result, answer, ck, proposed, replaceable, at, false);
        failed(key, new Pending(proposed, replaceable, at), RedisFailures.unwrap(failure), false);
      }
    });
    return result;
  }

  /**
   * Completes {@code result} with the local answer (the candidate, unless another local answer came first), unless
   * Redis answered first; {@code timedOut} when Redis is connected but did not answer within the command timeout.
   */
  private void answerLocally(CompletableFuture<Claim> result, AtomicReference<Claim> answer, CacheKey ck,
      String candidate, String replaceable, long at, boolean timedOut) {
    if (answer.get() == null) {
      Claim local = cache.provisional(ck, candidate, replaceable, at);
      if (answer.compareAndSet(null, local)) {
        provisionalAnswers.increment();
        if (timedOut) {
          timeouts.increment();
        }
        result.complete(local);
      }
    }
  }

  /**
   * Re-arms the TTL of {@code key}, whose confirmed cache entry {@code entry} (at {@code ck}) is due for it at
   * {@code now}; does nothing when Redis is down or another thread refreshes it already.
   */
  void refreshTtl(String key, CacheKey ck, long entry, long now) {
    RedisLink conn = link.usable();
    if (conn == null) {
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

  private void failed(String key, Pending claim, Throwable cause, boolean requeue) {
    link.failed(cause);
    if (RedisFailures.retryable(cause)) {
      enqueue(key, claim, requeue);
    } else {
      dropped.increment();
      log.warn("Redis rejected the sticky claim for {}: {}", key, RedisFailures.describe(cause));
    }
  }

  private void enqueue(String key, Pending claim, boolean requeue) {
    if (link.closed() || pending.containsKey(key)) {
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

  /** Starts draining the outage queue unless it is empty or draining already; on the link's timer thread. */
  void drain() {
    if (!pending.isEmpty() && draining.compareAndSet(false, true)) {
      drainBatch();
    }
  }

  /** Sends up to {@value #DRAIN_BATCH} queued claims, and the next batch once all have succeeded. */
  private void drainBatch() {
    RedisLink conn = link.usable();
    if (conn == null) {
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
      batch.add(script.run(conn, key, claim.candidate, claim.replaceable, claim.at).handle((reply, failure) -> {
        if (failure == null) {
          cache.put(CacheKey.of(key),
              cache.confirmed(reply.arm(), reply.pttlMillis(), claim.candidate, claim.replaceable),
              reply.firstExposureMillis());
          if (!reply.arm().equals(claim.candidate)) {
            overruled.increment(); // served the candidate during the outage; Redis had another arm
          }
          drainedSinceUp.incrementAndGet();
          return true;
        }
        failed(key, claim, RedisFailures.unwrap(failure), true);
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
      if (!allWritten || link.schedule(this::drainBatch, 0) == null) {
        draining.set(false);
      }
    });
  }

  /** Logs the queued first-writes lost with the store; call after the link closed (nothing is queued then). */
  void closed() {
    int lostWrites = pendingCount.get();
    if (lostWrites > 0) {
      log.warn("Redis sticky store closed with {} queued first-writes not written", lostWrites);
    }
  }

  /** First-write-wins scripts sent to Redis, by claims and by the drain, since creation. */
  long claims() {
    return claims.sum();
  }

  /** Claims answered locally, without Redis's verdict, since creation. */
  long provisionalAnswers() {
    return provisionalAnswers.sum();
  }

  /** Provisional answers given because a connected Redis did not answer within the command timeout. */
  long timeouts() {
    return timeouts.sum();
  }

  /** Provisional answers whose unit Redis later gave another arm. */
  long overruled() {
    return overruled.sum();
  }

  /** Claims put in the outage queue since creation. */
  long queued() {
    return queued.sum();
  }

  /** Claims not queued because the queue was full, or that Redis rejected for good, since creation. */
  long dropped() {
    return dropped.sum();
  }

  /** First-writes in the outage queue now, at most {@link RedisSettings#maxPendingWrites()}. */
  int pendingWrites() {
    return pendingCount.get();
  }

  /** A first-write waiting for Redis; {@code at}: when it was asked for (its first exposure if it wins). */
  private record Pending(String candidate, String replaceable, long at) {}
}

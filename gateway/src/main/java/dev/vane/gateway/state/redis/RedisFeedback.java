package dev.vane.gateway.state.redis;

import dev.vane.config.Redaction;
import dev.vane.gateway.feedback.Attribution;
import dev.vane.gateway.feedback.FeedbackBackend;
import io.lettuce.core.SetArgs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Feedback state shared by every gateway instance in Redis: attributions in hourly hashes
 * ({@link RedisKeys#attributions}), written in batches every {@code flushInterval} (one MULTI/EXEC per hour's hash:
 * HSET and PEXPIRE of that one key, so a transaction never spans slots), and event ids seen, with SET NX
 * ({@link RedisKeys#event}). While Redis is unreachable, attributions wait in a bounded queue (excess dropped and
 * counted); lookups find nothing and event ids are checked by the caller's local cache only.
 */
public final class RedisFeedback implements FeedbackBackend {
  /** Attributions buffered between flushes at most; excess dropped and counted. */
  static final int MAX_PENDING_ATTRIBUTIONS = 500_000;
  private static final long HOUR = 3_600_000L;

  private final RedisLinks links;
  private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pendingCount = new AtomicInteger();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder flushes = new LongAdder();
  private final LongAdder failedFlushes = new LongAdder();
  private final ScheduledExecutorService flusher;

  /** An attribution waiting for the next flush: its hour's hash, field, encoded value and the hash's TTL. */
  private record Pending(String bucket, String key, String value, long ttlMillis) {}

  public RedisFeedback(String redisUri, Duration flushInterval, Duration commandTimeout) {
    this.links = new RedisLinks(redisUri, commandTimeout, "feedback");
    this.flusher = RedisLinks.flusher("vane-feedback-", flushInterval, this::flushSafely);
    // connect as the gateway starts, on the flusher's thread: feedback checks event ids through this link
    flusher.execute(links::connectQuietly);
  }

  @Override
  public void share(String key, Attribution att, Duration window) {
    shareValue(key, att.encode(), att.atMillis(), window);
  }

  @Override
  public void shareValue(String key, String value, long atMillis, Duration window) {
    if (pendingCount.incrementAndGet() > MAX_PENDING_ATTRIBUTIONS) {
      pendingCount.decrementAndGet();
      dropped.increment();
      return;
    }
    pending.add(new Pending(RedisKeys.attributions(atMillis), key, value, window.toMillis() + HOUR));
  }

  @Override
  public CompletionStage<Attribution> lookup(String key, Duration window) {
    return lookupValue(key, window).thenApply(Attribution::decode);
  }

  @Override
  public CompletionStage<String> lookupValue(String key, Duration window) {
    RedisLink c = links.reader();
    if (c == null) {
      return CompletableFuture.completedFuture(null);
    }
    long now = System.currentTimeMillis();
    long hours = Math.min(24 * 31, window.toMillis() / HOUR + 1);
    List<CompletableFuture<String>> gets = new ArrayList<>();
    for (long h = 0; h <= hours; h++) {
      gets.add(c.commands().hget(RedisKeys.attributions(now - h * HOUR), key).toCompletableFuture());
    }
    return CompletableFuture.allOf(gets.toArray(new CompletableFuture[0]))
        .orTimeout(links.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(v -> {
          for (CompletableFuture<String> g : gets) {
            if (g.join() != null) {
              return g.join();
            }
          }
          return null;
        });
  }

  @Override
  public CompletionStage<Boolean> firstSeen(String experiment, String eventId, Duration window) {
    RedisLink c = links.reader();
    if (c == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("redis not connected"));
    }
    return c.commands().set(RedisKeys.event(experiment, eventId), "1",
            SetArgs.Builder.nx().px(Math.max(1, window.toMillis()) + HOUR))
        .toCompletableFuture().orTimeout(links.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .thenApply("OK"::equals);
  }

  private void flushSafely() {
    links.flushSafely(this::flush, flushes, failedFlushes);
  }

  /** Writes the queued attributions; throws when Redis did not apply some of them (those are queued again). */
  void flush() throws Exception {
    links.send(plan());
  }

  /** The transactions of the next flush: one per hour's hash; takes the queued attributions. */
  List<FlushBatch> plan() {
    Map<String, List<Pending>> byBucket = new HashMap<>();
    Pending p;
    while ((p = pending.poll()) != null) {
      pendingCount.decrementAndGet();
      byBucket.computeIfAbsent(p.bucket(), k -> new ArrayList<>()).add(p);
    }
    List<FlushBatch> batches = new ArrayList<>(byBucket.size());
    for (Map.Entry<String, List<Pending>> e : byBucket.entrySet()) {
      Map<String, String> fields = new HashMap<>();
      long ttl = 0;
      for (Pending item : e.getValue()) {
        fields.put(item.key(), item.value());
        ttl = Math.max(ttl, item.ttlMillis());
      }
      FlushBatch b = new FlushBatch(null);
      b.hset(e.getKey(), fields);
      b.pexpire(e.getKey(), ttl);
      List<Pending> taken = e.getValue();
      b.onFailure(() -> taken.forEach(this::requeue));
      batches.add(b);
    }
    return batches;
  }

  private void requeue(Pending item) {
    if (pendingCount.incrementAndGet() <= MAX_PENDING_ATTRIBUTIONS) {
      pending.add(item);
    } else {
      pendingCount.decrementAndGet();
      dropped.increment();
    }
  }

  /** Attributions waiting for the next flush now. */
  int pendingAttributions() {
    return pendingCount.get();
  }

  @Override
  public String describe() {
    String error = links.lastError();
    return "redis " + Redaction.uri(links.uri()) + (links.readerUp() ? " up" : " down") + " (flushes="
        + flushes.sum() + ", failed=" + failedFlushes.sum() + ", pending attributions=" + pendingCount.get()
        + ", attributions dropped=" + dropped.sum() + (error == null ? "" : ", last error: " + error) + ")";
  }

  /** Flushes once more (best effort) and disconnects. */
  @Override
  public void close() {
    flusher.shutdown();
    try {
      flusher.awaitTermination(2, TimeUnit.SECONDS);
      flushSafely();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    links.close();
  }
}

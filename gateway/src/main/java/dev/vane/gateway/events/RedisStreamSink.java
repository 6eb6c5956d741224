package dev.vane.gateway.events;

import dev.vane.config.EventSettings;
import dev.vane.config.Redaction;
import dev.vane.gateway.state.redis.RedisConnections;
import dev.vane.gateway.state.redis.RedisKeys;
import dev.vane.gateway.state.redis.RedisLink;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.XAddArgs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code XADD vane:{<experiment>}:events MAXLEN ~ <maxLen> * <fields>} per event, a batch's commands pipelined
 * (sent without waiting for each other) through one link of the process's {@link RedisConnections}: a standalone,
 * Sentinel-managed or cluster Redis alike (on a cluster each experiment's stream lives in its experiment's slot).
 *
 * <p>Delivery is at least once: an event whose XADD failed or was not answered in time is retried, and one that was
 * applied but not answered in time is written twice (consumers may deduplicate on {@code requestId}/{@code eventId}).
 * While the link is down, nothing is sent and the batch is answered as failed at once.
 */
final class RedisStreamSink implements EventSink {
  private static final Logger log = LoggerFactory.getLogger(RedisStreamSink.class);
  /** How often a failed first connect is tried again at most. */
  private static final long CONNECT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final String uri;
  private final Duration timeout;
  private final XAddArgs args;
  private final RedisConnections connections;
  private RedisLink link;
  private long nextConnectNanos;
  private String lastError;

  /**
   * @param uri     {@code state.redis.uri}
   * @param timeout how long a batch waits for its answers (and a connect)
   */
  RedisStreamSink(EventSettings.RedisStream settings, String uri, Duration timeout) {
    this.uri = uri;
    this.timeout = timeout;
    this.args = XAddArgs.Builder.maxlen(settings.maxLen()).approximateTrimming();
    this.connections = RedisConnections.acquire();
  }

  @Override
  public String name() {
    return "redis-stream";
  }

  @Override
  public List<Event> write(List<Event> batch) {
    RedisLink l = link();
    if (l == null || !l.isOpen()) {
      return batch;
    }
    List<RedisFuture<String>> sent = new ArrayList<>(batch.size());
    for (Event e : batch) {
      sent.add(l.commands().xadd(RedisKeys.events(e.experiment()), args, e.fields()));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Event> failed = new ArrayList<>();
    String error = null;
    for (int i = 0; i < sent.size(); i++) {
      try {
        sent.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        failed.addAll(batch.subList(i, batch.size()));
        break;
      } catch (Exception ex) {
        failed.add(batch.get(i));
        error = ex.toString();
      }
    }
    if (error != null && !error.equals(lastError)) {
      log.warn("events: XADD to {} failed for {} of {} events, retrying: {}", Redaction.uri(uri), failed.size(),
          batch.size(), error);
    }
    lastError = error;
    return failed;
  }

  /** The link, connecting it first (at most once a second while connecting fails). */
  private RedisLink link() {
    if (link != null) {
      return link;
    }
    if (System.nanoTime() - nextConnectNanos < 0) {
      return null;
    }
    try {
      link = connections.connect(uri, timeout, new RedisLink.Events() {})
          .get(timeout.toMillis() + 2_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      nextConnectNanos = System.nanoTime() + CONNECT_EVERY_NANOS;
      if (!e.toString().equals(lastError)) {
        log.warn("events: connecting to {} failed, retrying: {}", Redaction.uri(uri), e.toString());
      }
      lastError = e.toString();
    }
    return link;
  }

  @Override
  public void close() {
    try {
      if (link != null) {
        link.close();
      }
    } finally {
      connections.release();
    }
  }

  @Override
  public String toString() {
    return "redis-stream " + Redaction.uri(uri) + " (" + RedisKeys.events("<experiment>") + ")";
  }
}

package dev.vane.gateway.state.redis;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link RedisLink} connected on first use rather than at construction, for stores that must be constructible while
 * Redis is down (the config store, the audit log): {@link #get()} hands out the link, connecting it when there is
 * none yet or the last attempt failed; at most one attempt is in flight. Once connected, the link reconnects by
 * itself (and rejects commands while it is disconnected, so callers fail fast).
 */
public final class LazyRedisLink implements AutoCloseable {
  private final String uri;
  private final Duration timeout;
  private final RedisConnections connections;
  private CompletableFuture<RedisLink> link; // guarded by this
  private boolean closed; // guarded by this

  /**
   * @param timeout how long {@link #get()} waits for a connect, and how long Lettuce keeps a command in flight
   */
  public LazyRedisLink(String uri, Duration timeout) {
    this.uri = uri;
    this.timeout = timeout;
    this.connections = RedisConnections.acquire();
  }

  /** The link, connected now or within the timeout; fails with the connect's failure or a TimeoutException. */
  public CompletableFuture<RedisLink> get() {
    CompletableFuture<RedisLink> f;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(new IllegalStateException("closed"));
      }
      if (link == null || link.isCompletedExceptionally()) {
        link = connections.connect(uri, timeout, new RedisLink.Events() {});
      }
      f = link;
    }
    return f.isDone() ? f : f.copy().orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** The process's connection factory this link holds a share of (for a subscription beside it). */
  public RedisConnections connections() {
    return connections;
  }

  /** Closes the link (once its connect, if in flight, has ended) and releases the process's factory. */
  @Override
  public void close() {
    CompletableFuture<RedisLink> f;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      f = link;
    }
    try {
      if (f != null) {
        f.handle((l, e) -> {
          if (l != null) {
            l.close();
          }
          return null;
        }).get(timeout.toMillis() + 2_000, java.util.concurrent.TimeUnit.MILLISECONDS);
      }
    } catch (Exception ignored) {
      // a connect that never ends: the factory's shutdown below closes it
    } finally {
      connections.release();
    }
  }
}

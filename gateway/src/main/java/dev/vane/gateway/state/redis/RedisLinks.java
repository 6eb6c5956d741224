package dev.vane.gateway.state.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.TransactionResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two links of a periodic Redis writer (figures, feedback): a writer link used only by its flusher thread, for
 * MULTI/EXEC, and a reader link for everything else (requests on other threads would otherwise join a
 * transaction), both made through the process's {@link RedisConnections} and connected by the flusher thread.
 */
final class RedisLinks {
  private static final Logger log = LoggerFactory.getLogger(RedisLinks.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final String uri;
  private final Duration timeout;
  private final String purpose;
  private final RedisConnections connections;
  private volatile RedisLink writer;
  private volatile RedisLink reader;
  private volatile String lastError;
  private volatile boolean closed;

  /**
   * @param commandTimeout the configured command timeout; reads and transactions wait 20 times as long, at least 1 s
   *                       (they are not on a request's path)
   */
  RedisLinks(String uri, Duration commandTimeout, String purpose) {
    this.uri = uri;
    this.timeout = commandTimeout.multipliedBy(20).compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1)
        : commandTimeout.multipliedBy(20);
    this.purpose = purpose;
    this.connections = RedisConnections.acquire();
  }

  /** A daemon thread running {@code flush} every {@code interval} (at least 10 ms). */
  static ScheduledExecutorService flusher(String name, Duration interval, Runnable flush) {
    ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    long every = Math.max(10, interval.toMillis());
    s.scheduleWithFixedDelay(flush, every, every, TimeUnit.MILLISECONDS);
    return s;
  }

  String uri() {
    return uri;
  }

  /** How long a read or a flush's transactions may take. */
  Duration timeout() {
    return timeout;
  }

  String lastError() {
    return lastError;
  }

  /** The reader link when it is connected now, else null. */
  RedisLink reader() {
    RedisLink r = reader;
    return r != null && r.isOpen() ? r : null;
  }

  boolean readerUp() {
    return reader() != null;
  }

  /** Connects what is not connected yet (blocks the flusher thread up to the connect timeout), then flushes. */
  void flushSafely(Flush flush, LongAdder flushes, LongAdder failed) {
    try {
      ensureReader(); // connected here, so reads never wait on a connect
      flush.run();
      lastError = null;
    } catch (Exception e) {
      failed.increment();
      lastError = e.toString();
      log.debug("{} flush failed, retrying next interval: {}", purpose, e.toString());
      return;
    }
    flushes.increment();
  }

  /** The reader link, connected first when it is not (once: under this object's monitor). */
  private synchronized RedisLink ensureReader() throws Exception {
    if (reader == null) {
      reader = connect();
    }
    return reader;
  }

  /**
   * Connects the reader link now, on the calling thread, rather than at the first flush one interval after start:
   * until it is up, reads fail fast (feedback cannot check event ids). A failure is kept as {@link #lastError}
   * and the next flush tries again.
   */
  void connectQuietly() {
    try {
      ensureReader();
    } catch (Exception e) {
      lastError = e.toString();
    }
  }

  private synchronized RedisLink connect() throws Exception {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    return connections.connect(uri, timeout, new RedisLink.Events() {}).get(timeout.toMillis() + 2_000,
        TimeUnit.MILLISECONDS);
  }

  /**
   * Sends the batches pipelined on the writer link, each its own MULTI/EXEC, and waits for them; each batch's
   * success or failure bookkeeping runs; throws when Redis did not apply at least one of them.
   */
  void send(List<FlushBatch> batches) throws Exception {
    if (batches.isEmpty()) {
      return;
    }
    if (writer == null) {
      writer = connect();
    }
    RedisLink w = writer;
    List<RedisFuture<TransactionResult>> execs = new ArrayList<>(batches.size());
    Exception first = null;
    if (!w.isOpen()) {
      first = new IllegalStateException("not connected");
    } else {
      for (FlushBatch b : batches) {
        execs.add(b.send(w));
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int i = 0; i < batches.size(); i++) {
      boolean applied = false;
      TransactionResult r = null;
      if (i < execs.size()) {
        try {
          r = execs.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          applied = !r.wasDiscarded();
          if (!applied && first == null) {
            first = new IllegalStateException("transaction discarded");
          }
        } catch (Exception e) {
          if (first == null) {
            first = e;
          }
        }
      }
      batches.get(i).completed(applied, r);
    }
    if (first != null) {
      throw first;
    }
  }

  /** Disconnects both links and releases the process's factory. */
  void close() {
    synchronized (this) {
      closed = true;
    }
    try {
      if (writer != null) {
        writer.close();
      }
      if (reader != null) {
        reader.close();
      }
    } finally {
      connections.release();
    }
  }

  /** A flush that may throw. */
  interface Flush {
    void run() throws Exception;
  }
}

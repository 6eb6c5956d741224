package dev.vane.gateway.upstream;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.util.concurrent.TimeoutException;

/**
 * Bounds each gap between the chunks of a streamed upstream response by the endpoint's timeout: when no chunk has
 * arrived for that long, the upstream request is reset, so the stream fails as cut short (the client's connection
 * closes, the upstream connection is not reused).
 *
 * <p>Why not the upstream request's own idle timeout set once the head has arrived ({@code idleTimeout}): in Vert.x
 * 5.1.6, on a connection that already carried a request, that timer does not see the response's chunks and fires a
 * whole timeout after it was set, so a long stream on a reused connection was cut while data flowed (reproduced
 * with a bare Vert.x client; {@code StreamGapsTest}); and without it nothing bounded a body once its head had
 * arrived (a shadow that stalled mid-body kept its in-flight slot). One timer per response, re-armed for the rest of
 * the gap when it fires early; chunks only note their time.
 */
public final class ChunkGaps extends ObservedStream {
  private final Vertx vertx;
  private final HttpClientResponse up;
  private final long limitMillis;
  private long lastNanos = System.nanoTime();
  private long timer;
  private boolean done;

  private ChunkGaps(Vertx vertx, HttpClientResponse up, long limitMillis) {
    super(up);
    this.vertx = vertx;
    this.up = up;
    this.limitMillis = limitMillis;
  }

  /** {@code up} with its gaps bounded by {@code limitMillis} (from now); runs on the response's event loop. */
  public static ChunkGaps watch(Vertx vertx, HttpClientResponse up, long limitMillis) {
    ChunkGaps g = new ChunkGaps(vertx, up, limitMillis);
    g.timer = vertx.setTimer(Math.max(1, limitMillis), g::check);
    return g;
  }

  private void check(long id) {
    if (done) {
      return;
    }
    long idle = (System.nanoTime() - lastNanos) / 1_000_000;
    if (idle < limitMillis) {
      timer = vertx.setTimer(Math.max(1, limitMillis - idle), this::check);
      return;
    }
    done = true;
    try {
      up.request().reset(0, new TimeoutException("upstream sent nothing for " + limitMillis
          + " ms in the middle of its response (the endpoint's timeout bounds each gap)"));
    } catch (RuntimeException e) {
      // already closed: the stream fails or ends by itself
    }
  }

  /** The stream ended or failed: the timer goes. */
  public void stop() {
    done = true;
    vertx.cancelTimer(timer);
  }

  @Override
  protected void deliver(Buffer chunk, Handler<Buffer> next) {
    lastNanos = System.nanoTime();
    next.handle(chunk);
  }
}

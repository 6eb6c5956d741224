package dev.vane.gateway.upstream;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A stream of body chunks, each shown to {@link #deliver} on its way (which passes it on, or what it makes of it), and
 * the end to {@link #finish}: the one place that forwards the rest of {@link ReadStream} (flow control, end, errors)
 * to the stream it wraps. {@link ChunkGaps} notes when each chunk arrived; the response tap reads each chunk once the
 * client has it, after the stream-usage filter has taken out what the client did not ask for.
 */
public abstract class ObservedStream implements ReadStream<Buffer> {
  private final ReadStream<Buffer> up;
  private Handler<Buffer> next;

  protected ObservedStream(ReadStream<Buffer> up) {
    this.up = up;
  }

  /** Hands {@code chunk} to {@code next} (the reader's handler), doing this stream's work before or after it. */
  protected abstract void deliver(Buffer chunk, Handler<Buffer> next);

  /** The stream has ended: a last chunk of this stream's own may go to {@code next} before the end does. */
  protected void finish(Handler<Buffer> next) {}

  @Override
  public final ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    up.exceptionHandler(handler);
    return this;
  }

  @Override
  public final ReadStream<Buffer> handler(Handler<Buffer> handler) {
    next = handler;
    up.handler(handler == null ? null : chunk -> deliver(chunk, handler));
    return this;
  }

  @Override
  public final ReadStream<Buffer> pause() {
    up.pause();
    return this;
  }

  @Override
  public final ReadStream<Buffer> resume() {
    up.resume();
    return this;
  }

  @Override
  public final ReadStream<Buffer> fetch(long amount) {
    up.fetch(amount);
    return this;
  }

  @Override
  public final ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    up.endHandler(endHandler == null ? null : v -> {
      if (next != null) {
        finish(next);
      }
      endHandler.handle(v);
    });
    return this;
  }
}

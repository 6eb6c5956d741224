package dev.vane.gateway.feedback;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Bytes of feedback bodies held at once (buffered, being parsed, or parsed and being counted), shared by every event
 * loop: a burst of large bodies takes at most {@link #limit()} bytes of raw body (the parsed tree is a small
 * multiple of that), and a body that would exceed it is refused (503) and counted instead of queued.
 */
public final class BodyBudget {
  /** The smallest budget: 64 MiB. */
  public static final long MIN_BYTES = 64L << 20;

  private final LongSupplier maxBodyBytes;
  private final AtomicLong held = new AtomicLong();
  private final LongAdder refused = new LongAdder();

  /** @param maxBodyBytes the current {@code maxBodyBytes}; the budget is the larger of it and {@link #MIN_BYTES} */
  public BodyBudget(LongSupplier maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Budget in bytes: max(64 MiB, maxBodyBytes), so one body of the largest allowed size always fits alone. */
  public long limit() {
    return Math.max(MIN_BYTES, maxBodyBytes.getAsLong());
  }

  /** Takes {@code bytes} (>= 0) of the budget, or returns false and counts a refusal when they do not fit. */
  public boolean tryAcquire(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
    }
    long limit = limit();
    for (;;) {
      long now = held.get();
      if (now + bytes > limit) {
        refused.increment();
        return false;
      }
      if (held.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  /** Gives back bytes taken by {@link #tryAcquire}. */
  public void release(long bytes) {
    held.addAndGet(-bytes);
  }

  /** Bytes held now. */
  public long held() {
    return held.get();
  }

  /** Bodies refused for want of budget since start. */
  public long refused() {
    return refused.sum();
  }
}

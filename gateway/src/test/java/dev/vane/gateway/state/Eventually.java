package dev.vane.gateway.state;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds, for tests of asynchronous state. */
public final class Eventually {
  private Eventually() {}

  /** Waits until {@code condition} holds and returns how long that took; fails after {@code within}. */
  public static Duration await(Duration within, BooleanSupplier condition, Supplier<String> message) {
    long start = System.nanoTime();
    long deadline = start + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + within + ": " + message.get());
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }
}

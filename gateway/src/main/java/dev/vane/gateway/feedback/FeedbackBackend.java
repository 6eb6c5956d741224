package dev.vane.gateway.feedback;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What feedback needs beyond this instance: attributions seen by other instances, and event ids seen anywhere.
 * Every method may complete on any thread and never blocks the caller, except {@link #close()}.
 */
public interface FeedbackBackend extends AutoCloseable {

  /** Whether {@link #share} does anything: when not, callers need not build what they would share. */
  default boolean shares() {
    return true;
  }

  /** Makes an attribution findable by other instances for {@code window} (written in batches). */
  void share(String key, Attribution a, Duration window);

  /** An attribution another instance shared, or null. */
  CompletionStage<Attribution> lookup(String key, Duration window);

  /**
   * Makes {@code value} findable by other instances under {@code key} for {@code window} after {@code atMillis}
   * (written in batches, as attributions).
   */
  default void shareValue(String key, String value, long atMillis, Duration window) {}

  /** A value another instance shared with {@link #shareValue}, or null. */
  default CompletionStage<String> lookupValue(String key, Duration window) {
    return CompletableFuture.completedFuture(null);
  }

  /** True when no instance has seen this event id for the experiment within {@code window} (and records it). */
  CompletionStage<Boolean> firstSeen(String experiment, String eventId, Duration window);

  /** Where feedback state lives, for {@code /readyz}. */
  default String describe() {
    return "local (this instance only)";
  }

  /** Writes what is still buffered (best effort) and disconnects; blocks for up to a few seconds. */
  @Override
  default void close() {}

  /** This instance only: nothing is shared; dedupe is the caller's local cache. */
  static FeedbackBackend local() {
    return new FeedbackBackend() {
      @Override
      public boolean shares() {
        return false;
      }

      @Override
      public void share(String key, Attribution a, Duration window) {}

      @Override
      public CompletionStage<Attribution> lookup(String key, Duration window) {
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public CompletionStage<Boolean> firstSeen(String experiment, String eventId, Duration window) {
        return CompletableFuture.completedFuture(true);
      }
    };
  }
}

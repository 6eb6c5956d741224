package dev.vane.router;

import java.util.concurrent.CompletionStage;

/**
 * Where sticky assignments live. A stored assignment wins over the hash, so a unit keeps its arm when weights
 * change or arms are added. Keys are (experiment id, salt, unit id); a new salt therefore starts from nothing.
 *
 * <p>Implementations never block the caller: {@link #peek} answers from local memory only, and
 * {@link #claim} completes asynchronously when it needs a remote store.
 */
public interface StickyStore extends AutoCloseable {

  /** The assignment known locally for this unit, or null when unknown here (a remote store may still hold one). */
  String peek(String experiment, String salt, String unit);

  /**
   * {@link #peek} with the unit's first exposure to the arm ({@link FirstExposure}), in one look-up; null when
   * unknown here. Stores that do not record first exposures answer {@link FirstExposure#UNKNOWN}.
   */
  default Stored find(String experiment, String salt, String unit) {
    String arm = peek(experiment, salt, unit);
    return arm == null ? null : new Stored(arm, FirstExposure.UNKNOWN);
  }

  /**
   * A stored assignment.
   *
   * @param arm                 the arm id
   * @param firstExposureMillis epoch milliseconds of the hour in which the claim that stored this arm for the unit
   *                            was made, or {@link FirstExposure#UNKNOWN}
   */
  record Stored(String arm, long firstExposureMillis) {}

  /**
   * First-write-wins assignment. Stores {@code candidate} when the unit has no assignment, or when its assignment
   * equals {@code replaceable} (an arm that no longer exists); otherwise keeps the stored one. Completes with the
   * assignment that won, which is the one to serve.
   *
   * @param replaceable an arm id that may be overwritten, or null
   */
  CompletionStage<Claim> claim(String experiment, String salt, String unit, String candidate, String replaceable);

  /**
   * Result of a claim.
   *
   * @param arm     the arm id that won
   * @param created true when this call stored {@code candidate} (the unit is new to the experiment, or was moved
   *                off a removed arm)
   * @param firstExposureMillis when the winning arm was stored for the unit (see {@link Stored}), or
   *                {@link FirstExposure#UNKNOWN}
   */
  record Claim(String arm, boolean created, long firstExposureMillis) {
    /** A claim whose first exposure is unknown. */
    public Claim(String arm, boolean created) {
      this(arm, created, FirstExposure.UNKNOWN);
    }
  }

  /**
   * Whether the store is past its start: {@code /readyz} answers 503 {@code starting} until then, so no traffic is
   * sent to an instance that would answer every new unit provisionally. A remote store is started once it has
   * connected, or once its startup grace has passed without a connection (then it is not {@link #healthy()}); an
   * in-memory store always is.
   */
  default boolean started() {
    return true;
  }

  /** Health of the store for readiness reporting; in-memory stores are always up. */
  default boolean healthy() {
    return true;
  }

  /**
   * Claims answered without the remote store's verdict since the store was created (it was unreachable or slower
   * than its timeout), so two instances may have served a new unit different arms for a while; 0 for stores that
   * always decide locally.
   */
  default long provisionalAnswers() {
    return 0;
  }

  /** Short human-readable description of the store state (for /readyz). */
  default String describe() {
    return getClass().getSimpleName();
  }

  @Override
  default void close() {}
}

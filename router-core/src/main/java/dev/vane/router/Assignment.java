package dev.vane.router;

/**
 * The outcome of assigning one request.
 *
 * @param experiment the experiment
 * @param arm        the arm that serves the request
 * @param reason     why this arm
 * @param unit       the unit id, or null when the request carried none
 * @param firstExposureMillis when the unit was first exposed to its stored arm ({@link FirstExposure}, to the
 *                   hour), or {@link FirstExposure#UNKNOWN} (no unit, not sticky, not an exposure, or not recorded)
 */
public record Assignment(Experiment experiment, Arm arm, Reason reason, String unit, long firstExposureMillis) {

  /** An assignment whose unit's first exposure is unknown. */
  public Assignment(Experiment experiment, Arm arm, Reason reason, String unit) {
    this(experiment, arm, reason, unit, FirstExposure.UNKNOWN);
  }

  /** Why a request went to its arm. */
  public enum Reason {
    /** A stored sticky assignment. */
    STICKY(true),
    /** A new sticky assignment, stored by this request (the unit's first exposure). */
    ASSIGNED(true),
    /**
     * A stored assignment replaced by this request: the unit moved from the champion to a grown canary or variant,
     * or off an arm that no longer exists. Its first exposure on the new arm, but not a fresh draw: the
     * sample-ratio check leaves it out.
     */
    MOVED(true),
    /** Hashed without storing (non-sticky experiment). */
    HASHED(true),
    /** No unit id on the request: chosen at random for this request only; not sticky. */
    RANDOM(true),
    /** Chosen by the experiment's bandit policy for this request. */
    BANDIT(true),
    /** Forced by the QA override header; not an exposure. */
    OVERRIDE(false),
    /** The request failed the experiment's targeting; served by the control; not an exposure. */
    NOT_TARGETED(false),
    /** The unit is outside the experiment's coverage; served by the control; not an exposure. */
    NOT_COVERED(false),
    /**
     * The experiment is paused (its kill switch): served by the control; not an exposure. The sticky store is not
     * read or written, so stored assignments are untouched.
     */
    PAUSED(false);

    private final boolean exposure;

    Reason(boolean exposure) {
      this.exposure = exposure;
    }

    /** Whether the request counts as an exposure of its arm in the experiment's figures. */
    public boolean exposure() {
      return exposure;
    }
  }

  public boolean exposure() {
    return reason.exposure();
  }
}

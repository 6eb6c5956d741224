package dev.vane.gateway.feedback;

/** Told of each feedback event {@link FeedbackService} accepts (not duplicates or rejections); must not block. */
@FunctionalInterface
public interface AcceptedListener {
  /** Nobody listens. */
  AcceptedListener NONE = (a, eventId, metric, value, counted, atMillis, requestId, unit) -> { };

  /**
   * @param attribution what the event joined to (experiment, version, arm, exposure time)
   * @param counted     whether it was added to the arm's outcome sums (a binary metric's 0 is accepted, not added)
   * @param atMillis    the event's time: its timestamp, or when it was received
   * @param requestId   the request id it named, or null (joined by unit)
   * @param unit        the unit id it named, or null (joined by request)
   */
  void accepted(Attribution attribution, String eventId, String metric, double value, boolean counted, long atMillis,
      String requestId, String unit);
}

package dev.vane.gateway.events;

import dev.vane.gateway.feedback.AcceptedListener;
import dev.vane.gateway.feedback.Attribution;

/** Offers each accepted feedback event to the log, with its attribution. */
public final class FeedbackEvents implements AcceptedListener {
  private final EventLog log;

  public FeedbackEvents(EventLog log) {
    this.log = log;
  }

  @Override
  public void accepted(Attribution a, String eventId, String metric, double value, boolean counted, long atMillis,
      String requestId, String unit) {
    log.offer(new Event.Feedback(atMillis, a.experiment(), a.version(), a.arm(), metric, value, counted, eventId,
        requestId, unit, a.atMillis()));
  }
}

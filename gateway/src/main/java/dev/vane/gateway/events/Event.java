package dev.vane.gateway.events;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One event for analysts, as README "Event schemas" documents it: an {@link Exposure} or a {@link Feedback}. Built on
 * the request path from values the request already holds (no formatting there); rendered as a JSON line or as a
 * stream entry's fields by the writer thread.
 */
public sealed interface Event permits Event.Exposure, Event.Feedback {
  /** The schema version of every event this code writes (field {@code v}). */
  int SCHEMA = 1;

  /** The kind's name in the events and in counters. */
  enum Kind {
    EXPOSURE("exposure"), FEEDBACK("feedback");

    private final String id;

    Kind(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  Kind kind();

  String experiment();

  /** The event as a JSON object, fields in the documented order. */
  JsonObject json();

  /** The event as a stream entry's fields: each JSON field as text ({@code slices} as a JSON object's text). */
  default Map<String, String> fields() {
    Map<String, String> out = new LinkedHashMap<>();
    json().forEach(e -> {
      if (e.getValue() != null) {
        out.put(e.getKey(), e.getValue() instanceof JsonObject o ? o.encode() : String.valueOf(e.getValue()));
      }
    });
    return out;
  }

  /**
   * A request counted as an exposure of its arm.
   *
   * @param atMillis   when the request arrived (epoch milliseconds; its minute in the results over time)
   * @param unit       the unit id, or null when the request carried none
   * @param route      the id of the route that matched
   * @param slices     slice name → bounded value as counted (empty when the experiment declares none)
   * @param reason     why the arm: sticky, assigned, hashed, random or bandit (lower case)
   * @param sticky     whether the arm came from or was stored in the sticky store (reason sticky or assigned)
   * @param fallback   whether the champion served it after the arm's endpoint failed
   */
  record Exposure(long atMillis, String experiment, String version, String arm, String unit, String requestId,
      String route, Map<String, String> slices, String reason, boolean sticky, boolean fallback) implements Event {
    @Override
    public Kind kind() {
      return Kind.EXPOSURE;
    }

    @Override
    public JsonObject json() {
      JsonObject s = new JsonObject();
      slices.forEach(s::put);
      return new JsonObject().put("v", SCHEMA).put("kind", "exposure").put("time", time(atMillis))
          .put("experiment", experiment).put("version", version).put("arm", arm).put("unit", unit)
          .put("requestId", requestId).put("route", route).put("slices", s).put("reason", reason)
          .put("sticky", sticky).put("fallback", fallback);
    }
  }

  /**
   * A feedback event as accepted (duplicates and rejections are not written), with its attribution.
   *
   * @param atMillis     the event's time (its {@code timestamp}, or when it was received)
   * @param counted      whether it was added to the arm's outcome sums: every value of a continuous metric, only
   *                     value 1 of a binary one (a binary 0 is accepted and counts nowhere)
   * @param exposureMillis when the request it is attributed to arrived
   */
  record Feedback(long atMillis, String experiment, String version, String arm, String metric, double value,
      boolean counted, String eventId, String requestId, String unit, long exposureMillis) implements Event {
    @Override
    public Kind kind() {
      return Kind.FEEDBACK;
    }

    @Override
    public JsonObject json() {
      return new JsonObject().put("v", SCHEMA).put("kind", "feedback").put("time", time(atMillis))
          .put("experiment", experiment).put("version", version).put("arm", arm).put("metric", metric)
          .put("value", value).put("counted", counted).put("eventId", eventId).put("requestId", requestId)
          .put("unit", unit).put("exposureTime", time(exposureMillis));
    }
  }

  /** RFC 3339 in UTC with milliseconds, e.g. {@code 2026-12-06T21:40:00.125Z}. */
  private static String time(long millis) {
    return Times.FORMAT.format(Instant.ofEpochMilli(millis));
  }

  /** The one format of event times. */
  final class Times {
    static final java.time.format.DateTimeFormatter FORMAT =
        java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    private Times() {}
  }
}

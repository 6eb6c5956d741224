package dev.vane.gateway.audit;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** The JSON form of an {@link AuditEntry} (a line of the file log). */
final class AuditJson {
  private AuditJson() {}

  static JsonObject toJson(AuditEntry e) {
    JsonObject o = new JsonObject()
        .put("id", e.id())
        .put("time", e.time().toString())
        .put("actor", e.actor())
        .put("action", e.action())
        .put("status", e.status());
    putIfPresent(o, "address", e.address());
    putIfPresent(o, "target", e.target());
    if (e.version() != null) {
      o.put("version", e.version());
    }
    putIfPresent(o, "message", e.message());
    putIfPresent(o, "diff", e.diff());
    return o;
  }

  private static void putIfPresent(JsonObject o, String name, String value) {
    if (value != null) {
      o.put(name, value);
    }
  }

  static AuditEntry fromJson(JsonObject o) {
    return new AuditEntry(o.getString("id"), Instant.parse(o.getString("time")), o.getString("actor"),
        o.getString("address"), o.getString("action"), o.getString("target"), o.getLong("version"),
        o.getInteger("status", 0), o.getString("message"), o.getString("diff"));
  }
}

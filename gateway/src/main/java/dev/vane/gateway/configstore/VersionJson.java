package dev.vane.gateway.configstore;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** The one JSON form of a {@link ConfigVersion}: a history index line, a local copy (with content). */
final class VersionJson {
  private VersionJson() {}

  static JsonObject toJson(ConfigVersion v) {
    JsonObject o = new JsonObject()
        .put("number", v.number())
        .put("hash", v.hash())
        .put("author", v.author())
        .put("time", v.time().toString())
        .put("message", v.message())
        .put("summary", v.summary());
    if (v.content() != null) {
      o.put("content", v.content());
    }
    return o;
  }

  /** The version a JSON object holds; throws on a missing field or a malformed value. */
  static ConfigVersion fromJson(JsonObject o) {
    return new ConfigVersion(o.getLong("number"), o.getString("hash"), o.getString("author"),
        Instant.parse(o.getString("time")), o.getString("message"), o.getString("summary"), o.getString("content"));
  }
}

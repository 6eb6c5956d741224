package dev.vane.gateway.rollout;

import dev.vane.stats.BinaryStats;
import dev.vane.stats.ContinuousStats;
import dev.vane.stats.rollout.ArmTotals;
import dev.vane.stats.rollout.RolloutState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A rollout's persisted state as JSON, and back: what survives a restart or a change of leader. Every number is
 * written as is (the sufficient statistics of the completed steps included), so a new leader continues exactly.
 */
final class RolloutStates {
  private RolloutStates() {}

  static JsonObject toJson(RolloutState s, String planHash) {
    return new JsonObject()
        .put("plan", planHash)
        .put("phase", s.phase().name())
        .put("step", s.step())
        .put("stepStartedAt", s.stepStartedAt().toString())
        .put("looks", s.looks())
        .put("paused", s.paused())
        .put("completedChampion", totals(s.completedChampion()))
        .put("completedCanary", totals(s.completedCanary()));
  }

  static RolloutState fromJson(JsonObject o) {
    return new RolloutState(RolloutState.Phase.valueOf(o.getString("phase")), o.getInteger("step"),
        Instant.parse(o.getString("stepStartedAt")), totals(o.getJsonObject("completedChampion")),
        totals(o.getJsonObject("completedCanary")), o.getLong("looks"), o.getBoolean("paused", false));
  }

  private static JsonObject totals(ArmTotals t) {
    JsonObject binary = new JsonObject();
    t.binary().forEach((k, v) -> binary.put(k, binary(v)));
    JsonObject continuous = new JsonObject();
    t.continuous().forEach((k, v) -> continuous.put(k, continuous(v)));
    return new JsonObject().put("exposures", t.exposures()).put("errors", binary(t.errors()))
        .put("logLatency", continuous(t.logLatency())).put("binary", binary).put("continuous", continuous);
  }

  private static ArmTotals totals(JsonObject o) {
    Map<String, BinaryStats> binary = new LinkedHashMap<>();
    o.getJsonObject("binary").forEach(e -> binary.put(e.getKey(), binary((JsonArray) e.getValue())));
    Map<String, ContinuousStats> continuous = new LinkedHashMap<>();
    o.getJsonObject("continuous").forEach(e -> continuous.put(e.getKey(), continuous((JsonArray) e.getValue())));
    return new ArmTotals(o.getLong("exposures"), binary(o.getJsonArray("errors")),
        continuous(o.getJsonArray("logLatency")), binary, continuous);
  }

  private static JsonArray binary(BinaryStats b) {
    return new JsonArray().add(b.exposures()).add(b.successes());
  }

  private static BinaryStats binary(JsonArray a) {
    return new BinaryStats(a.getLong(0), a.getLong(1));
  }

  private static JsonArray continuous(ContinuousStats c) {
    return new JsonArray().add(c.count()).add(c.mean()).add(c.m2()).add(c.covariateMean()).add(c.covariateM2())
        .add(c.crossMoment());
  }

  private static ContinuousStats continuous(JsonArray a) {
    return new ContinuousStats(a.getLong(0), a.getDouble(1), a.getDouble(2), a.getDouble(3), a.getDouble(4),
        a.getDouble(5));
  }
}

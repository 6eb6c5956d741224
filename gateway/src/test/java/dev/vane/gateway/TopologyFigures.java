package dev.vane.gateway;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Figures of experiment {@code e} as one gateway's admin API shows them, for the topology tests; a class of its own
 * so that reading them does not start another test class's Redis processes (static fixtures).
 */
final class TopologyFigures {
  private TopologyFigures() {}

  /** Clicks (successes of metric {@code click}) per arm in the results. */
  static Map<String, Long> clicks(Harness h, Gateway g) {
    Map<String, Long> seen = new HashMap<>();
    JsonObject res = h.get(g.adminPort(), "/v1/experiments/e/results").json();
    for (Object o : res.getJsonArray("arms")) {
      JsonObject arm = (JsonObject) o;
      for (Object m : arm.getJsonArray("metrics")) {
        if (((JsonObject) m).getString("metric").equals("click")) {
          seen.put(arm.getString("arm"), ((JsonObject) m).getLong("successes"));
        }
      }
    }
    return seen;
  }

  /** Requests summed over arms, or -1 while the figures are not Redis's. */
  static long requests(Harness h, Gateway g) {
    JsonObject f = h.get(g.adminPort(), "/v1/experiments/e").json();
    if (!"redis".equals(f.getString("figures"))) {
      return -1;
    }
    long sum = 0;
    for (Object o : f.getJsonArray("arms")) {
      sum += ((JsonObject) o).getLong("requests");
    }
    return sum;
  }
}

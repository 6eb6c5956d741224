package dev.vane.gateway.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.vane.config.Analysis;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import dev.vane.router.Role;
import dev.vane.router.Shadow;
import dev.vane.router.Targeting;
import dev.vane.router.Policy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseCountersTest {
  static final Experiment E = new Experiment("e", "e", "v1",
      List.of(new Arm("a", Role.CHAMPION, "x", 10_000, 0)), List.of(new Shadow("s", "y", 10_000, 0)), 10_000, true,
      false, false, Targeting.NONE, Policy.HASH, false);
  static final Analysis A = new Analysis(List.of(), List.of(), List.of(), Duration.ofHours(1), null, null,
      List.of(new Analysis.ResponseMetric("score", "/p", Analysis.Aggregate.FIRST, null, 1024)));

  @Test
  void momentsSketchAndSkipsPerTarget() {
    ResponseCounters c = new ResponseCounters(E, A);
    assertEquals(List.of("score", ResponseCounters.COST, ResponseCounters.TEXT_EDIT, ResponseCounters.TEXT_TOKENS),
        c.names());
    ResponseCounters.Target t = c.arm("a");
    for (int i = 1; i <= 1000; i++) {
      t.record("score", i / 1000.0);
    }
    t.record("score", -2);
    t.record("score", 1e13);
    t.record("score", Double.NaN);
    t.skip("score", "not_json");
    assertFalse(t.record("other", 1));
    assertNull(c.arm("b"));
    ResponseCounters.Cell cell = c.snapshot().arms().get("a").get("score");
    assertEquals(1001, cell.sums().n());
    assertEquals(500.5 - 2, cell.sums().sum(), 1e-9);
    assertEquals(1, cell.unsketched());
    assertEquals(1000, cell.sketch().getTotalCount());
    // the sketch: quantiles within 1% (two significant digits) of the exact 0.5 and 0.99
    assertEquals(0.5, ResponseCounters.value(cell.sketch().getValueAtPercentile(50)), 0.005);
    assertEquals(0.99, ResponseCounters.value(cell.sketch().getValueAtPercentile(99)), 0.0099);
    assertEquals(Map.of("not_json", 1L, "out_of_range", 2L), cell.skipped());
    assertEquals(0, c.snapshot().shadows().get("s").get("score").sums().n());
  }
}

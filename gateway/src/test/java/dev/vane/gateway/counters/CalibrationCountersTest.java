package dev.vane.gateway.counters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.config.Analysis;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationCountersTest {
  static final Analysis A = new Analysis(List.of(), List.of(), List.of(), Duration.ofHours(1), null, null,
      List.of(new Analysis.ResponseMetric("p", "/p", Analysis.Aggregate.FIRST, null, 1024, "converted"),
          new Analysis.ResponseMetric("other", "/q", Analysis.Aggregate.FIRST, null, 1024)));

  @Test
  void aPositiveTurnsItsRequestsPredictionFromNegativeToPositiveOnce() {
    CalibrationCounters c = new CalibrationCounters(ResponseCountersTest.E, A);
    assertTrue(c.active());
    c.predict("a", "r1", "p", 0.25);
    c.predict("a", "r2", "p", 1.0);
    c.predict("a", "r3", "p", 1.5);
    c.predict("a", "r4", "other", 0.5);
    c.positive("r1", "converted");
    c.positive("r1", "converted");
    c.positive("r2", "clicked");
    CalibrationCounters.Cell cell = c.snapshot().get("a").get("p");
    assertEquals(2, cell.count());
    assertEquals(1, cell.outOfRange());
    long[] n = new long[10];
    n[2] = 1;
    n[9] = 1;
    assertArrayEquals(n, cell.n(), "0.25 in [0.2, 0.3), 1.0 in the last bin");
    long[] pos = new long[10];
    pos[2] = 1;
    assertArrayEquals(pos, cell.positives(), "r1 once; r2's feedback is of another metric");
    // Brier: (0.25 - 1)^2 + (1 - 0)^2; log loss: -log 0.25 - log(1e-15) (p = 1 clipped)
    assertEquals(0.5625 + 1, cell.brierSum(), 1e-12);
    assertEquals(0.5625 * 0.5625 + 1, cell.brierSumSq(), 1e-12);
    assertEquals(-Math.log(0.25) - Math.log(CalibrationCounters.EPS), cell.logSum(), 1e-9);
    assertFalse(c.snapshot().get("a").containsKey("other"));
  }

  @Test
  void theOldestWaitingRequestIsDroppedBeyondTheBound() {
    CalibrationCounters c = new CalibrationCounters(ResponseCountersTest.E, A);
    for (int i = 0; i <= CalibrationCounters.MAX_PENDING; i++) {
      c.predict("a", "r" + i, "p", 0.5);
    }
    assertEquals(1, c.dropped());
    c.positive("r0", "converted");
    c.positive("r1", "converted");
    assertEquals(1, c.snapshot().get("a").get("p").positives()[5], "r0 was dropped, r1 joined");
  }
}

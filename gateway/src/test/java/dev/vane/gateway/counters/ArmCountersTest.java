package dev.vane.gateway.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ArmCountersTest {
  @Test
  void everyRecordedRequestAlsoLandsInTheMinuteSeries() {
    AtomicLong now = new AtomicLong(5_000 * 60_000L);
    ArmCounters a = new ArmCounters(now::get);
    a.recordRequest();
    a.recordExposure();
    a.recordNewUnit();
    a.recordStatus(500);
    a.recordLatencyMicros(7_000);
    a.recordRequest(); // not an exposure (an override, say)
    a.recordStatus(200);

    Figures.Arm f = a.figures(false);
    MinuteSeries.Bucket b = a.series().buckets(5_000, 5_001, 1).get(0);
    assertEquals(new MinuteSeries.Bucket(5_000, f.exposures(), f.requests(), f.status2xx(), f.status3xx(),
        f.status4xx(), f.status5xx(), 1, 7_000), b);
    assertEquals(new MinuteSeries.Bucket(5_000, 1, 2, 1, 0, 0, 1, 1, 7_000), b);
  }
}

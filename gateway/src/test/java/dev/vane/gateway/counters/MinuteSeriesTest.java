package dev.vane.gateway.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MinuteSeriesTest {
  private static final long MIN = 60_000L;
  private final AtomicLong now = new AtomicLong(1_000 * MIN + 30_000);

  @Test
  void eventsLandInTheMinuteOfTheClock() {
    MinuteSeries s = new MinuteSeries(now::get, 10);
    s.recordRequest();
    s.recordExposure();
    s.recordStatus(200);
    s.recordLatencyMicros(3_000);
    now.set(1_001 * MIN + 59_999);
    s.recordRequest();
    s.recordStatus(503);
    s.recordStatus(404);
    s.recordStatus(302);
    s.recordLatencyMicros(1_000);
    s.recordLatencyMicros(2_000);

    List<MinuteSeries.Bucket> b = s.buckets(999, 1_002, 1);
    assertEquals(List.of(new MinuteSeries.Bucket(999, 0, 0, 0, 0, 0, 0, 0, 0),
        new MinuteSeries.Bucket(1_000, 1, 1, 1, 0, 0, 0, 1, 3_000),
        new MinuteSeries.Bucket(1_001, 0, 1, 0, 1, 1, 1, 2, 3_000)), b);
    assertEquals(3.0, b.get(1).latencyMeanMillis(), 0);
    assertEquals(1.5, b.get(2).latencyMeanMillis(), 0);
    assertTrue(Double.isNaN(b.get(0).latencyMeanMillis()));
    assertEquals(1_000 * MIN, b.get(1).startMillis());
  }

  @Test
  void coarserIntervalsSumTheirMinutesAlignedToTheEpoch() {
    MinuteSeries s = new MinuteSeries(now::get, 120);
    for (long m = 1_000; m < 1_010; m++) {
      now.set(m * MIN);
      s.recordRequest();
    }
    // 5-minute buckets start at multiples of 5 minutes: [995, 1000), [1000, 1005), [1005, 1010)
    List<MinuteSeries.Bucket> b = s.buckets(998, 1_010, 5);
    assertEquals(List.of(995L, 1_000L, 1_005L), b.stream().map(MinuteSeries.Bucket::minute).toList());
    assertEquals(List.of(0L, 5L, 5L), b.stream().map(MinuteSeries.Bucket::requests).toList());
  }

  @Test
  void minutesOlderThanTheWindowAreDroppedAndTheirSlotsReused() {
    MinuteSeries s = new MinuteSeries(now::get, 10);
    s.recordRequest(); // minute 1000
    now.set(1_009 * MIN);
    assertEquals(1, s.buckets(1_000, 1_001, 1).get(0).requests());
    now.set(1_010 * MIN); // minute 1000 has left the window, though its slot was not reused yet
    assertEquals(1_001, s.oldestMinute());
    assertEquals(0, s.buckets(1_000, 1_001, 1).get(0).requests());
    s.recordRequest(); // minute 1010 takes minute 1000's slot
    s.recordRequest();
    assertEquals(2, s.buckets(1_010, 1_011, 1).get(0).requests());
    // the whole window now holds minute 1010's two requests only
    assertEquals(2, s.buckets(1_000, 1_011, 1).stream().mapToLong(MinuteSeries.Bucket::requests).sum());
  }

  @Test
  void concurrentWritersLoseNoCountsAcrossMinuteBoundaries() throws Exception {
    MinuteSeries s = new MinuteSeries(now::get, 60);
    now.set(2_000 * MIN);
    // a clock that moves a quarter second per read: 20,000 reads span 84 minutes, within a 120-minute window, so
    // writers race to open each new minute's row
    AtomicLong ticks = new AtomicLong();
    MinuteSeries moving = new MinuteSeries(() -> 2_000 * MIN + ticks.getAndIncrement() * 250, 120);
    Thread[] ts = new Thread[4];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = new Thread(() -> {
        for (int k = 0; k < 5_000; k++) {
          s.recordRequest();
          moving.recordRequest();
        }
      });
      ts[i].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    assertEquals(20_000, s.buckets(2_000, 2_001, 1).get(0).requests());
    List<MinuteSeries.Bucket> minutes = moving.buckets(2_000, 2_084, 1);
    assertEquals(20_000, minutes.stream().mapToLong(MinuteSeries.Bucket::requests).sum());
    assertEquals(240, minutes.get(0).requests(), "240 quarter seconds a minute");
  }

  @Test
  void aWindowOrIntervalBelowOneMinuteIsMisuse() {
    assertEquals("windowMinutes: 0 (expected: >= 1)",
        assertThrows(IllegalArgumentException.class, () -> new MinuteSeries(now::get, 0)).getMessage());
    MinuteSeries s = new MinuteSeries(now::get, 10);
    assertEquals("intervalMinutes: 0 (expected: >= 1)",
        assertThrows(IllegalArgumentException.class, () -> s.buckets(0, 1, 0)).getMessage());
  }
}

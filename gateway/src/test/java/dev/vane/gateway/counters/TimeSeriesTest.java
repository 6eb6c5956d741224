package dev.vane.gateway.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.counters.TimeSeries.Resolution;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TimeSeriesTest {
  private static final long MIN = 60_000L;
  private static final long HOUR = 3_600_000L;
  private static final SeriesPeriod.Layout LAYOUT =
      new SeriesPeriod.Layout(List.of("control", "treatment"), List.of("sh"), List.of("clicks", "revenue"));
  private final AtomicLong now = new AtomicLong(1_000 * HOUR + 30 * MIN + 30_000); // 10:30:30 of hour 1000

  private TimeSeries series(int windowMinutes, int retentionHours) {
    return new TimeSeries(LAYOUT, now::get, windowMinutes, retentionHours);
  }

  private static long sum(List<SeriesPeriod> rows, int arm, int field) {
    return rows.stream().mapToLong(r -> r.arm(arm, field)).sum();
  }

  @Test
  void eventsLandInTheirMinuteAndTheirHour() {
    TimeSeries s = series(10, 5);
    s.addArm(0, SeriesPeriod.REQUESTS, 1);
    s.addArm(1, SeriesPeriod.EXPOSURES, 1);
    s.addShadow(0, SeriesPeriod.MIRRORED, 1);
    s.latency(0, 3_000);
    now.addAndGet(MIN);
    s.addArm(0, SeriesPeriod.REQUESTS, 2);
    s.compared(0, true, -500);
    s.compared(0, false, 1_500);

    long m = Resolution.MINUTE.period(now.get());
    List<SeriesPeriod> minutes = s.read(Resolution.MINUTE, m - 5, m + 1);
    assertEquals(2, minutes.size(), "only minutes with traffic have rows");
    assertEquals((m - 1) * MIN, minutes.get(0).startMillis());
    assertEquals(1, minutes.get(0).arm(0, SeriesPeriod.REQUESTS));
    assertEquals(1, minutes.get(0).arm(1, SeriesPeriod.EXPOSURES));
    assertEquals(1, minutes.get(0).arm(0, SeriesPeriod.LATENCY_COUNT));
    assertEquals(3_000, minutes.get(0).arm(0, SeriesPeriod.LATENCY_SUM_MICROS));
    assertEquals(1, minutes.get(0).latency(0)[LatencyBuckets.index(3_000)]);
    assertNull(minutes.get(0).latency(1), "no histogram for an arm without latencies");
    assertEquals(2, minutes.get(1).arm(0, SeriesPeriod.REQUESTS));
    assertEquals(2, minutes.get(1).shadow(0, SeriesPeriod.COMPARED));
    assertEquals(1, minutes.get(1).shadow(0, SeriesPeriod.AGREEMENTS));
    assertEquals(1_000, minutes.get(1).shadow(0, SeriesPeriod.LATENCY_DIFF_SUM_MICROS));

    List<SeriesPeriod> hours = s.read(Resolution.HOUR, 1_000, 1_001);
    assertEquals(1, hours.size());
    assertEquals(3, hours.get(0).arm(0, SeriesPeriod.REQUESTS));
    assertEquals(1, hours.get(0).shadow(0, SeriesPeriod.MIRRORED));
    assertEquals(2, hours.get(0).shadow(0, SeriesPeriod.COMPARED));
  }

  /** Differential: random events over three hours; each hour equals the sum of its minutes, field by field. */
  @Test
  void anHourHoldsExactlyTheSumOfItsMinutes() {
    TimeSeries s = series(6 * 60, 24); // every minute still kept when read
    Random rnd = new Random(7);
    long start = now.get();
    for (int i = 0; i < 20_000; i++) {
      now.set(start + (long) (rnd.nextDouble() * 3 * HOUR));
      int arm = rnd.nextInt(2);
      switch (rnd.nextInt(5)) {
        case 0 -> s.addArm(arm, SeriesPeriod.REQUESTS, 1);
        case 1 -> s.addArm(arm, SeriesPeriod.STATUS_2XX + rnd.nextInt(4), 1);
        case 2 -> s.latency(arm, 100 + rnd.nextInt(200_000));
        case 3 -> s.outcome(arm, 1, rnd.nextGaussian() * 10, now.get() - rnd.nextInt(120) * MIN);
        default -> s.compared(0, rnd.nextBoolean(), rnd.nextInt(2_000) - 1_000);
      }
    }
    now.set(start + 3 * HOUR + MIN);
    long firstHour = Resolution.HOUR.period(start) - 2;
    for (long h = firstHour; h < firstHour + 6; h++) {
      SeriesRows minutes = new SeriesRows("local", s.read(Resolution.MINUTE, h * 60, (h + 1) * 60));
      SeriesPeriod fromMinutes = minutes.intervals(LAYOUT, h * HOUR, (h + 1) * HOUR, HOUR).get(0);
      List<SeriesPeriod> hour = s.read(Resolution.HOUR, h, h + 1);
      SeriesPeriod direct = hour.isEmpty() ? new SeriesPeriod(LAYOUT, h * HOUR) : hour.get(0);
      assertTrue(direct.minus(fromMinutes).isZero() || closeSums(direct, fromMinutes), "hour " + h);
      for (int a = 0; a < 2; a++) {
        for (int f = 0; f < SeriesPeriod.ARM_FIELDS; f++) {
          assertEquals(direct.arm(a, f), fromMinutes.arm(a, f), "hour " + h + " arm " + a + " field " + f);
        }
        assertEquals(direct.outcome(a, 1).n(), fromMinutes.outcome(a, 1).n());
        assertEquals(direct.outcome(a, 1).sum(), fromMinutes.outcome(a, 1).sum(), 1e-9);
      }
    }
  }

  /** Outcome sums are doubles added in another order; counts and histograms must be exact. */
  private static boolean closeSums(SeriesPeriod a, SeriesPeriod b) {
    SeriesPeriod d = a.minus(b);
    for (int arm = 0; arm < 2; arm++) {
      for (int f = 0; f < SeriesPeriod.ARM_FIELDS; f++) {
        if (d.arm(arm, f) != 0) {
          return false;
        }
      }
      for (int m = 0; m < 2; m++) {
        if (d.outcome(arm, m).n() != 0 || Math.abs(d.outcome(arm, m).sum()) > 1e-6) {
          return false;
        }
      }
    }
    return true;
  }

  @Test
  void minutesExpireAfterTheWindowAndHoursAfterTheRetention() {
    TimeSeries s = series(10, 3);
    long m0 = Resolution.MINUTE.period(now.get());
    s.addArm(0, SeriesPeriod.REQUESTS, 1);
    now.addAndGet(10 * MIN); // ten whole minutes later: minute m0 is the oldest kept
    assertEquals(m0, s.oldest(Resolution.MINUTE, now.get()));
    assertEquals(1, sum(s.read(Resolution.MINUTE, m0, m0 + 1), 0, SeriesPeriod.REQUESTS));
    now.addAndGet(MIN); // minute m0 has left the window, though its slot was not reused yet
    assertEquals(List.of(), s.read(Resolution.MINUTE, m0, m0 + 1));
    s.addArm(0, SeriesPeriod.REQUESTS, 2); // m0 + 11 takes m0's slot
    assertEquals(2, sum(s.read(Resolution.MINUTE, m0 - 100, m0 + 100), 0, SeriesPeriod.REQUESTS));
    assertEquals(3, sum(s.read(Resolution.HOUR, 1_000, 1_001), 0, SeriesPeriod.REQUESTS), "the hour still has all");

    now.set(1_003 * HOUR + 59 * MIN); // hour 1000 is the oldest of 3 whole hours kept before hour 1003
    assertEquals(3, sum(s.read(Resolution.HOUR, 1_000, 1_004), 0, SeriesPeriod.REQUESTS));
    now.set(1_004 * HOUR); // past the retention
    assertEquals(List.of(), s.read(Resolution.HOUR, 1_000, 1_005));
  }

  @Test
  void rowsNoLongerKeptCanBeReleased() {
    TimeSeries s = series(10, 3);
    s.addArm(0, SeriesPeriod.REQUESTS, 1);
    assertEquals(0, s.dropExpired(), "still kept");
    now.addAndGet(11 * MIN);
    assertEquals(1, s.dropExpired(), "the minute row");
    now.addAndGet(4 * HOUR);
    assertEquals(1, s.dropExpired(), "the hour row");
    assertEquals(List.of(), s.read(Resolution.HOUR, 0, 2_000));
  }

  @Test
  void outcomesCountAtTheirExposureWhileItsRowsAreKept() {
    TimeSeries s = series(60, 48);
    long exposure = now.get();
    now.addAndGet(30 * MIN); // feedback half an hour later
    s.outcome(1, 1, 4.0, exposure);
    s.outcome(1, 0, 1.0, exposure);
    long m = Resolution.MINUTE.period(exposure);
    SeriesPeriod row = s.read(Resolution.MINUTE, m, m + 1).get(0);
    assertEquals(new OutcomeCounters.Sums(1, 4.0, 16.0), row.outcome(1, 1));
    assertEquals(new OutcomeCounters.Sums(1, 1.0, 1.0), row.outcome(1, 0));
    assertEquals(List.of(), s.read(Resolution.MINUTE, m + 30, m + 31), "not in the minute it arrived");

    now.addAndGet(2 * HOUR); // the exposure's minute is gone; its hour is still kept
    s.outcome(1, 1, 2.0, exposure);
    assertEquals(List.of(), s.read(Resolution.MINUTE, m, m + 1));
    assertEquals(new OutcomeCounters.Sums(2, 6.0, 20.0), s.read(Resolution.HOUR, 1_000, 1_001).get(0).outcome(1, 1));

    now.set(1_100 * HOUR); // past the retention: an outcome of that exposure is dropped, not put elsewhere
    s.outcome(1, 1, 8.0, exposure);
    assertEquals(List.of(), s.read(Resolution.HOUR, 0, 2_000));
    assertEquals(List.of(), s.read(Resolution.MINUTE, 0, 2_000 * 60));
  }

  @Test
  void concurrentWritersLoseNoCountsAcrossMinuteBoundaries() throws Exception {
    // a clock that moves a quarter second per write: 20,000 writes span 84 minutes, within a 120-minute window, so
    // writers race to open each new minute's row
    AtomicLong ticks = new AtomicLong();
    AtomicBoolean moving = new AtomicBoolean(true);
    long start = 2_000 * MIN;
    TimeSeries s = new TimeSeries(LAYOUT,
        () -> start + (moving.get() ? ticks.getAndIncrement() : ticks.get()) * 250, 120, 3);
    Thread[] ts = new Thread[4];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = new Thread(() -> {
        for (int k = 0; k < 5_000; k++) {
          s.addArm(1, SeriesPeriod.REQUESTS, 1);
        }
      });
      ts[i].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    moving.set(false);
    List<SeriesPeriod> minutes = s.read(Resolution.MINUTE, 2_000, 2_084);
    assertEquals(20_000, sum(minutes, 1, SeriesPeriod.REQUESTS));
    assertEquals(240, minutes.get(0).arm(1, SeriesPeriod.REQUESTS), "240 quarter seconds a minute");
    assertEquals(20_000, sum(s.read(Resolution.HOUR, 0, 100), 1, SeriesPeriod.REQUESTS));
  }

  @Test
  void changesAreWhatWasWrittenSinceTheLastCommittedFlushAndAFailedOneComesBackWhole() {
    TimeSeries s = series(10, 3);
    s.addArm(0, SeriesPeriod.REQUESTS, 2);
    s.latency(0, 1_000);
    List<TimeSeries.Change> first = s.changes();
    assertEquals(2, first.size(), "the minute and the hour");
    first.forEach(TimeSeries.Change::failed);
    s.addArm(0, SeriesPeriod.REQUESTS, 1);
    List<TimeSeries.Change> again = s.changes();
    assertEquals(2, again.size());
    assertEquals(3, again.get(0).delta().arm(0, SeriesPeriod.REQUESTS), "the failed two and the new one");
    assertEquals(1, again.get(0).delta().latency(0)[LatencyBuckets.index(1_000)]);
    long m = Resolution.MINUTE.period(now.get());
    assertEquals((m + 1 + 10) * MIN, again.get(0).expireAtMillis(), "when the minute leaves the window");
    assertEquals((1_000 + 1 + 3) * HOUR, again.get(1).expireAtMillis(), "when the hour leaves the retention");
    assertEquals(2, s.changes().size(), "unanswered (its batch never sent): offered again at the next call");
    again = s.changes();
    assertEquals(3, again.get(0).delta().arm(0, SeriesPeriod.REQUESTS));
    again.forEach(TimeSeries.Change::committed);
    assertEquals(List.of(), s.changes(), "nothing new");
    s.outcome(1, 0, 1.0, now.get());
    List<TimeSeries.Change> outcome = s.changes();
    assertEquals(2, outcome.size());
    assertEquals(0, outcome.get(0).delta().arm(0, SeriesPeriod.REQUESTS));
    assertEquals(new OutcomeCounters.Sums(1, 1.0, 1.0), outcome.get(0).delta().outcome(1, 0));
  }

  @Test
  void aWindowOrRetentionBelowOneIsMisuse() {
    assertEquals("windowMinutes: 0 (expected: >= 1)",
        assertThrows(IllegalArgumentException.class, () -> series(0, 1)).getMessage());
    assertEquals("retentionHours: 0 (expected: >= 1)",
        assertThrows(IllegalArgumentException.class, () -> series(1, 0)).getMessage());
  }
}

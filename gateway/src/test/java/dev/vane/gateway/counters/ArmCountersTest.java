package dev.vane.gateway.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ArmCountersTest {
  @Test
  void everyRecordedEventAlsoLandsInTheTimeSeries() {
    AtomicLong now = new AtomicLong(5_000 * 60_000L);
    TimeSeries series = new TimeSeries(new SeriesPeriod.Layout(List.of("a"), List.of(), List.of()), now::get, 60, 24);
    ArmCounters a = new ArmCounters(series, 0);
    a.recordRequest();
    a.recordExposure();
    a.recordNewUnit();
    a.recordStatus(500);
    a.recordFallback();
    a.recordUpstreamError();
    a.recordLatencyMicros(7_000);
    a.recordRequest(); // not an exposure (an override, say)
    a.recordStatus(200);

    Figures.Arm f = a.figures(false);
    SeriesPeriod m = series.read(TimeSeries.Resolution.MINUTE, 5_000, 5_001).get(0);
    long[] got = new long[SeriesPeriod.ARM_FIELDS];
    for (int i = 0; i < got.length; i++) {
      got[i] = m.arm(0, i);
    }
    assertEquals(List.of(f.requests(), f.exposures(), f.units(), f.status2xx(), f.status3xx(), f.status4xx(),
        f.status5xx(), f.fallbacks(), f.upstreamErrors(), 1L, 7_000L), java.util.Arrays.stream(got).boxed().toList());
  }

  @Test
  void arrivalAndEndCountWhatTheSeparateCallsCount() {
    AtomicLong now = new AtomicLong(5_000 * 60_000L);
    SeriesPeriod.Layout layout = new SeriesPeriod.Layout(List.of("a", "b"), List.of(), List.of());
    TimeSeries series = new TimeSeries(layout, now::get, 60, 24);
    ArmCounters combined = new ArmCounters(series, 0);
    ArmCounters separate = new ArmCounters(series, 1);
    combined.recordArrival(true, true);
    combined.recordArrival(false, false);
    combined.recordEnd(503, 2_000);
    separate.recordRequest();
    separate.recordExposure();
    separate.recordNewUnit();
    separate.recordRequest();
    separate.recordStatus(503);
    separate.recordLatencyMicros(2_000);
    assertEquals(separate.figures(false).toString().replace("latency=null", ""),
        combined.figures(false).toString().replace("latency=null", ""));
    SeriesPeriod m = series.read(TimeSeries.Resolution.MINUTE, 5_000, 5_001).get(0);
    for (int f = 0; f < SeriesPeriod.ARM_FIELDS; f++) {
      assertEquals(m.arm(1, f), m.arm(0, f), SeriesPeriod.ARM_NAMES.get(f));
    }
    assertEquals(java.util.Arrays.toString(m.latency(1)), java.util.Arrays.toString(m.latency(0)));
  }
}

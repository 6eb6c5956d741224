package dev.vane.gateway.bench;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;
import org.HdrHistogram.Recorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The shapes an arm's latency recorder can take (issue 24: preallocated, an arm's latency histograms took 0.56 MB):
 * {@code fixed} (1 µs..1 h at 3 digits, preallocated: 188 KB per histogram), {@code auto} (auto-resizing to the
 * largest value recorded) and {@code packed} (counts stored sparsely). Recording one value, and folding an interval
 * into the accumulated histogram as a reader does every flush, with the footprint of the three histograms an arm
 * holds printed at setup ({@code Histogram#getEstimatedFootprintInBytes}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LatencyRecorderBenchmark {
  @Param({"fixed", "auto", "packed"})
  public String shape;

  private Recorder recorder;
  private Histogram total;
  private Histogram recycle;
  private long i;

  @Setup(Level.Trial)
  public void setUp() {
    switch (shape) {
      case "fixed" -> {
        recorder = new Recorder(3_600_000_000L, 3);
        total = new Histogram(3_600_000_000L, 3);
      }
      case "auto" -> {
        recorder = new Recorder(3);
        total = new Histogram(3);
      }
      default -> {
        recorder = new Recorder(3, true);
        total = new PackedHistogram(3);
      }
    }
    // a realistic spread: 0.2..20 ms, a few values up to a 5 s timeout
    for (int k = 0; k < 100_000; k++) {
      recorder.recordValue(k % 1000 == 0 ? 5_000_000 : 200 + (k * 7919L) % 20_000);
    }
    fold();
    recorder.recordValue(300);
    fold();
    System.out.printf("%n%s: total %d B, interval %d B%n", shape, total.getEstimatedFootprintInBytes(),
        recycle.getEstimatedFootprintInBytes());
  }

  private void fold() {
    Histogram interval = recorder.getIntervalHistogram(recycle);
    total.add(interval);
    recycle = interval;
  }

  @Benchmark
  public void record() {
    recorder.recordValue(300 + (i++ & 1023));
  }

  /** 100 values recorded, then the fold a flush or a read does. */
  @Benchmark
  @org.openjdk.jmh.annotations.OperationsPerInvocation(100)
  public void recordHundredThenFold() {
    for (int k = 0; k < 100; k++) {
      recorder.recordValue(300 + (i++ & 1023));
    }
    fold();
  }
}

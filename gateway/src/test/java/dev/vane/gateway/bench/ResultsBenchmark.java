package dev.vane.gateway.bench;

import dev.vane.gateway.counters.LatencyRecorder;
import dev.vane.gateway.results.ResultsCalculator;
import dev.vane.gateway.results.ResultsInput;
import dev.vane.stats.BinaryStats;
import dev.vane.stats.ContinuousStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
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
 * The results computation at 10 million (and 10 thousand) exposures: three arms, two binary and one continuous
 * metric, latency and error rate, two slice dimensions of five values. Its cost depends on arms x metrics x slices,
 * not on the number of exposures or events, which this benchmark shows by comparing the two sizes. Run:
 * {@code mvn -q -B -pl gateway test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java
 * "-Dexec.args=-cp %classpath org.openjdk.jmh.Main ResultsBenchmark -f1 -wi 3 -i 5 -w 1s -r 1s"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ResultsBenchmark {
  @Param({"10000", "10000000"})
  long exposures;

  private ResultsInput input;
  private final ResultsCalculator calculator = new ResultsCalculator();

  @Setup(Level.Trial)
  public void setUp() {
    SplittableRandom r = new SplittableRandom(5);
    List<String> arms = List.of("control", "t1", "t2");
    List<ResultsInput.MetricDef> metrics = List.of(
        new ResultsInput.MetricDef("click", true, true, true, false),
        new ResultsInput.MetricDef("complaint", true, false, false, true),
        new ResultsInput.MetricDef("revenue", false, true, false, false));
    List<ResultsInput.ArmData> pooled = new ArrayList<>();
    for (String arm : arms) {
      pooled.add(arm(arm, exposures / 3, r, true));
    }
    Map<String, Map<String, List<ResultsInput.ArmData>>> slices = new LinkedHashMap<>();
    for (String dim : List.of("region", "client")) {
      Map<String, List<ResultsInput.ArmData>> values = new LinkedHashMap<>();
      for (int v = 0; v < 5; v++) {
        List<ResultsInput.ArmData> cells = new ArrayList<>();
        for (String arm : arms) {
          cells.add(arm(arm, exposures / 15, r, false));
        }
        values.put(dim + "-" + v, cells);
      }
      slices.put(dim, values);
    }
    input = new ResultsInput("bench", "v1", "control", arms, Map.of("control", 3334, "t1", 3333, "t2", 3333),
        metrics, pooled, slices, null);
  }

  private static ResultsInput.ArmData arm(String arm, long n, SplittableRandom r, boolean withLatency) {
    Histogram latency = null;
    if (withLatency) {
      latency = LatencyRecorder.newHistogram();
      for (int i = 0; i < 20_000; i++) {
        latency.recordValueWithCount(200 + (long) (-300 * Math.log(1 - r.nextDouble())), Math.max(1, n / 20_000));
      }
    }
    Map<String, BinaryStats> binary = Map.of(
        "click", BinaryStats.of(n, (long) (n * (0.05 + 0.002 * r.nextDouble()))),
        "complaint", BinaryStats.of(n, (long) (n * 0.001)));
    long k = Math.max(2, n / 10);
    Map<String, ContinuousStats> continuous = Map.of("revenue",
        ContinuousStats.ofMeanAndSd(k, 30 + r.nextDouble(), 12));
    return new ResultsInput.ArmData(arm, n, n / 2, n, n / 1000, latency, binary, continuous);
  }

  @Benchmark
  public Object resultsJson() {
    return calculator.toJson(input);
  }
}

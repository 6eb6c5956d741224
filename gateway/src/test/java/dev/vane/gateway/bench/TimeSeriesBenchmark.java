package dev.vane.gateway.bench;

import dev.vane.config.ConfigLoader;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.counters.ArmCounters;
import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.LatencyRecorder;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What one request's counting costs with and without the time series (nanoseconds per request, average): the
 * counts {@code Record} makes for an exposure (request, exposure, new unit, status, latency) on an arm's
 * {@link ArmCounters}, which writes the minute and hour rows too, against the same LongAdders and latency recorder
 * alone (the counters without the series). Run with 1 and 2 threads:
 * {@code mvn -q -B -pl gateway test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java
 * "-Dexec.args=-cp %classpath org.openjdk.jmh.Main TimeSeriesBenchmark -f1 -wi 3 -i 5 -w 1s -r 1s -t 2"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TimeSeriesBenchmark {
  private ArmCounters arm;
  private final LongAdder requests = new LongAdder();
  private final LongAdder exposures = new LongAdder();
  private final LongAdder units = new LongAdder();
  private final LongAdder status2xx = new LongAdder();
  private final LatencyRecorder latency = new LatencyRecorder();

  @Setup
  public void setup() throws Exception {
    VaneConfig cfg = new ConfigLoader().parse("""
        endpoints: [ { id: a, url: "http://127.0.0.1:1" }, { id: b, url: "http://127.0.0.1:2" } ]
        routes: [ { pathPrefix: /, experiment: e } ]
        experiments:
          - id: e
            champion: { endpoint: a }
            canary: { endpoint: b, percent: 50 }
            metrics: [ { name: revenue, kind: continuous } ]
        """, "bench");
    // the constructor main has too, so that this benchmark runs against main's counters unchanged
    ExperimentCounters es = new ExperimentCounters(cfg.routing().experiment("e"), cfg.analysis("e"), Instant.now(),
        System::currentTimeMillis);
    arm = es.arm("champion");
  }

  /** The arm's counters, minute and hour rows included. */
  @Benchmark
  public void withTimeSeries() {
    arm.recordRequest();
    arm.recordExposure();
    arm.recordNewUnit();
    arm.recordStatus(200);
    arm.recordLatencyMicros(1_234);
  }

  /** The same counts as {@code Record} makes them: arrival and end, one clock read each. */
  @Benchmark
  public void asRecordCountsThem() {
    arm.recordArrival(true, true);
    arm.recordEnd(200, 1_234);
  }

  /** The same counts in LongAdders and the latency recorder only. */
  @Benchmark
  public void countersOnly() {
    requests.increment();
    exposures.increment();
    units.increment();
    status2xx.increment();
    latency.recordMicros(1_234);
  }
}

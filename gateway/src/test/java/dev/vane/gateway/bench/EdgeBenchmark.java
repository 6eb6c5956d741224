package dev.vane.gateway.bench;

import dev.vane.gateway.http.RequestTarget;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What checking and normalising a request target costs per request, in nanoseconds: the usual KServe path (the
 * fast path: one scan, no copy), the same with a query, and a path with escapes and dot segments (the slow path).
 * Run: {@code mvn -q -B -pl gateway test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java
 * "-Dexec.args=-cp %classpath org.openjdk.jmh.Main EdgeBenchmark -f1 -wi 3 -i 5 -w 1s -r 1s"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EdgeBenchmark {
  String plain = "/v2/models/fraud/infer";
  String query = "/v2/models/fraud/infer?user=alice&debug=1";
  String dotted = "/v2/models/./fraud/%7Eteam/../infer";

  @Benchmark
  public RequestTarget plainPath() {
    return RequestTarget.parse("POST", plain);
  }

  @Benchmark
  public RequestTarget pathWithQuery() {
    return RequestTarget.parse("POST", query);
  }

  @Benchmark
  public RequestTarget escapesAndDotSegments() {
    return RequestTarget.parse("POST", dotted);
  }
}

package dev.vane.gateway.bench;

import dev.vane.gateway.response.TextSimilarity;
import dev.vane.gateway.shadow.ShadowComparison;
import dev.vane.router.Shadow;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The shadow loop's Java work per compared copy, apart from the HTTP exchange (issue 24): the comparison of the
 * bench's 150-byte KServe v2 body with an identical copy (one parse: the fast path) and with a differing one (two
 * parses and the element-wise pass), the first-choice text read that shadows' text similarity does per body, and the
 * request-id hash that decides whether a copy is compared ({@code comparePercent}). Run as {@code HotPathBenchmark}
 * (bench/README.md): {@code org.openjdk.jmh.Main ShadowCompareBenchmark -f1 -wi 3 -i 5 -w 1s -r 1s}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ShadowCompareBenchmark {
  static final String BODY = "{\"model_name\":\"fraud\",\"model_version\":\"1\",\"id\":\"bench-resp00\",\"outputs\":[{\"name\":"
      + "\"score\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[0.921337,0.078663]}]}";
  private byte[] served;
  private byte[] same;
  private byte[] other;
  private final Shadow tenPercent = new Shadow("s", "e", 10_000, 1e-6, 1_000);
  private final String requestId = "0123456789abcdef0123456789abcdef";
  private String textA;
  private String textB;

  @Setup
  public void setup() {
    served = BODY.getBytes(StandardCharsets.UTF_8);
    same = BODY.getBytes(StandardCharsets.UTF_8);
    other = BODY.replace("0.921337", "0.921338").getBytes(StandardCharsets.UTF_8);
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    for (int i = 0; a.length() < 1000; i++) {
      a.append("word").append(i).append(' ');
      b.append(i % 10 == 0 ? "other" : "word").append(i).append(' ');
    }
    textA = a.toString();
    textB = b.toString();
  }

  @Benchmark
  public ShadowComparison compareIdentical() {
    return ShadowComparison.compare(200, served, 200, same, 1e-6);
  }

  @Benchmark
  public ShadowComparison compareDiffering() {
    return ShadowComparison.compare(200, served, 200, other, 1e-6);
  }

  @Benchmark
  public String firstChoiceText() {
    return TextSimilarity.firstChoiceText(served);
  }

  /** An LLM-sized disagreement: two ~1,000-character completions that differ in one word in ten. */
  @Benchmark
  public double textSimilarityOf1000Chars() {
    return TextSimilarity.editSimilarity(textA, textB) + TextSimilarity.tokenOverlap(textA, textB);
  }

  @Benchmark
  public boolean comparePick() {
    return tenPercent.compares(requestId);
  }
}

package dev.vane.gateway.bench;

import dev.vane.config.Analysis;
import dev.vane.gateway.counters.ResponseCounters;
import dev.vane.gateway.response.ResponseTap;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import dev.vane.router.Policy;
import dev.vane.router.Role;
import dev.vane.router.Targeting;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What measuring one response costs the event loop, beside forwarding it: a KServe v2 body with one pointer metric,
 * and an OpenAI stream of 20 content events plus a usage chunk with TTFT, inter-token and completion tokens. Run:
 * {@code mvn -q -B -pl gateway test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java
 * "-Dexec.args=-cp %classpath org.openjdk.jmh.Main ResponseTapBenchmark -f1 -wi 3 -i 5 -w 1s -r 1s"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResponseTapBenchmark {
  private Analysis kserve;
  private Analysis stream;
  private ResponseCounters.Target kserveTarget;
  private ResponseCounters.Target streamTarget;
  private Buffer kserveBody;
  private List<Buffer> streamChunks;

  @Setup
  public void setup() {
    Experiment e = new Experiment("e", "e", "v", List.of(new Arm("a", Role.CHAMPION, "x", 10_000, 0)), List.of(),
        10_000, true, false, false, Targeting.NONE, Policy.HASH, false);
    kserve = new Analysis(List.of(), List.of(), List.of(), Duration.ofHours(1), null, null,
        List.of(new Analysis.ResponseMetric("score", "/outputs/0/data", Analysis.Aggregate.MAX, null, 1 << 20)));
    stream = new Analysis(List.of(), List.of(), List.of(), Duration.ofHours(1), null, null, List.of(
        new Analysis.ResponseMetric("ttft", null, null, Analysis.Builtin.TTFT, 1 << 20),
        new Analysis.ResponseMetric("gap", null, null, Analysis.Builtin.INTER_TOKEN, 1 << 20),
        new Analysis.ResponseMetric("out", null, null, Analysis.Builtin.COMPLETION_TOKENS, 1 << 20)));
    kserveTarget = new ResponseCounters(e, kserve).arm("a");
    streamTarget = new ResponseCounters(e, stream).arm("a");
    kserveBody = Buffer.buffer("{\"model_name\":\"m\",\"outputs\":[{\"name\":\"p\",\"datatype\":\"FP32\","
        + "\"shape\":[1,3],\"data\":[0.25,0.7,0.05]}]}");
    streamChunks = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      streamChunks.add(Buffer.buffer("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
          + "\"delta\":{\"content\":\" tok" + i + "\"},\"finish_reason\":null}]}\n\n"));
    }
    streamChunks.add(Buffer.buffer("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":20,"
        + "\"total_tokens\":32}}\n\ndata: [DONE]\n\n"));
  }

  @Benchmark
  public ResponseTap kserveOnePointer() {
    ResponseTap t = ResponseTap.of(kserve, null, kserveTarget, 0, 200, "application/json");
    t.chunk(kserveBody, 1);
    t.end(true);
    return t;
  }

  @Benchmark
  public ResponseTap openAiStreamOf21Chunks() {
    ResponseTap t = ResponseTap.of(stream, null, streamTarget, 0, 200, "text/event-stream");
    long now = 0;
    for (Buffer b : streamChunks) {
      t.chunk(b, now += 1_000_000);
    }
    t.end(true);
    return t;
  }
}

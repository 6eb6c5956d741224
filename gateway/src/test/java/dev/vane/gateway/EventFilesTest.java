package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jsonl event sink under load through a real gateway: files rotated by size many times over lose no event and
 * split no line, and the lines add up to the results API's numbers.
 */
class EventFilesTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final TestBackend a = fx.backend("a");
  static final TestBackend b = fx.backend("b");

  static final int THREADS = 4;
  static final int PER_THREAD = 400;

  @Test
  void filesRotatedUnderLoadHoldEveryEventOnceInWholeLines(@TempDir Path dir) throws Exception {
    String yaml = FeedbackTest.yaml(a.url(), b.url(), "events:\n  batch: 64\n  sinks:\n"
        + "    - { type: jsonl, dir: \"" + dir + "\", maxBytes: 2KB }\n", 5000);
    Gateway g = fx.gateway(yaml);
    Map<String, String> armOf = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      done.add(pool.submit(() -> {
        for (int i = 0; i < PER_THREAD; i++) {
          Harness.Reply r = h.send(g.port(), HttpMethod.POST, "/v2/models/m/infer",
              Map.of("X-User-Id", "u-" + thread + "-" + (i % 50), "X-Region", i % 3 == 0 ? "eu" : "us"),
              Buffer.buffer("{}"));
          assertEquals(200, r.status());
          armOf.put(r.header("X-Request-Id"), r.header("X-Vane-Variant"));
        }
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    // every third request converts (and one binary 0 and a duplicate that must not show up as a second line)
    List<String> rids = new ArrayList<>(armOf.keySet());
    JsonArray events = new JsonArray();
    for (int i = 0; i < rids.size(); i += 3) {
      events.add(FeedbackTest.event(rids.get(i), "c-" + i, "click", 1));
    }
    events.add(FeedbackTest.event(rids.get(1), "c-zero", "click", 0));
    JsonObject fb = h.send(g.adminPort(), HttpMethod.POST, "/v1/feedback", Map.of(),
        Buffer.buffer(new JsonObject().put("events", events).encode())).json();
    JsonObject dup = h.send(g.adminPort(), HttpMethod.POST, "/v1/feedback", Map.of(),
        Buffer.buffer(new JsonObject().put("events", new JsonArray().add(events.getValue(0))).encode())).json();
    assertEquals(1, dup.getInteger("duplicates"));
    JsonObject results = h.get(g.adminPort(), "/v1/experiments/e/results").json();
    fx.close(g); // drains the event queue and closes the current files

    List<JsonObject> lines = new ArrayList<>();
    int files = 0;
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        files++;
        String text = Files.readString(p, StandardCharsets.UTF_8);
        assertTrue(text.isEmpty() || text.endsWith("\n"), p + " ends inside a line");
        assertTrue(Files.size(p) <= 2048, p + " is larger than maxBytes: " + Files.size(p));
        for (String line : text.split("\n")) {
          if (!line.isEmpty()) {
            lines.add(new JsonObject(line)); // throws unless every line is a whole JSON object
          }
        }
      }
    }
    assertTrue(files > 50, "rotated by size: " + files + " files");
    Map<String, Long> exposures = new HashMap<>();
    Map<String, Long> clicks = new HashMap<>();
    Set<String> exposed = new HashSet<>();
    int feedbackLines = 0;
    for (JsonObject l : lines) {
      assertEquals(1, l.getInteger("v"));
      if (l.getString("kind").equals("exposure")) {
        assertTrue(exposed.add(l.getString("requestId")), "one line per exposure: " + l);
        assertEquals(armOf.get(l.getString("requestId")), l.getString("arm"));
        exposures.merge(l.getString("arm"), 1L, Long::sum);
      } else {
        feedbackLines++;
        if (l.getBoolean("counted")) {
          clicks.merge(l.getString("arm"), 1L, Long::sum);
        }
      }
    }
    assertEquals(THREADS * PER_THREAD, exposed.size());
    assertEquals(fb.getInteger("accepted"), feedbackLines);
    for (String arm : List.of("a", "b")) {
      JsonObject r = FeedbackTest.arm(results, arm);
      assertEquals(r.getLong("exposures"), exposures.get(arm), "exposures of " + arm);
      long successes = r.getJsonArray("metrics").stream().map(JsonObject.class::cast)
          .filter(m -> m.getString("metric").equals("click")).findFirst().orElseThrow().getLong("successes");
      assertEquals(successes, clicks.getOrDefault(arm, 0L), "clicks of " + arm);
    }
  }

  /**
   * README's worked example: {@code docs/events-example.sql} over the files in PostgreSQL gives the results API's
   * exposures, conversions and revenue per arm (skipped without psql and a server at 127.0.0.1, user postgres).
   */
  @Test
  void theReadmesSqlOverTheFilesEqualsTheResultsApi(@TempDir Path dir) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(psql(List.of("-c", "select 1"), null).exit() == 0,
        "psql and PostgreSQL at 127.0.0.1 (user postgres, database test) not available");
    Gateway g = fx.gateway(FeedbackTest.yaml(a.url(), b.url(), "events:\n  sinks:\n"
        + "    - { type: jsonl, dir: \"" + dir + "\", maxBytes: 64KB }\n", 5000));
    JsonArray events = new JsonArray();
    for (int i = 0; i < 600; i++) {
      Harness.Reply r = h.post(g.port(), "/v2/models/m/infer", "user-" + (i % 240), "{}");
      assertEquals(200, r.status());
      if (i % 3 == 0) {
        events.add(FeedbackTest.event(r.header("X-Request-Id"), "c-" + i, "click", i % 2 == 0));
      }
      if (i % 5 == 0) {
        events.add(FeedbackTest.event(r.header("X-Request-Id"), "r-" + i, "revenue", i % 7 + 0.5));
      }
    }
    JsonObject fb = h.send(g.adminPort(), HttpMethod.POST, "/v1/feedback", Map.of(),
        Buffer.buffer(new JsonObject().put("events", events).encode())).json();
    assertEquals(events.size(), fb.getInteger("accepted"));
    JsonObject results = h.get(g.adminPort(), "/v1/experiments/e/results").json();
    fx.close(g);
    StringBuilder lines = new StringBuilder();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        lines.append(Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    Path script = Path.of("..", "docs", "events-example.sql");
    Psql shown = psql(List.of("-q", "-v", "experiment=e", "-f", script.toString()), lines.toString());
    System.out.println("events-example.sql:\n" + shown.output()); // what README shows
    for (String id : List.of("a", "b")) {
      JsonObject arm = FeedbackTest.arm(results, id);
      System.out.println("results API, arm " + id + ": exposures " + arm.getLong("exposures") + ", click "
          + metric(arm, "click").encode() + ", revenue " + metric(arm, "revenue").encode());
    }
    Psql rows = psql(List.of("-q", "-A", "-t", "-F", "|", "-v", "experiment=e", "-f", script.toString()),
        lines.toString());
    assertEquals(0, rows.exit(), rows.output());
    int armsSeen = 0;
    for (String row : rows.output().strip().split("\n")) {
      String[] c = row.split("\\|", -1);
      JsonObject arm = FeedbackTest.arm(results, c[1]);
      assertEquals(results.getString("version"), c[0]);
      assertEquals(arm.getLong("exposures"), Long.parseLong(c[2]), row);
      JsonObject click = metric(arm, "click");
      assertEquals(click.getLong("successes"), Long.parseLong(c[3]), row);
      assertEquals(click.getDouble("rate"), Double.parseDouble(c[4]), 0.00005, row);
      JsonObject revenue = metric(arm, "revenue");
      assertEquals(revenue.getLong("count"), Long.parseLong(c[5]), row);
      assertEquals(revenue.getDouble("mean"), Double.parseDouble(c[6]), 0.00005, row);
      armsSeen++;
    }
    assertEquals(2, armsSeen, rows.output());
  }

  private static JsonObject metric(JsonObject arm, String name) {
    return arm.getJsonArray("metrics").stream().map(JsonObject.class::cast)
        .filter(m -> m.getString("metric").equals(name)).findFirst().orElseThrow();
  }

  record Psql(int exit, String output) {}

  /** Runs psql against the local test database with {@code stdin} as its input (null: none). */
  static Psql psql(List<String> args, String stdin) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("psql", "-X", "-h", "127.0.0.1", "-U", "postgres", "-d", "test"));
    cmd.addAll(args);
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      return new Psql(-1, e.toString()); // no psql on this machine
    }
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Psql(-1, "psql did not finish: " + out);
    }
    return new Psql(p.exitValue(), out);
  }
}

package dev.vane.gateway.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.config.EventSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation of the jsonl sink by age and size, on an injected clock. */
class JsonlSinkTest {
  static final long T0 = Instant.parse("2026-12-06T21:00:00Z").toEpochMilli();

  static Event exposure(int i, String unit) {
    return new Event.Exposure(T0 + i, "e", "v1", "a", unit, "r" + i, "r0", Map.of(), "hashed", false, false);
  }

  static List<String> files(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aFileIsRenamedWithItsRotationTimeOnceItIsMaxAgeOldAndNotWhileEmpty(@TempDir Path dir) throws Exception {
    AtomicLong now = new AtomicLong(T0);
    JsonlSink sink = new JsonlSink(new EventSettings.Jsonl(dir.toString(), 1 << 20, Duration.ofMinutes(1), 10),
        now::get);
    assertEquals(List.of(), sink.write(List.of(exposure(1, "u"))));
    now.addAndGet(59_999);
    sink.tick();
    assertEquals(List.of("exposures.jsonl"), files(dir));
    now.addAndGet(1);
    sink.tick(); // renamed, and a new current file opened
    assertEquals(List.of("exposures-20261206-210100-0.jsonl", "exposures.jsonl"), files(dir));
    assertEquals(0, Files.size(dir.resolve("exposures.jsonl")));
    now.addAndGet(120_000);
    sink.tick(); // nothing written since: nothing to rotate
    assertEquals(List.of("exposures-20261206-210100-0.jsonl", "exposures.jsonl"), files(dir));
    sink.write(List.of(exposure(2, "u")));
    sink.close();
    // the next process renames what the last one left, with the first free number
    JsonlSink next = new JsonlSink(new EventSettings.Jsonl(dir.toString(), 1 << 20, Duration.ofMinutes(1), 10),
        () -> T0 + 60_000);
    next.write(List.of(exposure(3, "u")));
    next.close();
    assertEquals(List.of("exposures-20261206-210100-0.jsonl", "exposures-20261206-210100-1.jsonl",
        "exposures.jsonl"), files(dir));
  }

  @Test
  void aLineLongerThanMaxBytesGetsAFileOfItsOwnAndNoLineIsSplit(@TempDir Path dir) throws Exception {
    JsonlSink sink = new JsonlSink(new EventSettings.Jsonl(dir.toString(), 1024, Duration.ofHours(1), 10),
        () -> T0);
    String big = "x".repeat(3000);
    assertEquals(List.of(), sink.write(List.of(exposure(1, "a"), exposure(2, big), exposure(3, "b"))));
    sink.close();
    List<String> names = files(dir);
    assertEquals(3, names.size(), names.toString());
    int lines = 0;
    for (String n : names) {
      String text = Files.readString(dir.resolve(n));
      assertTrue(text.endsWith("\n"), n);
      assertEquals(1, text.split("\n").length, n + " holds one line");
      lines++;
    }
    assertEquals(3, lines);
    assertTrue(Files.readString(dir.resolve("exposures-20261206-210000-1.jsonl")).contains(big));
  }
}

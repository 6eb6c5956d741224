package dev.vane.gateway.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vane.config.EventSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event log's writer thread and the sinks it writes to, through a real jsonl sink. */
class EventLogTest {
  /**
   * Closing writes everything still queued, even when the writer is in the middle of a batch: close used to
   * interrupt it, which closed the file channel under the write (a channel closes when its thread is interrupted)
   * and ended the writer with events still in the queue.
   */
  @Test
  void closeWritesEveryQueuedEventEvenWithTheWriterMidBatch(@TempDir Path dir) throws Exception {
    int n = 20_000;
    EventLog log = EventLog.start(new EventSettings(n, 16, Duration.ofMillis(50),
        List.of(new EventSettings.Jsonl(dir.toString(), 1 << 20, Duration.ofHours(1), 100))), null,
        Duration.ofSeconds(1), System::currentTimeMillis);
    for (int i = 0; i < n; i++) {
      log.offer(JsonlSinkTest.exposure(i, "u" + i));
    }
    log.close(Duration.ofSeconds(30));
    Set<String> units = new HashSet<>();
    int lines = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        for (String line : Files.readAllLines(p)) {
          lines++;
          units.add(new io.vertx.core.json.JsonObject(line).getString("unit"));
        }
      }
    }
    assertEquals(n, lines, "lines written");
    assertEquals(n, units.size(), "each event once");
  }
}

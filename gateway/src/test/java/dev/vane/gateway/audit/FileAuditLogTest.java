package dev.vane.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileAuditLog} on a real file. */
class FileAuditLogTest {
  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

  @TempDir
  Path dir;

  static AuditEntry entry(int i) {
    return new AuditEntry(null, T0.plusSeconds(i), "alice", "10.0.0.1", "config.write", "config", (long) i, 200,
        "write " + i, i % 2 == 0 ? null : "-a: " + (i - 1) + "\n+a: " + i + "\n");
  }

  private static <T> T get(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static List<Long> versions(List<AuditEntry> entries) {
    return entries.stream().map(AuditEntry::version).toList();
  }

  @Test
  void entriesComeBackOldestFirstWithSequenceIdsFromATimeOrTheNewest() throws Exception {
    Path file = dir.resolve("audit/audit.jsonl");
    try (FileAuditLog log = FileAuditLog.of(file, 100)) {
      for (int i = 1; i <= 5; i++) {
        get(log.append(entry(i)));
      }
      List<AuditEntry> all = get(log.read(null, 10));
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L), versions(all));
      assertEquals(List.of("1", "2", "3", "4", "5"), all.stream().map(AuditEntry::id).toList());
      assertEquals(entry(3).withId("3"), all.get(2), "every field round-trips, nulls included");
      assertEquals(List.of(4L, 5L), versions(get(log.read(null, 2))), "the newest, oldest first");
      assertEquals(List.of(3L, 4L), versions(get(log.read(T0.plusSeconds(3), 2))), "from a time on");
      assertEquals(List.of(), get(log.read(T0.plusSeconds(60), 10)));
    }
    try (FileAuditLog reopened = FileAuditLog.of(file, 100)) {
      get(reopened.append(entry(6)));
      assertEquals("6", get(reopened.read(null, 1)).get(0).id(), "the sequence goes on after a restart");
    }
  }

  @Test
  void theFileIsCompactedToTheNewestEntriesPastTwiceTheBound() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (FileAuditLog log = FileAuditLog.of(file, 3)) {
      for (int i = 1; i <= 7; i++) {
        get(log.append(entry(i)));
      }
      assertEquals(3, Files.readAllLines(file).size(), "7 > 2×3 lines: rewritten with the newest 3");
      assertEquals(List.of(5L, 6L, 7L), versions(get(log.read(null, 10))));
      get(log.append(entry(8)));
      assertEquals(List.of(5L, 6L, 7L, 8L), versions(get(log.read(null, 10))), "appends go on after compaction");
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("audit.jsonl"), files.map(p -> p.getFileName().toString()).toList(), "no temp file left");
    }
  }

  @Test
  void aLongDiffIsCutWithANoteAndACutLastLineIsSkipped() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    String diff = "+x\n".repeat(30_000);
    try (FileAuditLog log = FileAuditLog.of(file, 10)) {
      get(log.append(new AuditEntry(null, T0, "alice", null, "config.write", null, null, 200, null, diff)));
    }
    Files.writeString(file, "{\"id\":\"2\",\"time\":\"2026-", java.nio.file.StandardOpenOption.APPEND);
    try (FileAuditLog log = FileAuditLog.of(file, 10)) {
      List<AuditEntry> read = get(log.read(null, 10));
      assertEquals(1, read.size());
      String stored = read.get(0).diff();
      assertTrue(stored.length() <= AuditEntry.MAX_DIFF, "length " + stored.length());
      assertTrue(stored.startsWith(diff.substring(0, AuditEntry.MAX_DIFF - 64)));
      assertTrue(stored.endsWith("[diff cut at 65472 of 90000 characters]\n"), stored.substring(65_400));
    }
  }
}

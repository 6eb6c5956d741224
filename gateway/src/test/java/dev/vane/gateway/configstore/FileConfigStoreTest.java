package dev.vane.gateway.configstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.state.Eventually;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileConfigStore} on real files in a temporary directory. */
class FileConfigStoreTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
  private static final Duration WAIT = Duration.ofSeconds(5);

  @TempDir
  Path dir;
  private final List<FileConfigStore> stores = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeStores() {
    stores.forEach(FileConfigStore::close);
  }

  private FileConfigStore open(Path file, int keep, Duration poll) throws Exception {
    FileConfigStore s = FileConfigStore.of(file, keep, poll, CLOCK);
    stores.add(s);
    return s;
  }

  private static <T> T get(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static Throwable failure(CompletionStage<?> stage) {
    CompletionException e = assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join());
    return e.getCause();
  }

  private Path file(String text) throws Exception {
    Path f = dir.resolve("vane.yaml");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void theFileAtOpenIsVersionOneAndWritesAddVersionsNewestFirstInHistory() throws Exception {
    Path f = file("a: 1\n");
    FileConfigStore s = open(f, 10, Duration.ZERO);
    ConfigVersion v1 = get(s.current());
    assertEquals(1, v1.number());
    assertEquals("file", v1.author());
    assertEquals("loaded from disk", v1.message());
    assertEquals("a: 1\n", v1.content());
    assertEquals(ConfigVersion.hashOf("a: 1\n"), v1.hash());
    assertEquals(CLOCK.instant(), v1.time());

    ConfigVersion v2 = get(s.write("a: 2\n", 1, "alice", "bump", "a 1 → 2"));
    ConfigVersion v3 = get(s.write("a: 3\n", 2, "bob", "again", ""));
    assertEquals(2, v2.number());
    assertEquals(3, v3.number());
    assertEquals("a: 3\n", Files.readString(f), "the file is the current version");
    assertEquals(List.of(3L, 2L, 1L), get(s.history(10)).stream().map(ConfigVersion::number).toList());
    assertEquals(List.of(3L, 2L), get(s.history(2)).stream().map(ConfigVersion::number).toList());
    assertTrue(get(s.history(10)).stream().allMatch(v -> v.content() == null), "history has no content");
    assertEquals("a 1 → 2", get(s.version(2)).orElseThrow().summary());
    assertEquals("a: 2\n", get(s.version(2)).orElseThrow().content());
    assertEquals(get(s.current()), v3);
    assertTrue(get(s.version(4)).isEmpty());

    assertTrue(Files.exists(dir.resolve("vane.yaml.history/000002.yaml")), "the file's extension is kept");
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("vane.yaml", "vane.yaml.history"), files.map(p -> p.getFileName().toString()).sorted()
          .toList(), "no temporary file is left");
    }
    s.close();

    FileConfigStore reopened = open(f, 10, Duration.ZERO);
    assertEquals(v3, get(reopened.current()), "the history survives a restart and nothing is appended");
    assertEquals(3, get(reopened.history(10)).size());
  }

  @Test
  void theHashIsSha256OfTheUtf8Bytes() {
    // echo -n 'abc' | sha256sum
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ConfigVersion.hashOf("abc"));
    assertEquals(ConfigVersion.hashOf("é"), ConfigVersion.hashOf(new String("é".getBytes(StandardCharsets.UTF_8),
        StandardCharsets.UTF_8)));
  }

  @Test
  void aWriteAgainstAnOlderVersionIsStaleAndChangesNothing() throws Exception {
    Path f = file("a: 1\n");
    FileConfigStore s = open(f, 10, Duration.ZERO);
    get(s.write("a: 2\n", 1, "alice", "", ""));
    Throwable e = failure(s.write("a: 9\n", 1, "bob", "", ""));
    assertEquals(2, assertInstanceOf(StaleVersionException.class, e).latest());
    assertEquals("a: 2\n", Files.readString(f));
    assertEquals(2, get(s.current()).number());
  }

  @Test
  void aHandEditBecomesANewVersionDeliveredToTheWatcherAndMakesAPendingWriteStale() throws Exception {
    Path f = file("a: 1\n");
    FileConfigStore s = open(f, 10, Duration.ofMillis(50));
    get(s.current());
    List<ConfigVersion> seen = new CopyOnWriteArrayList<>();
    s.watch(seen::add);

    Files.writeString(f, "a: by hand\n");
    Eventually.await(WAIT, () -> !seen.isEmpty(), () -> "seen " + seen);
    ConfigVersion v2 = seen.get(0);
    assertEquals(2, v2.number());
    assertEquals("file", v2.author());
    assertEquals("changed on disk", v2.message());
    assertEquals("a: by hand\n", v2.content());

    get(s.write("a: 3\n", 2, "alice", "", ""));
    Eventually.await(WAIT, () -> seen.size() == 2, () -> "seen " + seen);
    assertEquals(3, seen.get(1).number(), "the store's own writes are delivered too");

    Files.writeString(f, "a: again by hand\n");
    Throwable e = failure(s.write("a: 4\n", 3, "alice", "", ""));
    assertEquals(4, assertInstanceOf(StaleVersionException.class, e).latest(), "the hand edit is never lost");
    assertEquals("a: again by hand\n", Files.readString(f));
  }

  @Test
  void aFileChangedWhileTheStoreWasClosedIsAVersionAtOpen() throws Exception {
    Path f = file("a: 1\n");
    open(f, 10, Duration.ZERO).close();
    Files.writeString(f, "a: deployed\n");
    FileConfigStore s = open(f, 10, Duration.ZERO);
    ConfigVersion v = get(s.current());
    assertEquals(2, v.number());
    assertEquals("changed on disk", v.message());
  }

  @Test
  void aReadOnlyFileRefusesWritesAndKeepsItsHistoryInMemory() throws Exception {
    Path f = file("a: 1\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--r--r--"));
    FileConfigStore s = open(f, 10, Duration.ZERO);
    assertTrue(s.readOnlyReason().orElseThrow().contains("read-only"), s.readOnlyReason().toString());
    Throwable e = failure(s.write("a: 2\n", 1, "alice", "", ""));
    assertInstanceOf(ReadOnlyStoreException.class, e);
    assertEquals("a: 1\n", Files.readString(f));
    assertFalse(Files.exists(dir.resolve("vane.yaml.history")), "no history on disk");

    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    Files.writeString(f, "a: new\n"); // the ConfigMap is updated where it comes from
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--r--r--"));
    assertEquals(2, s.check().orElseThrow().number());
    assertEquals(List.of(2L, 1L), get(s.history(10)).stream().map(ConfigVersion::number).toList());
    assertEquals("a: 1\n", get(s.version(1)).orElseThrow().content());
  }

  @Test
  void aFileInAReadOnlyDirectoryThroughASymlinkIsReadOnly() throws Exception {
    Path data = Files.createDirectory(dir.resolve("..data"));
    Files.writeString(data.resolve("vane.yaml"), "a: 1\n");
    Path mount = Files.createDirectory(dir.resolve("mount"));
    Path link = Files.createSymbolicLink(mount.resolve("vane.yaml"), data.resolve("vane.yaml"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      FileConfigStore s = open(link, 10, Duration.ZERO);
      assertTrue(s.readOnlyReason().orElseThrow().contains("directory"), s.readOnlyReason().toString());
      assertInstanceOf(ReadOnlyStoreException.class, failure(s.write("a: 2\n", 1, "alice", "", "")));
      assertEquals(1, get(s.current()).number());
    } finally {
      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void aWritableSymlinkKeepsPointingAtItsTarget() throws Exception {
    Path target = Files.writeString(Files.createDirectory(dir.resolve("real")).resolve("vane.yaml"), "a: 1\n");
    Path link = Files.createSymbolicLink(dir.resolve("vane.yaml"), target);
    FileConfigStore s = open(link, 10, Duration.ZERO);
    get(s.write("a: 2\n", 1, "alice", "", ""));
    assertTrue(Files.isSymbolicLink(link));
    assertEquals("a: 2\n", Files.readString(target));
  }

  @Test
  void onlyTheNewestKeepVersionsAreRetainedAndTheIndexIsCompacted() throws Exception {
    Path f = file("v: 1\n");
    FileConfigStore s = open(f, 3, Duration.ZERO);
    for (int i = 2; i <= 10; i++) {
      get(s.write("v: " + i + "\n", i - 1, "alice", "", ""));
    }
    assertEquals(List.of(10L, 9L, 8L), get(s.history(100)).stream().map(ConfigVersion::number).toList());
    assertTrue(get(s.version(7)).isEmpty(), "pruned");
    assertEquals("v: 8\n", get(s.version(8)).orElseThrow().content());
    Path history = dir.resolve("vane.yaml.history");
    try (Stream<Path> files = Files.list(history)) {
      assertEquals(List.of("000008.yaml", "000009.yaml", "000010.yaml", "index.jsonl"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    long lines = Files.readAllLines(history.resolve("index.jsonl")).size();
    assertTrue(lines >= 3 && lines <= 6, "index lines: " + lines + " (expected: keep..2×keep)");
    s.close();
    FileConfigStore reopened = open(f, 3, Duration.ZERO);
    assertEquals(List.of(10L, 9L, 8L), get(reopened.history(100)).stream().map(ConfigVersion::number).toList());
  }

  @Test
  void concurrentWritersWithTheSameExpectedVersionYieldOneVersion() throws Exception {
    Path f = file("a: 0\n");
    FileConfigStore s = open(f, 50, Duration.ZERO);
    List<CompletionStage<ConfigVersion>> writes = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      writes.add(s.write("a: " + i + "\n", 1, "w" + i, "", ""));
    }
    long ok = writes.stream().filter(w -> {
      try {
        get(w);
        return true;
      } catch (CompletionException e) {
        assertInstanceOf(StaleVersionException.class, e.getCause());
        return false;
      }
    }).count();
    assertEquals(1, ok);
    assertEquals(2, get(s.current()).number());
  }
}

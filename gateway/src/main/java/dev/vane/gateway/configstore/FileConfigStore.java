package dev.vane.gateway.configstore;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The config in a file: the file IS the current version, and its history lies beside it in {@code <file>.history/}:
 * each retained version's content as {@code 000001.yaml} (the file's own extension) and {@code index.jsonl}, one
 * JSON object per version (number, hash, author, time, message, summary).
 *
 * <p><b>Open.</b> With no history yet, or when the file's content differs from the last version's (edited by hand or
 * by a deploy), a version is appended (author {@code file}, message {@code loaded from disk} /
 * {@code changed on disk}). {@link #check()} does the same later; a watcher polls it.
 *
 * <p><b>Writes</b> (one at a time in the process) first take in a change on disk (so a hand edit is never
 * overwritten unseen: it becomes the latest version and the write is stale), then write the file through a
 * temporary file in its directory moved over it atomically (the file's permissions kept; a symlink is followed and
 * its target replaced), then append the history.
 *
 * <p><b>Pruning.</b> At most {@code keep} versions are retained: older content files are deleted as new versions
 * arrive. {@code index.jsonl} keeps a line per version until it holds more than {@code 2 × keep} lines, then it is
 * rewritten atomically with the retained versions' lines only. {@link #history} and {@link #version} see retained
 * versions only.
 *
 * <p><b>Read-only.</b> When the file or its directory is not writable (a Kubernetes ConfigMap, a symlink into a
 * read-only directory, a file without write permission bits), {@link #readOnlyReason()} says so, writes fail with
 * {@link ReadOnlyStoreException}, and the history lives in memory only: version 1 is the file at open, later
 * changes on disk add versions.
 */
public final class FileConfigStore implements ConfigStore {
  private static final Logger log = LoggerFactory.getLogger(FileConfigStore.class);
  static final String AUTHOR_FILE = "file";

  private final Path file;
  private final Path historyDir;
  private final Path index;
  private final String extension;
  private final int keep;
  private final Duration pollEvery;
  private final Clock clock;
  private final Optional<String> readOnlyReason;
  private final ExecutorService io;
  private final ScheduledExecutorService watcher;

  // guarded by this
  private final TreeMap<Long, ConfigVersion> retained = new TreeMap<>(); // without content
  private final Map<Long, String> memoryContents = new HashMap<>(); // read-only stores only
  private ConfigVersion latest; // with content
  private int indexLines;
  private boolean polling;

  // guarded by delivering
  private final Object delivering = new Object();
  private Consumer<ConfigVersion> listener;
  private long delivered;

  private FileConfigStore(Path file, int keep, Duration pollEvery, Clock clock) throws IOException {
    if (keep < 1) {
      throw new IllegalArgumentException("keep: " + keep + " (expected: >= 1)");
    }
    this.file = file.toAbsolutePath();
    this.keep = keep;
    this.pollEvery = pollEvery;
    this.clock = clock;
    String name = this.file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    this.extension = dot > 0 ? name.substring(dot) : "";
    this.historyDir = this.file.resolveSibling(name + ".history");
    this.index = historyDir.resolve("index.jsonl");
    this.readOnlyReason = readOnlyReason(this.file, historyDir);
    this.io = Executors.newSingleThreadExecutor(daemon("vane-config-file-io"));
    this.watcher = Executors.newSingleThreadScheduledExecutor(daemon("vane-config-file-watch"));
    try {
      open();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** A store for {@code file} keeping {@code keep} versions, its watcher polling every second. */
  public static FileConfigStore of(Path file, int keep) throws IOException {
    return of(file, keep, Duration.ofSeconds(1), Clock.systemUTC());
  }

  /**
   * A store for {@code file} keeping {@code keep} versions (at least 1).
   *
   * @param pollEvery how often a watcher looks at the file (zero or less: only when {@link #check()} is called)
   * @param clock     the time of each new version
   * @throws IOException when the file cannot be read or its history cannot be read or started
   */
  public static FileConfigStore of(Path file, int keep, Duration pollEvery, Clock clock) throws IOException {
    return new FileConfigStore(file, keep, pollEvery, clock);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Why {@code file} cannot be written, or empty when it and its history can. */
  static Optional<String> readOnlyReason(Path file, Path historyDir) throws IOException {
    Path real = file.toRealPath();
    Path dir = real.getParent();
    if (!writable(real)) {
      return Optional.of("the file " + file + " is read-only (a ConfigMap?); change it where it comes from");
    }
    if (!writable(dir)) {
      return Optional.of("the directory of " + file + " (" + dir + ") is read-only (a ConfigMap?); change the file"
          + " where it comes from");
    }
    Path historyParent = historyDir.getParent();
    if (!writable(historyParent) || Files.exists(historyDir) && !writable(historyDir)) {
      return Optional.of("the history of " + file + " cannot be kept in " + historyDir + " (not writable)");
    }
    return Optional.empty();
  }

  /**
   * Whether {@code p} may be written: the OS says so and, on POSIX file systems, some write permission bit is set
   * (root passes the OS check on any file, so a file marked read-only for everyone is taken at its word).
   */
  private static boolean writable(Path p) throws IOException {
    if (!Files.isWritable(p)) {
      return false;
    }
    PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
    if (view == null) {
      return true;
    }
    Set<PosixFilePermission> perms = view.readAttributes().permissions();
    return perms.contains(PosixFilePermission.OWNER_WRITE) || perms.contains(PosixFilePermission.GROUP_WRITE)
        || perms.contains(PosixFilePermission.OTHERS_WRITE);
  }

  private synchronized void open() throws IOException {
    String content = Files.readString(file, StandardCharsets.UTF_8);
    if (readOnlyReason.isEmpty()) {
      Files.createDirectories(historyDir);
      readIndex();
    }
    if (latest == null) {
      append(content, AUTHOR_FILE, "loaded from disk", "");
    } else if (!latest.hash().equals(ConfigVersion.hashOf(content))) {
      append(content, AUTHOR_FILE, "changed on disk", "");
    }
  }

  /** Loads the retained versions of the index (a malformed line, such as a cut last one, is skipped). */
  private void readIndex() throws IOException {
    if (!Files.exists(index)) {
      return;
    }
    TreeMap<Long, ConfigVersion> all = new TreeMap<>();
    for (String line : Files.readAllLines(index, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      indexLines++;
      try {
        ConfigVersion v = VersionJson.fromJson(new JsonObject(line));
        all.put(v.number(), v);
      } catch (RuntimeException e) {
        log.warn("{}: skipping a malformed line: {}", index, e.toString());
      }
    }
    if (all.isEmpty()) {
      return;
    }
    long last = all.lastKey();
    for (ConfigVersion v : all.tailMap(last - keep, false).values()) {
      if (Files.exists(contentFile(v.number()))) {
        retained.put(v.number(), v);
      }
    }
    ConfigVersion top = all.get(last);
    String content = Files.exists(contentFile(last)) ? Files.readString(contentFile(last), StandardCharsets.UTF_8)
        : null;
    if (content == null || !ConfigVersion.hashOf(content).equals(top.hash())) {
      // the latest content file is missing or damaged: keep numbering, and let open() record the file anew
      latest = new ConfigVersion(top.number(), "", top.author(), top.time(), top.message(), top.summary(), "");
      retained.remove(last);
    } else {
      latest = new ConfigVersion(top.number(), top.hash(), top.author(), top.time(), top.message(), top.summary(),
          content);
    }
  }

  private Path contentFile(long number) {
    return historyDir.resolve(String.format(java.util.Locale.ROOT, "%06d%s", number, extension));
  }

  /** Records {@code content} as the next version (the file already holds it) and prunes. */
  private ConfigVersion append(String content, String author, String message, String summary) throws IOException {
    long n = latest == null ? 1 : latest.number() + 1;
    ConfigVersion v = ConfigVersion.of(n, author, clock.instant(), message, summary, content);
    if (readOnlyReason.isPresent()) {
      memoryContents.put(n, content);
    } else {
      AtomicFiles.replace(contentFile(n), content);
      Files.writeString(index, VersionJson.toJson(v.withoutContent()).encode() + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      indexLines++;
    }
    retained.put(n, v.withoutContent());
    latest = v;
    prune();
    return v;
  }

  private void prune() throws IOException {
    while (retained.size() > keep) {
      long oldest = retained.pollFirstEntry().getKey();
      memoryContents.remove(oldest);
      if (readOnlyReason.isEmpty()) {
        Files.deleteIfExists(contentFile(oldest));
      }
    }
    if (readOnlyReason.isEmpty() && indexLines > 2 * keep) {
      StringBuilder sb = new StringBuilder();
      for (ConfigVersion v : retained.values()) {
        sb.append(VersionJson.toJson(v).encode()).append('\n');
      }
      AtomicFiles.replace(index, sb.toString());
      indexLines = retained.size();
    }
  }

  /** Takes in a change of the file on disk as a new version; returns it, or null when the file is unchanged. */
  private synchronized ConfigVersion absorbDiskChange() throws IOException {
    String content = Files.readString(file, StandardCharsets.UTF_8);
    if (ConfigVersion.hashOf(content).equals(latest.hash())) {
      return null;
    }
    return append(content, AUTHOR_FILE, "changed on disk", "");
  }

  /**
   * Looks at the file now (blocking): a change becomes a new version, and the watcher gets the latest version if
   * it has not had it yet. Returns the version a change became, if any. A file that cannot be read (missing for
   * a moment during a deploy) is logged and looked at again next time.
   */
  public Optional<ConfigVersion> check() {
    ConfigVersion changed = null;
    try {
      changed = absorbDiskChange();
    } catch (IOException | UncheckedIOException e) {
      log.warn("{}: cannot read the config file ({}); trying again at the next check", file, e.toString());
    }
    deliver();
    return Optional.ofNullable(changed);
  }

  private void deliver() {
    synchronized (delivering) {
      ConfigVersion v;
      synchronized (this) {
        v = latest;
      }
      if (listener != null && v.number() > delivered) {
        delivered = v.number();
        try {
          listener.accept(v);
        } catch (RuntimeException e) {
          log.warn("config listener failed on version {}", v.number(), e);
        }
      }
    }
  }

  @Override
  public String describe() {
    return "file " + file + (readOnlyReason.isPresent() ? " (read-only; history in memory)"
        : " (history in " + historyDir + ")");
  }

  @Override
  public Optional<String> readOnlyReason() {
    return readOnlyReason;
  }

  private <T> CompletionStage<T> onIo(Supplier<T> task) {
    try {
      return CompletableFuture.supplyAsync(task, io);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new StoreUnavailableException("the config store is closed", e));
    }
  }

  @Override
  public CompletionStage<ConfigVersion> current() {
    return onIo(() -> {
      ConfigVersion v;
      synchronized (this) {
        v = latest;
      }
      synchronized (delivering) {
        delivered = Math.max(delivered, v.number());
      }
      return v;
    });
  }

  @Override
  public CompletionStage<List<ConfigVersion>> history(int limit) {
    return onIo(() -> {
      synchronized (this) {
        List<ConfigVersion> out = new ArrayList<>();
        for (ConfigVersion v : retained.descendingMap().values()) {
          if (out.size() >= limit) {
            break;
          }
          out.add(v);
        }
        return List.copyOf(out);
      }
    });
  }

  @Override
  public CompletionStage<Optional<ConfigVersion>> version(long number) {
    return onIo(() -> {
      synchronized (this) {
        ConfigVersion meta = retained.get(number);
        if (meta == null) {
          return Optional.empty();
        }
        if (number == latest.number()) {
          return Optional.of(latest);
        }
        String content = readOnlyReason.isPresent() ? memoryContents.get(number) : readContent(number);
        return content == null ? Optional.empty() : Optional.of(new ConfigVersion(meta.number(), meta.hash(),
            meta.author(), meta.time(), meta.message(), meta.summary(), content));
      }
    });
  }

  private String readContent(long number) {
    try {
      return Files.readString(contentFile(number), StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new StoreUnavailableException("cannot read " + contentFile(number) + ": " + e, e);
    }
  }

  @Override
  public CompletionStage<ConfigVersion> write(String content, long expected, String author, String message,
      String summary) {
    java.util.Objects.requireNonNull(content, "content");
    java.util.Objects.requireNonNull(author, "author");
    CompletionStage<ConfigVersion> written = onIo(() -> {
      synchronized (this) {
        if (readOnlyReason.isPresent()) {
          throw new ReadOnlyStoreException(readOnlyReason.get());
        }
        try {
          absorbDiskChange();
          if (latest.number() != expected) {
            throw new StaleVersionException(latest.number());
          }
          AtomicFiles.replace(file.toRealPath(), content);
          return append(content, author, message, summary);
        } catch (IOException e) {
          throw new StoreUnavailableException("cannot write " + file + ": " + e, e);
        }
      }
    });
    written.thenRun(() -> watcher.execute(this::deliver));
    return written;
  }

  @Override
  public void watch(Consumer<ConfigVersion> listener) {
    synchronized (delivering) {
      this.listener = listener;
    }
    synchronized (this) {
      if (polling || pollEvery.toMillis() <= 0) {
        return;
      }
      polling = true;
    }
    watcher.scheduleWithFixedDelay(this::check, pollEvery.toMillis(), pollEvery.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    io.shutdown();
    watcher.shutdownNow();
    try {
      io.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

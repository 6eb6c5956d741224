package dev.vane.gateway.audit;

import dev.vane.gateway.configstore.AtomicFiles;
import dev.vane.gateway.configstore.StoreUnavailableException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log as a JSON lines file, one entry a line, appended with one write per entry (so a crash loses at
 * most the entry being written, and a cut last line is skipped when read). Ids are a sequence: one more than the
 * largest numeric id in the file. Bounded: when the file holds more than {@code 2 × maxEntries} lines, it is
 * rewritten atomically with the newest {@code maxEntries}. {@link #read} scans the file. Calls run one at a time on
 * the log's own thread.
 */
public final class FileAuditLog implements AuditLog {
  private static final Logger log = LoggerFactory.getLogger(FileAuditLog.class);

  private final Path file;
  private final int maxEntries;
  private final ExecutorService io;
  // used on the io thread only
  private FileChannel out;
  private long lines;
  private long sequence;

  private FileAuditLog(Path file, int maxEntries) throws IOException {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= 1)");
    }
    this.file = file.toAbsolutePath();
    this.maxEntries = maxEntries;
    Files.createDirectories(this.file.getParent());
    for (String line : existingLines()) {
      lines++;
      try {
        String id = new JsonObject(line).getString("id");
        sequence = Math.max(sequence, Long.parseLong(id));
      } catch (RuntimeException notOurs) {
        // a cut line, or an id this log did not assign
      }
    }
    this.out = open();
    this.io = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vane-audit-file");
      t.setDaemon(true);
      return t;
    });
  }

  /** The log in {@code file} (created when missing), keeping at least the newest {@code maxEntries}. */
  public static FileAuditLog of(Path file, int maxEntries) throws IOException {
    return new FileAuditLog(file, maxEntries);
  }

  private FileChannel open() throws IOException {
    return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  private List<String> existingLines() throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(line);
      }
    }
    return out;
  }

  private <T> CompletionStage<T> onIo(Supplier<T> task) {
    try {
      return CompletableFuture.supplyAsync(task, io);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new StoreUnavailableException("the audit log is closed", e));
    }
  }

  @Override
  public CompletionStage<Void> append(AuditEntry e) {
    return onIo(() -> {
      AuditEntry entry = e.id() != null ? e : e.withId(Long.toString(sequence + 1));
      ByteBuffer bytes = ByteBuffer.wrap((AuditJson.toJson(entry).encode() + "\n").getBytes(StandardCharsets.UTF_8));
      try {
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
        if (e.id() == null) {
          sequence++;
        }
        if (++lines > 2L * maxEntries) {
          compact();
        }
      } catch (IOException failure) {
        throw new StoreUnavailableException("cannot append to the audit log " + file + ": " + failure, failure);
      }
      return null;
    });
  }

  /** Rewrites the file with its newest {@code maxEntries} lines. */
  private void compact() throws IOException {
    List<String> all = existingLines();
    List<String> kept = all.subList(Math.max(0, all.size() - maxEntries), all.size());
    StringBuilder sb = new StringBuilder();
    for (String line : kept) {
      sb.append(line).append('\n');
    }
    out.close();
    try {
      AtomicFiles.replace(file, sb.toString());
    } finally {
      out = open();
    }
    lines = kept.size();
  }

  @Override
  public CompletionStage<List<AuditEntry>> read(Instant since, int limit) {
    return onIo(() -> {
      List<String> all;
      try {
        all = existingLines();
      } catch (IOException failure) {
        throw new StoreUnavailableException("cannot read the audit log " + file + ": " + failure, failure);
      }
      ArrayDeque<AuditEntry> found = new ArrayDeque<>();
      for (String line : all) {
        AuditEntry entry;
        try {
          entry = AuditJson.fromJson(new JsonObject(line));
        } catch (RuntimeException malformed) {
          log.debug("{}: skipping a malformed line: {}", file, malformed.toString());
          continue;
        }
        if (since == null) {
          found.addLast(entry);
          if (found.size() > limit) {
            found.removeFirst();
          }
        } else if (!entry.time().isBefore(since)) {
          found.addLast(entry);
          if (found.size() >= limit) {
            break;
          }
        }
      }
      return limit <= 0 ? List.of() : List.copyOf(found);
    });
  }

  @Override
  public String describe() {
    return "file " + file + " (newest " + maxEntries + " entries at least)";
  }

  @Override
  public void close() {
    io.shutdown();
    try {
      io.awaitTermination(5, TimeUnit.SECONDS);
      out.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      log.warn("closing the audit log {}: {}", file, e.toString());
    }
  }
}

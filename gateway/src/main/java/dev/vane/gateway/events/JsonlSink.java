package dev.vane.gateway.events;

import dev.vane.config.EventSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON lines in a directory, one current file per kind ({@code exposures.jsonl}, {@code feedback.jsonl}), renamed to
 * {@code <kind>-YYYYMMDD-HHMMSS-N.jsonl} (UTC, N the first free number) before a line would take it past
 * {@code maxBytes} or once it is {@code maxAge} old. A shipper reads the renamed files (or tails the current one).
 *
 * <p>Lines are whole: a batch is written with whole lines only, and a write that fails part-way is cut back to the
 * file's size before it (its events are retried), so no file ever holds part of a line. A line longer than
 * {@code maxBytes} gets a file of its own. A current file left by an earlier process is renamed first (as it is:
 * a process killed in the middle of a write may have left a partial last line in it).
 */
final class JsonlSink implements EventSink {
  private static final Logger log = LoggerFactory.getLogger(JsonlSink.class);
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
      .withZone(ZoneOffset.UTC);

  private final Path dir;
  private final long maxBytes;
  private final long maxAgeMillis;
  private final LongSupplier clock;
  private final Map<Event.Kind, Current> current = new EnumMap<>(Event.Kind.class);
  private String lastError;

  JsonlSink(EventSettings.Jsonl settings, LongSupplier clockMillis) {
    this.dir = Path.of(settings.dir());
    this.maxBytes = settings.maxBytes();
    this.maxAgeMillis = settings.maxAge().toMillis();
    this.clock = clockMillis;
  }

  @Override
  public String name() {
    return "jsonl";
  }

  /** The current file of a kind: {@code exposures.jsonl} or {@code feedback.jsonl}. */
  static String currentName(Event.Kind kind) {
    return kind == Event.Kind.EXPOSURE ? "exposures.jsonl" : "feedback.jsonl";
  }

  private static String prefix(Event.Kind kind) {
    return kind == Event.Kind.EXPOSURE ? "exposures" : "feedback";
  }

  /** An open current file. */
  private static final class Current {
    final FileChannel channel;
    long size;
    final long openedMillis;

    Current(FileChannel channel, long size, long openedMillis) {
      this.channel = channel;
      this.size = size;
      this.openedMillis = openedMillis;
    }
  }

  @Override
  public List<Event> write(List<Event> batch) {
    List<Event> failed = new ArrayList<>();
    for (Event.Kind kind : Event.Kind.values()) {
      List<Event> of = new ArrayList<>();
      for (Event e : batch) {
        if (e.kind() == kind) {
          of.add(e);
        }
      }
      if (!of.isEmpty()) {
        failed.addAll(write(kind, of));
      }
    }
    return failed;
  }

  /** Writes events of one kind, rotating as needed; answers those not written. */
  private List<Event> write(Event.Kind kind, List<Event> events) {
    ByteArrayOutputStream chunk = new ByteArrayOutputStream();
    int chunkFrom = 0;
    try {
      Current c = open(kind);
      for (int i = 0; i < events.size(); i++) {
        byte[] line = (events.get(i).json().encode() + "\n").getBytes(StandardCharsets.UTF_8);
        if (c.size + chunk.size() + line.length > maxBytes && c.size + chunk.size() > 0) {
          append(c, chunk);
          chunk.reset();
          chunkFrom = i;
          c = rotate(kind);
        }
        chunk.write(line, 0, line.length);
      }
      append(c, chunk);
      lastError = null;
      return List.of();
    } catch (IOException | RuntimeException e) {
      if (!e.toString().equals(lastError)) {
        log.warn("events: writing {} in {} failed, retrying: {}", currentName(kind), dir, e.toString());
      }
      lastError = e.toString();
      close(kind);
      return events.subList(chunkFrom, events.size());
    }
  }

  /** Appends whole lines; on failure cuts the file back to its size before, so no line is split. */
  private static void append(Current c, ByteArrayOutputStream chunk) throws IOException {
    if (chunk.size() == 0) {
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(chunk.toByteArray());
    try {
      while (b.hasRemaining()) {
        c.channel.write(b);
      }
    } catch (IOException e) {
      try {
        c.channel.truncate(c.size);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    c.size += chunk.size();
  }

  private Current open(Event.Kind kind) throws IOException {
    Current c = current.get(kind);
    if (c != null) {
      return c;
    }
    Files.createDirectories(dir);
    Path p = dir.resolve(currentName(kind));
    if (Files.exists(p) && Files.size(p) > 0) {
      Files.move(p, rotatedName(kind), StandardCopyOption.ATOMIC_MOVE); // an earlier process's file
    }
    FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
    c = new Current(ch, ch.size(), clock.getAsLong());
    current.put(kind, c);
    return c;
  }

  /** Closes the current file of {@code kind}, renames it and opens a new one. */
  private Current rotate(Event.Kind kind) throws IOException {
    Current c = current.remove(kind);
    if (c != null) {
      c.channel.close();
      Path p = dir.resolve(currentName(kind));
      if (c.size > 0) {
        Files.move(p, rotatedName(kind), StandardCopyOption.ATOMIC_MOVE);
      }
    }
    return open(kind);
  }

  private Path rotatedName(Event.Kind kind) {
    String stamp = STAMP.format(Instant.ofEpochMilli(clock.getAsLong()));
    for (int n = 0; ; n++) {
      Path p = dir.resolve(prefix(kind) + "-" + stamp + "-" + n + ".jsonl");
      if (!Files.exists(p)) {
        return p;
      }
    }
  }

  /** Rotates a non-empty current file once it is {@code maxAge} old. */
  @Override
  public void tick() {
    long now = clock.getAsLong();
    for (Event.Kind kind : Event.Kind.values()) {
      Current c = current.get(kind);
      if (c != null && c.size > 0 && now - c.openedMillis >= maxAgeMillis) {
        try {
          rotate(kind);
        } catch (IOException | RuntimeException e) {
          log.warn("events: rotating {} in {} failed: {}", currentName(kind), dir, e.toString());
          close(kind);
        }
      }
    }
  }

  private void close(Event.Kind kind) {
    Current c = current.remove(kind);
    if (c != null) {
      try {
        c.channel.close();
      } catch (IOException e) {
        log.debug("events: closing {} failed: {}", currentName(kind), e.toString());
      }
    }
  }

  /** Closes the current files (they stay under their current names; the next start renames them). */
  @Override
  public void close() {
    for (Event.Kind kind : Event.Kind.values()) {
      close(kind);
    }
  }

  @Override
  public String toString() {
    return "jsonl " + dir + " (maxBytes " + maxBytes + ", maxAge " + maxAgeMillis + " ms)";
  }
}

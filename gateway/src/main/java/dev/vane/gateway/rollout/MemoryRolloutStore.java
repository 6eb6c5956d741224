package dev.vane.gateway.rollout;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rollouts of a single instance (no Redis): this instance always leads. With a file, states and history are saved
 * there (atomically, on every change) and read back at start, so a restarted gateway continues its rollouts.
 */
final class MemoryRolloutStore implements RolloutStore {
  private static final Logger log = LoggerFactory.getLogger(MemoryRolloutStore.class);
  private final Path file; // null: memory only
  private final Map<String, String> states = new HashMap<>(); // guarded by this
  private final Map<String, Deque<String>> history = new HashMap<>(); // guarded by this
  private final Map<String, List<String>> commands = new HashMap<>(); // guarded by this

  MemoryRolloutStore(Path file) {
    this.file = file;
    if (file != null && Files.exists(file)) {
      try {
        JsonObject o = new JsonObject(Files.readString(file));
        o.getJsonObject("states", new JsonObject()).forEach(e -> states.put(e.getKey(), e.getValue().toString()));
        o.getJsonObject("history", new JsonObject()).forEach(e -> {
          Deque<String> d = new ArrayDeque<>();
          ((JsonArray) e.getValue()).forEach(x -> d.addLast(x.toString()));
          history.put(e.getKey(), d);
        });
      } catch (IOException | RuntimeException e) {
        log.warn("rollout state file {} is unreadable; rollouts start afresh: {}", file, e.toString());
      }
    }
  }

  @Override
  public CompletionStage<Optional<Long>> lead(String experiment, String owner, Duration ttl) {
    return CompletableFuture.completedFuture(Optional.of(1L));
  }

  @Override
  public synchronized CompletionStage<Optional<String>> state(String experiment) {
    return CompletableFuture.completedFuture(Optional.ofNullable(states.get(experiment)));
  }

  @Override
  public synchronized CompletionStage<Boolean> save(String experiment, long fence, String json) {
    states.put(experiment, json);
    persist();
    return CompletableFuture.completedFuture(true);
  }

  @Override
  public synchronized CompletionStage<Void> record(String experiment, String json) {
    Deque<String> d = history.computeIfAbsent(experiment, k -> new ArrayDeque<>());
    d.addFirst(json);
    while (d.size() > HISTORY) {
      d.removeLast();
    }
    persist();
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<List<String>> history(String experiment, int limit) {
    List<String> out = new ArrayList<>();
    for (String s : history.getOrDefault(experiment, new ArrayDeque<>())) {
      if (out.size() >= limit) {
        break;
      }
      out.add(s);
    }
    return CompletableFuture.completedFuture(out);
  }

  @Override
  public synchronized CompletionStage<Void> command(String experiment, String command) {
    commands.computeIfAbsent(experiment, k -> new ArrayList<>()).add(command);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized CompletionStage<List<String>> takeCommands(String experiment) {
    List<String> c = commands.remove(experiment);
    return CompletableFuture.completedFuture(c == null ? List.of() : c);
  }

  /** Writes everything to the file (temp file + rename). */
  private void persist() {
    if (file == null) {
      return;
    }
    JsonObject s = new JsonObject();
    states.forEach((k, v) -> s.put(k, new JsonObject(v)));
    JsonObject h = new JsonObject();
    history.forEach((k, v) -> {
      JsonArray a = new JsonArray();
      v.forEach(x -> a.add(new JsonObject(x)));
      h.put(k, a);
    });
    try {
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
      Files.writeString(tmp, new JsonObject().put("states", s).put("history", h).encode(), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      log.warn("rollout state could not be saved to {}: {}", file, e.toString());
    }
  }

  @Override
  public String describe() {
    return file == null ? "memory" : "file " + file;
  }

  @Override
  public void close() {}
}

package dev.vane.gateway.configstore;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Versions kept in this process only: for a gateway started from a config with no file behind it (the demo,
 * tests). Writable; lost on exit.
 */
public final class MemoryConfigStore implements ConfigStore {
  private final List<ConfigVersion> versions = new ArrayList<>(); // guarded by this
  private final List<Consumer<ConfigVersion>> listeners = new CopyOnWriteArrayList<>();
  private final Clock clock;
  private final int keep;

  /** A store whose version 1 is {@code initial}, keeping at most {@code keep} versions. */
  public MemoryConfigStore(String initial, String author, int keep, Clock clock) {
    this.clock = clock;
    this.keep = keep;
    versions.add(new ConfigVersion(1, ConfigVersion.hashOf(initial), author, clock.instant(), "initial config",
        "initial config", initial));
  }

  @Override
  public String describe() {
    return "memory (versions are lost on exit)";
  }

  @Override
  public Optional<String> readOnlyReason() {
    return Optional.empty();
  }

  @Override
  public synchronized CompletionStage<ConfigVersion> current() {
    return CompletableFuture.completedFuture(versions.get(versions.size() - 1));
  }

  @Override
  public synchronized CompletionStage<List<ConfigVersion>> history(int limit) {
    List<ConfigVersion> out = new ArrayList<>();
    for (int i = versions.size() - 1; i >= 0 && out.size() < limit; i--) {
      out.add(versions.get(i).withoutContent());
    }
    return CompletableFuture.completedFuture(out);
  }

  @Override
  public synchronized CompletionStage<Optional<ConfigVersion>> version(long number) {
    return CompletableFuture.completedFuture(versions.stream().filter(v -> v.number() == number).findFirst());
  }

  @Override
  public CompletionStage<ConfigVersion> write(String content, long expected, String author, String message,
      String summary) {
    ConfigVersion v;
    synchronized (this) {
      long latest = versions.get(versions.size() - 1).number();
      if (latest != expected) {
        return CompletableFuture.failedFuture(new StaleVersionException(latest));
      }
      v = new ConfigVersion(latest + 1, ConfigVersion.hashOf(content), author, clock.instant(), message, summary,
          content);
      versions.add(v);
      while (versions.size() > keep) {
        versions.remove(0);
      }
    }
    listeners.forEach(l -> l.accept(v));
    return CompletableFuture.completedFuture(v);
  }

  @Override
  public void watch(Consumer<ConfigVersion> listener) {
    listeners.add(listener);
  }

  @Override
  public void close() {
    listeners.clear();
  }
}

package dev.vane.gateway.configsource;

import dev.vane.config.ConfigException;
import dev.vane.config.ConfigLoader;
import dev.vane.config.ConfigWatcher;
import dev.vane.config.VaneConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A YAML file polled every {@code server.reloadInterval} (off the event loop): a change is parsed, validated and
 * built whole by the same code as {@code vane validate}, then handed over; an invalid one is reported and the
 * current config keeps serving. Polling, rather than file-system events, also follows Kubernetes ConfigMap updates,
 * which swap a symlink.
 */
public final class FileConfigSource implements ConfigSource {
  private final Vertx vertx;
  private final Path file;
  private final ConfigLoader loader;
  private final Duration every;
  private final byte[] current;
  private long timer = -1;

  /**
   * @param current the bytes of the config now serving (a change is a difference from them)
   * @param every   how often to look (zero or less: never)
   */
  public FileConfigSource(Vertx vertx, Path file, ConfigLoader loader, byte[] current, Duration every) {
    this.vertx = vertx;
    this.file = file;
    this.loader = loader;
    this.current = current;
    this.every = every;
  }

  /** A source for {@code file}, starting from its bytes now. */
  public static FileConfigSource of(Vertx vertx, Path file, ConfigLoader loader, Duration every) throws IOException {
    return new FileConfigSource(vertx, file, loader, Files.readAllBytes(file), every);
  }

  @Override
  public synchronized void start(Consumer<VaneConfig> onChange, Consumer<ConfigException> onError) {
    if (every.toMillis() <= 0 || timer >= 0) {
      return;
    }
    ConfigWatcher w = new ConfigWatcher(file, loader, current, onChange, onError);
    timer = vertx.setPeriodic(every.toMillis(), id -> vertx.executeBlocking(w::check, false));
  }

  @Override
  public synchronized void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}

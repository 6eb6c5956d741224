package dev.vane.config;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot reload by polling: {@link #check()} re-reads the file when its bytes changed, then parse → validate → build,
 * and hands a complete {@link VaneConfig} to {@code onChange}. An invalid file is logged with every error and
 * reported to {@code onError}; the caller keeps serving its current config. Polling (rather than file-system
 * events) also follows Kubernetes ConfigMap updates, which swap a symlink.
 */
public final class ConfigWatcher {
  private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

  private final Path file;
  private final ConfigLoader loader;
  private final Consumer<VaneConfig> onChange;
  private final Consumer<ConfigException> onError;
  private byte[] lastBytes;

  public ConfigWatcher(Path file, ConfigLoader loader, byte[] currentBytes, Consumer<VaneConfig> onChange,
      Consumer<ConfigException> onError) {
    this.file = Objects.requireNonNull(file);
    this.loader = Objects.requireNonNull(loader);
    this.lastBytes = currentBytes;
    this.onChange = onChange;
    this.onError = onError;
  }

  /**
   * Checks the file once (blocking file I/O: call it off the event loop). The new bytes go through
   * {@link ConfigLoader#parse(byte[], String)}, exactly what {@code vane validate} runs, so a file is rejected here
   * with the same errors as there. A file that cannot be read (e.g. mid-swap) is logged and tried again next time.
   *
   * @return true when a new configuration was applied
   */
  public synchronized boolean check() {
    byte[] now;
    try {
      now = ConfigLoader.read(file);
    } catch (ConfigException e) {
      log.warn("config reload: {}; keeping the current config", e.getMessage());
      return false;
    }
    if (Arrays.equals(now, lastBytes)) {
      return false;
    }
    lastBytes = now;
    VaneConfig cfg;
    try {
      cfg = loader.parse(now, file.toString());
    } catch (ConfigException e) {
      log.error("config reload rejected, the previous config keeps serving: {}", e.getMessage());
      onError.accept(e);
      return false;
    }
    try {
      onChange.accept(cfg);
    } catch (RuntimeException e) {
      log.error("config reload: applying version {} failed ({}); the previous config keeps serving", cfg.version(),
          ConfigLoader.where(e));
      onError.accept(new ConfigException(file.toString(), List.of(new ConfigError("",
          "valid, but applying it failed: " + e.getClass().getSimpleName() + " (a bug in Vane: see the log)"))));
      return false;
    }
    log.info("config reloaded from {} (version {})", file, cfg.version());
    return true;
  }
}

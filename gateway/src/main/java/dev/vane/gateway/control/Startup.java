package dev.vane.gateway.control;

import dev.vane.config.AdminSettings;
import dev.vane.config.ConfigError;
import dev.vane.config.ConfigException;
import dev.vane.config.ConfigLoader;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.audit.AuditLog;
import dev.vane.gateway.audit.FileAuditLog;
import dev.vane.gateway.audit.RedisAuditLog;
import dev.vane.gateway.configstore.ConfigStore;
import dev.vane.gateway.configstore.ConfigVersion;
import dev.vane.gateway.configstore.FileConfigStore;
import dev.vane.gateway.configstore.RedisConfigStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code vane serve} starts from: the config to serve first, and the versioned store and audit log the control
 * plane will use. With {@code configSource: file} the file is version 1 (or its latest version); with {@code redis}
 * the latest version in Redis on top of the bootstrap file, or, while Redis is unreachable, the local copy of the
 * last applied version (or the file's own routing sections when there is no copy yet).
 *
 * @param config      the config to start serving
 * @param store       where versions live
 * @param audit       where writes are recorded
 * @param bootstrap   the bootstrap file's bytes when the store holds only the routing sections, else null
 * @param runningHash the hash of the document {@code config} was built from
 * @param runningDocument that document, or null when unknown
 * @param note        how the config was found, for the log (null when unremarkable)
 */
public record Startup(VaneConfig config, ConfigStore store, AuditLog audit, byte[] bootstrap, String runningHash,
    String runningDocument, String note) {
  private static final Logger log = LoggerFactory.getLogger(Startup.class);
  private static final long REDIS_WAIT_SECONDS = 5;

  /** Reads {@code file} and prepares the start; a config error is a {@link ConfigException}. */
  public static Startup prepare(Path file, ConfigLoader loader) throws ConfigException, IOException {
    VaneConfig fileConfig = load(file, loader); // an unreadable file is a config error with its reason
    byte[] bytes = Files.readAllBytes(file);
    AdminSettings admin = fileConfig.admin();
    AuditLog audit = audit(file, fileConfig);
    if (admin.source() == AdminSettings.Source.FILE) {
      FileConfigStore store = FileConfigStore.of(file, admin.history(), fileConfig.server().reloadInterval(),
          Clock.systemUTC());
      String text = new String(bytes, StandardCharsets.UTF_8);
      return new Startup(fileConfig, store, audit, null, ConfigVersion.hashOf(text), text, null);
    }
    Path localCopy = admin.localCopy() != null ? Path.of(admin.localCopy())
        : file.resolveSibling(file.getFileName() + ".applied.json");
    RedisConfigStore store = RedisConfigStore.of(fileConfig.state().redis().uri(), admin.history(), localCopy);
    String source = file.toString();
    try {
      Optional<String> seed = routingSections(bytes, loader, file);
      if (seed.isPresent()) {
        store.seed(seed.get(), "file", "first version from " + file.getFileName()).toCompletableFuture()
            .get(REDIS_WAIT_SECONDS, TimeUnit.SECONDS);
      }
      ConfigVersion v = store.current().toCompletableFuture().get(REDIS_WAIT_SECONDS, TimeUnit.SECONDS);
      VaneConfig cfg = loader.parseLayered(bytes, v.content().getBytes(StandardCharsets.UTF_8),
          source + " + redis version " + v.number());
      return new Startup(cfg, store, audit, bytes, v.hash(), v.content(), null);
    } catch (ConfigException e) {
      store.close();
      throw e;
    } catch (Exception e) {
      Optional<ConfigVersion> copy = RedisConfigStore.readLocalCopy(localCopy);
      if (copy.isPresent()) {
        ConfigVersion v = copy.get();
        VaneConfig cfg = loader.parseLayered(bytes, v.content().getBytes(StandardCharsets.UTF_8),
            source + " + local copy of redis version " + v.number() + " (Redis unreachable at start)");
        log.warn("Redis is unreachable ({}); starting from the local copy of config version {} in {}",
            e.getClass().getSimpleName(), v.number(), localCopy);
        return new Startup(cfg, store, audit, bytes, v.hash(), v.content(), "local copy");
      }
      if (fileConfig.endpoints().isEmpty()) {
        store.close();
        throw new ConfigException(source, List.of(new ConfigError("configSource",
            "redis is unreachable and there is no local copy (" + localCopy + ") to start from")));
      }
      log.warn("Redis is unreachable ({}) and there is no local copy; starting from the file's own routing sections",
          e.getClass().getSimpleName());
      return new Startup(fileConfig, store, audit, bytes, "",
          routingSections(bytes, loader, file).orElse(null), "file (Redis unreachable at start)");
    }
  }

  /**
   * What {@code vane validate} checks: the whole file, or, for a bootstrap file of {@code configSource: redis} without
   * endpoints of its own, its server, state and admin sections (the routing sections come from Redis).
   */
  public static VaneConfig load(Path file, ConfigLoader loader) throws ConfigException {
    try {
      return loader.load(file);
    } catch (ConfigException e) {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException io) {
        throw e;
      }
      boolean bootstrapOnly = e.errors().size() == 1 && e.errors().get(0).path().equals("endpoints")
          && e.errors().get(0).message().startsWith("missing");
      if (!bootstrapOnly) {
        throw e;
      }
      VaneConfig cfg = loader.parseLayered(bytes, BOOTSTRAP_STUB.getBytes(StandardCharsets.UTF_8), file.toString());
      if (cfg.admin().source() != AdminSettings.Source.REDIS) {
        throw e;
      }
      return new VaneConfig(cfg.source(), cfg.version(), cfg.server(), java.util.Map.of(), cfg.routing(), cfg.state(),
          cfg.analysis(), cfg.admin(), cfg.observability(), cfg.timeseries(), cfg.events());
    }
  }

  /** Stands in for the routing sections while a bootstrap file is validated alone. */
  private static final String BOOTSTRAP_STUB = "endpoints: [ { id: bootstrap, url: \"http://127.0.0.1:9\" } ]\n";

  /** The file's endpoints, routes, experiments and defaultEndpoint as a document, when it has any. */
  private static Optional<String> routingSections(byte[] bytes, ConfigLoader loader, Path file) {
    try {
      return dev.vane.config.edit.ConfigEdits.routingSections(new String(bytes, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static AuditLog audit(Path file, VaneConfig cfg) throws IOException {
    if (cfg.state().isRedis()) {
      return RedisAuditLog.of(cfg.state().redis().uri(), cfg.admin().auditMaxEntries(), RedisConfigStore.DEFAULT_TIMEOUT);
    }
    Path p = cfg.admin().auditFile() != null ? Path.of(cfg.admin().auditFile())
        : file.resolveSibling(file.getFileName() + ".audit.jsonl");
    return FileAuditLog.of(p, cfg.admin().auditMaxEntries());
  }
}

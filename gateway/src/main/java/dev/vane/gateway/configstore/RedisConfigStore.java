package dev.vane.gateway.configstore;

import dev.vane.config.Redaction;
import dev.vane.gateway.state.redis.RedisKeys;
import dev.vane.gateway.state.redis.RedisSubscription;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The config in Redis, shared by every gateway instance. Keys (all tagged {@code {config}}, so the write script is
 * single-slot on a Redis Cluster): {@code vane:{config}:version} holds the latest number (absent: 0, no version),
 * {@code vane:{config}:v:<n>} a hash per version (hash, author, time (ISO-8601), message, summary, content); each
 * new number is published on {@code vane:{config}:changed}.
 *
 * <p><b>Writes</b> are one Lua script: it checks that the latest number is the expected one, stores the version
 * as the next number, deletes version {@code n - keep} and publishes {@code n}; or answers the latest number, and
 * the write fails with {@link StaleVersionException}. Versions older than {@code n - keep} left by a larger
 * {@code keep} earlier stay until deleted by hand.
 *
 * <p><b>Failures.</b> The store connects on first use, so it can be built while Redis is down. Every call gives up
 * after the timeout; Redis unreachable, or not answering in time, fails the call with
 * {@link StoreUnavailableException} (at once while the link is known to be down). An empty store fails
 * {@link #current()} with {@link NoSuchElementException} until a first write or {@link #seed}.
 *
 * <p><b>Watching</b> uses both a pub/sub subscription (reconnected and resubscribed by Lettuce) and a look at the
 * latest number every {@code checkEvery}, which catches what was published while the subscription was down; a
 * reconnect also triggers a look at once. Only the latest version is delivered when several appeared in between.
 *
 * <p><b>Local copy.</b> Each version loaded by {@link #current()}, written, or delivered, when newer than the last
 * one copied, is written atomically to the local copy (JSON with the version's fields and content), so an instance
 * can start with the last config it saw while Redis is down ({@link #readLocalCopy}).
 */
public final class RedisConfigStore implements ConfigStore {
  private static final Logger log = LoggerFactory.getLogger(RedisConfigStore.class);
  /** The default give-up time of a call. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);
  /** The default period of the watcher's safety-net look at the latest number. */
  public static final Duration DEFAULT_CHECK_EVERY = Duration.ofSeconds(1);

  /*
   * KEYS[1] latest number, KEYS[2] the new version's hash, KEYS[3] (optional) the version to prune.
   * ARGV: expected, hash, author, time, message, summary, content, channel.
   * Returns {1, n} when stored as n, {0, latest} when expected is stale.
   */
  static final String WRITE_SCRIPT = String.join("\n",
      "local latest = tonumber(redis.call('GET', KEYS[1]) or '0')",
      "if latest ~= tonumber(ARGV[1]) then return {0, latest} end",
      "local n = redis.call('INCR', KEYS[1])",
      "redis.call('HSET', KEYS[2], 'hash', ARGV[2], 'author', ARGV[3], 'time', ARGV[4], 'message', ARGV[5],",
      "  'summary', ARGV[6], 'content', ARGV[7])",
      "if KEYS[3] then redis.call('DEL', KEYS[3]) end",
      "redis.call('PUBLISH', ARGV[8], n)",
      "return {1, n}");
  static final String WRITE_SHA = sha1(WRITE_SCRIPT);

  private final String uri;
  private final int keep;
  private final Duration timeout;
  private final Duration checkEvery;
  private final Path localCopy;
  private final Clock clock;
  private final RedisCalls redis;
  private final ScheduledExecutorService worker;

  // used on the worker thread only
  private long localCopied;
  private volatile CompletableFuture<RedisSubscription> subscription; // written on the worker only
  private String lastCheckError;

  private volatile Consumer<ConfigVersion> listener;
  private volatile long seen; // the latest number delivered or loaded through current(); written on the worker
  private volatile boolean closed;

  private RedisConfigStore(String uri, int keep, Duration timeout, Duration checkEvery, Path localCopy,
      Clock clock) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep: " + keep + " (expected: >= 1)");
    }
    this.uri = Objects.requireNonNull(uri, "uri");
    this.keep = keep;
    this.timeout = timeout;
    this.checkEvery = checkEvery;
    this.localCopy = localCopy;
    this.clock = clock;
    this.redis = new RedisCalls(uri, timeout);
    this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vane-config-redis");
      t.setDaemon(true);
      return t;
    });
  }

  /** A store on {@code uri} keeping {@code keep} versions, with the default timeout and check period. */
  public static RedisConfigStore of(String uri, int keep, Path localCopy) {
    return of(uri, keep, DEFAULT_TIMEOUT, DEFAULT_CHECK_EVERY, localCopy, Clock.systemUTC());
  }

  /**
   * A store on {@code uri} (connected on first use).
   *
   * @param keep       how many versions Redis keeps (at least 1)
   * @param timeout    how long any call may take, connect included (at least 1 ms)
   * @param checkEvery how often a watcher looks at the latest number besides pub/sub (zero or less: never)
   * @param localCopy  where the last version seen is copied, or null for no copy
   * @param clock      the time of each written version
   */
  public static RedisConfigStore of(String uri, int keep, Duration timeout, Duration checkEvery, Path localCopy,
      Clock clock) {
    return new RedisConfigStore(uri, keep, timeout, checkEvery, localCopy, clock);
  }

  @Override
  public String describe() {
    return "redis " + Redaction.uri(uri) + " (keys " + RedisKeys.PREFIX + RedisKeys.CONFIG_TAG + ":*, keeping "
        + keep + " versions)";
  }

  @Override
  public Optional<String> readOnlyReason() {
    return Optional.empty();
  }

  private CompletableFuture<Long> latestNumber() {
    return redis.call("reading the latest version", c -> c.get(RedisKeys.configLatest()))
        .thenApply(s -> s == null ? 0L : Long.parseLong(s));
  }

  private CompletableFuture<Optional<ConfigVersion>> load(long number) {
    return redis.call("reading version " + number, c -> c.hgetall(RedisKeys.configVersion(number)))
        .thenApply(fields -> fields.isEmpty() ? Optional.empty() : Optional.of(fromHash(number, fields)));
  }

  private static ConfigVersion fromHash(long number, Map<String, String> f) {
    return new ConfigVersion(number, f.get("hash"), f.get("author"), Instant.parse(f.get("time")), f.get("message"),
        f.get("summary"), f.get("content"));
  }

  private CompletableFuture<ConfigVersion> latestVersion() {
    return latestNumber().thenCompose(n -> n == 0
        ? CompletableFuture.failedFuture(new NoSuchElementException("no config version is stored in redis yet"))
        : load(n).thenApply(v -> v.orElseThrow(() -> new NoSuchElementException("version " + n
            + " is the latest but is missing from redis"))));
  }

  @Override
  public CompletionStage<ConfigVersion> current() {
    return latestVersion().thenApply(v -> {
      onWorker(() -> {
        seen = Math.max(seen, v.number());
        copyLocally(v);
      });
      return v;
    });
  }

  @Override
  public CompletionStage<List<ConfigVersion>> history(int limit) {
    return latestNumber().thenCompose(n -> {
      List<CompletableFuture<ConfigVersion>> reads = new ArrayList<>();
      for (long i = n; i >= 1 && i > n - Math.min(limit, keep); i--) {
        long number = i;
        reads.add(redis.call("reading version " + number, c -> c.hmget(RedisKeys.configVersion(number), "hash",
            "author", "time", "message", "summary")).thenApply(values -> {
              if (values.get(0).isEmpty()) {
                return null;
              }
              return new ConfigVersion(number, value(values, 0), value(values, 1), Instant.parse(value(values, 2)),
                  value(values, 3), value(values, 4), null);
            }));
      }
      return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
          .thenApply(ignored -> reads.stream().map(CompletableFuture::join).filter(Objects::nonNull).toList());
    });
  }

  private static String value(List<KeyValue<String, String>> values, int i) {
    return values.get(i).getValueOrElse(null);
  }

  @Override
  public CompletionStage<Optional<ConfigVersion>> version(long number) {
    if (number < 1) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return load(number);
  }

  @Override
  public CompletionStage<ConfigVersion> write(String content, long expected, String author, String message,
      String summary) {
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(author, "author");
    if (expected < 0) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("expected: " + expected
          + " (expected: >= 0)"));
    }
    ConfigVersion draft = ConfigVersion.of(expected + 1, author, clock.instant(), message, summary, content);
    List<String> keys = new ArrayList<>(List.of(RedisKeys.configLatest(), RedisKeys.configVersion(expected + 1)));
    if (expected + 1 - keep >= 1) {
      keys.add(RedisKeys.configVersion(expected + 1 - keep));
    }
    String[] k = keys.toArray(String[]::new);
    String[] args = {Long.toString(expected), draft.hash(), draft.author(), draft.time().toString(), draft.message(),
        draft.summary(), content, RedisKeys.configChanged()};
    return redis.call("writing version " + (expected + 1), c -> c.<List<Object>>evalsha(WRITE_SHA,
            ScriptOutputType.MULTI, k, args).toCompletableFuture()
        .exceptionallyCompose(e -> RedisCalls.unwrap(e) instanceof RedisNoScriptException
            ? c.<List<Object>>eval(WRITE_SCRIPT, ScriptOutputType.MULTI, k, args).toCompletableFuture()
            : CompletableFuture.failedFuture(e)))
        .thenApply(reply -> {
          long number = (Long) reply.get(1);
          if ((Long) reply.get(0) == 0) {
            throw new StaleVersionException(number);
          }
          onWorker(() -> copyLocally(draft));
          return draft;
        });
  }

  /**
   * Stores {@code content} as version 1 if the store is empty. Completes with the version stored, or empty when
   * the store already held a version (then nothing is written).
   */
  public CompletionStage<Optional<ConfigVersion>> seed(String content, String author, String message) {
    return write(content, 0, author, message, "seed").handle((v, e) -> {
      if (e == null) {
        return Optional.of(v);
      }
      if (RedisCalls.unwrap(e) instanceof StaleVersionException) {
        return Optional.<ConfigVersion>empty();
      }
      throw e instanceof CompletionException c ? c : new CompletionException(e);
    });
  }

  @Override
  public void watch(Consumer<ConfigVersion> listener) {
    boolean first = this.listener == null;
    this.listener = Objects.requireNonNull(listener, "listener");
    if (!first) {
      return;
    }
    onWorker(this::check);
    if (checkEvery.toMillis() > 0) {
      try {
        worker.scheduleWithFixedDelay(this::check, checkEvery.toMillis(), checkEvery.toMillis(),
            TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closedAlready) {
        // closed
      }
    }
  }

  /** On the worker: subscribes if not subscribed, then delivers the latest version if it is newer than seen. */
  private void check() {
    if (closed || listener == null) {
      return;
    }
    subscribe();
    try {
      long n = latestNumber().get();
      if (n > seen) {
        Optional<ConfigVersion> v = load(n).get();
        if (v.isPresent() && v.get().number() > seen) {
          seen = v.get().number();
          copyLocally(v.get());
          try {
            listener.accept(v.get());
          } catch (RuntimeException e) {
            log.warn("config listener failed on version {}", n, e);
          }
        }
      }
      if (lastCheckError != null) {
        log.info("config store {} is reachable again", Redaction.uri(uri));
      }
      lastCheckError = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      String error = RedisCalls.unwrap(e).getMessage();
      if (lastCheckError == null) {
        log.warn("config store: {}; looking again every {} ms", error, checkEvery.toMillis());
      }
      lastCheckError = error;
    }
  }

  private void subscribe() {
    if (subscription != null && !subscription.isCompletedExceptionally()) {
      return;
    }
    subscription = redis.connections().subscribe(uri, timeout, RedisKeys.configChanged(),
        new RedisSubscription.Listener() {
          @Override
          public void onMessage(String message) {
            onWorker(RedisConfigStore.this::check);
          }

          @Override
          public void onReconnected() {
            onWorker(RedisConfigStore.this::check); // what was published while it was down is lost
          }
        });
  }

  /** Whether the pub/sub subscription is connected now (the periodic look works without it). */
  public boolean subscribed() {
    CompletableFuture<RedisSubscription> s = subscription;
    return s != null && s.isDone() && !s.isCompletedExceptionally() && s.join().isOpen();
  }

  private void onWorker(Runnable task) {
    try {
      worker.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException closedAlready) {
      // closed: nothing more to deliver or copy
    }
  }

  /** On the worker: writes {@code v} to the local copy if it is newer than the last one copied. */
  private void copyLocally(ConfigVersion v) {
    if (localCopy == null || v.number() <= localCopied || v.content() == null) {
      return;
    }
    try {
      Path parent = localCopy.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      AtomicFiles.replace(localCopy, VersionJson.toJson(v).encodePrettily() + "\n");
      localCopied = v.number();
    } catch (IOException | RuntimeException e) {
      log.warn("cannot write the local copy {} of config version {}: {}", localCopy, v.number(), e.toString());
    }
  }

  /** The version in this store's local copy, if it has one and it can be read. */
  public Optional<ConfigVersion> lastLocalCopy() {
    return localCopy == null ? Optional.empty() : readLocalCopy(localCopy);
  }

  /**
   * The version a local copy holds: empty when the file does not exist, cannot be read, or does not hold a
   * complete version whose content matches its hash (a damaged copy is logged and ignored).
   */
  public static Optional<ConfigVersion> readLocalCopy(Path file) {
    try {
      ConfigVersion v = VersionJson.fromJson(new JsonObject(Files.readString(file, StandardCharsets.UTF_8)));
      if (v.content() == null || !ConfigVersion.hashOf(v.content()).equals(v.hash())) {
        log.warn("the local copy {} of the config is damaged (content missing or not matching its hash)", file);
        return Optional.empty();
      }
      return Optional.of(v);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      log.warn("cannot read the local copy {} of the config: {}", file, e.toString());
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    worker.shutdownNow();
    try {
      worker.awaitTermination(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    CompletableFuture<RedisSubscription> s = subscription;
    if (s != null) {
      try {
        s.handle((sub, e) -> {
          if (sub != null) {
            sub.close();
          }
          return null;
        }).get(timeout.toMillis() + 2_000, TimeUnit.MILLISECONDS);
      } catch (Exception ignored) {
        // the factory's shutdown below closes whatever is left
      }
    }
    redis.close();
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
          .digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.vane.gateway.control;

import dev.vane.config.ConfigError;
import dev.vane.config.ConfigException;
import dev.vane.config.ConfigLoader;
import dev.vane.config.Redaction;
import dev.vane.config.VaneConfig;
import dev.vane.config.edit.ConfigDiff;
import dev.vane.config.edit.Edit;
import dev.vane.config.edit.EditException;
import dev.vane.gateway.audit.AuditEntry;
import dev.vane.gateway.audit.AuditLog;
import dev.vane.gateway.auth.Principal;
import dev.vane.gateway.configstore.ConfigStore;
import dev.vane.gateway.configstore.ConfigVersion;
import dev.vane.gateway.configstore.StaleVersionException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane of one instance: reads and writes the versioned config document through a {@link ConfigStore},
 * validates every document with the same loader as {@code vane validate} before it is stored, applies every new
 * version (its own writes at once, other instances' as the store delivers them), and records each write in the
 * {@link AuditLog}.
 *
 * <p>The document is the whole config file when the file (or memory) is the source, and only the routing sections
 * (endpoints, routes, experiments, defaultEndpoint) on top of the bootstrap file when Redis is.
 */
public final class ControlPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);
  /** What a redacted secret reads as in a document shown by the API. */
  public static final String REDACTED = "<redacted>";
  private static final Pattern TOKEN_VALUE =
      Pattern.compile("(\\b(?:token|secret)\\s*:\\s*)(\"[^\"\\n]*\"|'[^'\\n]*'|[^,}\\s#][^,}\\n#]*)");
  private static final Pattern REDACTED_PASSWORD = Pattern.compile("://[^/@\\s\"']*" + Pattern.quote(Redaction.MASK) + "@");
  private static final int MAX_DIFF_LINES = 2_000;
  /** How often an operation is retried when another write got in between its read and its write. */
  private static final int OPERATION_ATTEMPTS = 5;

  private final ConfigStore store;
  private final AuditLog audit;
  private final ConfigLoader loader;
  private final byte[] bootstrap; // null: the document is the whole config
  private final String sourceName;
  private final Consumer<VaneConfig> apply;
  private final Consumer<String> applyFailed;
  private final Clock clock;
  private final ExecutorService serial;
  private volatile ConfigVersion applied; // the version now serving, without content
  private volatile String appliedDocument; // its content, to re-seed a store that lost its versions

  /**
   * @param bootstrap   the bootstrap file's bytes when the document holds only the routing sections, else null
   * @param apply       swaps a validated config in
   * @param applyFailed reports a stored version that does not validate here (the current one keeps serving)
   */
  public ControlPlane(ConfigStore store, AuditLog audit, ConfigLoader loader, byte[] bootstrap, String sourceName,
      Consumer<VaneConfig> apply, Consumer<String> applyFailed, Clock clock) {
    this.store = store;
    this.audit = audit;
    this.loader = loader;
    this.bootstrap = bootstrap == null ? null : bootstrap.clone();
    this.sourceName = sourceName;
    this.apply = apply;
    this.applyFailed = applyFailed;
    this.clock = clock;
    this.serial = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vane-control");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Loads the latest version, applies it unless {@code runningHash} (the hash of the document now serving) says it
   * is serving already, then follows new versions.
   */
  public CompletionStage<ConfigVersion> start(String runningHash, String runningDocument) {
    appliedDocument = runningDocument;
    // follow first: while the store is unreachable now (Redis down at start), its periodic check delivers the
    // latest version once it is back
    store.watch(nv -> serial.execute(() -> {
      if (applied == null && nv.hash().equals(runningHash)) {
        applied = nv.withoutContent();
      } else {
        onVersion(nv);
      }
    }));
    return store.current().thenApplyAsync(v -> {
      if (applied == null && v.hash().equals(runningHash)) {
        applied = v.withoutContent();
      } else {
        onVersion(v);
      }
      return v.withoutContent();
    }, serial);
  }

  /** The version now serving on this instance (null before {@link #start}). */
  public ConfigVersion applied() {
    return applied;
  }

  public ConfigStore store() {
    return store;
  }

  public AuditLog audit() {
    return audit;
  }

  /** Validates and applies a version the store delivered (runs on the serial executor). */
  private void onVersion(ConfigVersion v) {
    ConfigVersion now = applied;
    if (now != null && v.number() <= now.number()) {
      return;
    }
    try {
      VaneConfig cfg = validate(v.content(), v.number());
      apply.accept(cfg);
      applied = v.withoutContent();
      appliedDocument = v.content();
      log.info("config version {} ({} by {}) applied", v.number(), v.summary(), v.author());
    } catch (ConfigException e) {
      applied = v.withoutContent(); // not retried: the next version replaces it
      log.warn("config version {} is invalid here; the previous config keeps serving: {}", v.number(),
          e.getMessage());
      applyFailed.accept("version " + v.number() + ": " + e.getMessage());
    } catch (RuntimeException e) {
      log.error("applying config version {} failed; the previous config keeps serving", v.number(), e);
      applyFailed.accept("version " + v.number() + ": " + e);
    }
  }

  /** The config {@code document} would give, or every error with its path. */
  public VaneConfig validate(String document, long number) throws ConfigException {
    byte[] doc = document.getBytes(StandardCharsets.UTF_8);
    String name = sourceName + " (version " + number + ")";
    Matcher m = TOKEN_VALUE.matcher(document);
    while (m.find()) {
      if (m.group(2).contains(REDACTED)) {
        throw new ConfigException(name, List.of(new ConfigError("admin.auth.tokens",
            "a redacted token as the API shows it (expected: the token itself, a ${ENV} reference, or tokenSha256)")));
      }
    }
    if (REDACTED_PASSWORD.matcher(document).find()) {
      throw new ConfigException(name, List.of(new ConfigError("", "a URI whose password is " + Redaction.MASK
          + " as the API shows it (expected: the password itself, or a ${ENV} reference)")));
    }
    return bootstrap == null ? loader.parse(doc, name) : loader.parseLayered(bootstrap, doc, name);
  }

  private void validateNow(String document, long number) {
    try {
      validate(document, number);
    } catch (ConfigException e) {
      throw new CompletionException(e);
    }
  }

  /** The latest stored version, its secrets redacted. */
  public CompletionStage<ConfigVersion> current() {
    return latest().thenApply(ControlPlane::redacted);
  }

  /**
   * The latest stored version; a store that holds none (a Redis that restarted without its data) is first seeded
   * with the document now serving, so that it continues from what the instances run.
   */
  private CompletionStage<ConfigVersion> latest() {
    return store.current().exceptionallyCompose(t -> {
      String doc = appliedDocument;
      if (!(unwrap(t) instanceof java.util.NoSuchElementException) || doc == null) {
        return CompletableFuture.failedFuture(unwrap(t));
      }
      log.warn("the config store holds no version (Redis lost its data?); seeding it with the config now serving");
      return store.seed(doc, "vane", "re-seeded with the config this instance was serving (the store was empty)")
          .thenCompose(x -> store.current());
    });
  }

  public CompletionStage<List<ConfigVersion>> history(int limit) {
    return store.history(limit);
  }

  public CompletionStage<Optional<ConfigVersion>> version(long n) {
    return store.version(n).thenApply(o -> o.map(ControlPlane::redacted));
  }

  /** A unified diff between two stored versions (secrets redacted), or empty when one is unknown. */
  public CompletionStage<Optional<String>> diff(long from, long to) {
    return store.version(from).thenCombine(store.version(to), (a, b) -> a.isEmpty() || b.isEmpty()
        ? Optional.<String>empty()
        : Optional.of(ConfigDiff.unified(redact(a.get().content()), redact(b.get().content()), "version " + from,
            "version " + to, MAX_DIFF_LINES)));
  }

  /** What a write produced. */
  public record Written(ConfigVersion version, String summary, String stickiness, String diff) {}

  /**
   * Replaces the document: validated here first ({@link ConfigException}, nothing stored), then written iff the
   * latest version is still {@code expected} ({@link StaleVersionException}), applied here, and audited.
   */
  public CompletionStage<Written> replace(String document, long expected, Principal who, String address,
      String message, String action, String target) {
    return CompletableFuture.supplyAsync(() -> {
      validateNow(document, expected + 1);
      return null;
    }, serial).thenCompose(x -> latest()).thenCompose(cur -> {
      String summary = ConfigDiff.summary(cur.content(), document);
      String diff = ConfigDiff.unified(redact(cur.content()), redact(document), "version " + cur.number(),
          "version " + (expected + 1), MAX_DIFF_LINES);
      return store.write(document, expected, who.name(), message, summary)
          .thenCompose(v -> applied(v, document))
          .thenCompose(v -> audited(new Written(v, summary, null, diff), who, address, action, target, message));
    });
  }

  /** Rolls back: a new version whose content is version {@code n}'s (empty when {@code n} is unknown). */
  public CompletionStage<Optional<Written>> rollback(long n, Principal who, String address, String message) {
    return store.version(n).thenCompose(old -> {
      if (old.isEmpty()) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
      return latest().thenCompose(cur -> replace(old.get().content(), cur.number(), who, address,
          "rollback to version " + n + (message == null || message.isBlank() ? "" : ": " + message),
          "config.rollback", "config")).thenApply(Optional::of);
    });
  }

  /**
   * An experiment operation: {@code edit} turns the latest document into the next ({@link EditException} when it
   * cannot), which is validated, written (retried when another write got in between) and applied.
   */
  public CompletionStage<Written> operate(Function<String, Edit> edit, Principal who, String address, String message,
      String action, String target) {
    return operate(edit, who, address, message, action, target, 1);
  }

  private CompletionStage<Written> operate(Function<String, Edit> edit, Principal who, String address, String message,
      String action, String target, int attempt) {
    return latest().thenCompose(cur -> {
      Edit e = edit.apply(cur.content());
      String text = message == null || message.isBlank() ? e.summary() : e.summary() + ": " + message;
      return CompletableFuture.supplyAsync(() -> {
        validateNow(e.document(), cur.number() + 1);
        return null;
      }, serial).thenCompose(x -> store.write(e.document(), cur.number(), who.name(), text, e.summary()))
          .thenCompose(v -> applied(v, e.document()))
          .thenCompose(v -> audited(new Written(v, e.summary(), e.stickiness(),
              ConfigDiff.unified(redact(cur.content()), redact(e.document()), "version " + cur.number(),
                  "version " + v.number(), MAX_DIFF_LINES)), who, address, action, target, text));
    }).exceptionallyCompose(t -> {
      if ((unwrap(t) instanceof StaleVersionException) && attempt < OPERATION_ATTEMPTS) {
        return operate(edit, who, address, message, action, target, attempt + 1);
      }
      return CompletableFuture.failedFuture(unwrap(t));
    });
  }

  /** Records a refused write (authentication or authorization). */
  public void denied(String actor, String address, String action, int status, String reason) {
    append(new AuditEntry(null, clock.instant(), actor, address, action, null, null, status, reason, null));
  }

  private CompletionStage<ConfigVersion> applied(ConfigVersion v, String document) {
    return CompletableFuture.supplyAsync(() -> {
      onVersion(new ConfigVersion(v.number(), v.hash(), v.author(), v.time(), v.message(), v.summary(), document));
      return v.withoutContent();
    }, serial);
  }

  private CompletionStage<Written> audited(Written w, Principal who, String address, String action, String target,
      String message) {
    return append(new AuditEntry(null, clock.instant(), who.name(), address, action, target, w.version().number(),
        200, message, w.diff())).handle((x, t) -> w);
  }

  private CompletionStage<Void> append(AuditEntry e) {
    return audit.append(e).exceptionally(t -> {
      log.warn("audit entry {} {} could not be written: {}", e.action(), e.target(), t.toString());
      return null;
    });
  }

  /** The cause inside the {@link CompletionException}s and {@link java.util.concurrent.ExecutionException}s around it. */
  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static ConfigVersion redacted(ConfigVersion v) {
    return new ConfigVersion(v.number(), v.hash(), v.author(), v.time(), v.message(), v.summary(),
        v.content() == null ? null : redact(v.content()));
  }

  /**
   * {@code document} with literal bearer tokens replaced by {@value #REDACTED} ({@code ${ENV}} references stay) and
   * URI passwords hidden: what the API shows of a stored document.
   */
  public static String redact(String document) {
    Matcher m = TOKEN_VALUE.matcher(document);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = m.group(2).trim();
      String bare = v.length() >= 2 && (v.startsWith("\"") || v.startsWith("'")) ? v.substring(1, v.length() - 1) : v;
      boolean reference = bare.matches("\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?}");
      m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + (reference ? m.group(2) : "\"" + REDACTED + "\"")));
    }
    m.appendTail(sb);
    return Redaction.text(sb.toString());
  }

  @Override
  public void close() {
    serial.shutdownNow();
    store.close();
    audit.close();
  }
}

package dev.vane.gateway.configstore;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Where the versioned config document lives: a file with its history beside it ({@link FileConfigStore}) or Redis
 * ({@link RedisConfigStore}). Content-agnostic: the caller validates a document before writing it; the store keeps
 * text. Failures arrive in the returned stages as {@link StaleVersionException}, {@link ReadOnlyStoreException} or
 * {@link StoreUnavailableException}.
 */
public interface ConfigStore extends AutoCloseable {

  /** Where the config is, for logs and {@code /readyz}, without credentials. */
  String describe();

  /** Present when writes are refused, saying why. */
  Optional<String> readOnlyReason();

  /** The latest version, with content. */
  CompletionStage<ConfigVersion> current();

  /** Up to {@code limit} retained versions, newest first, without content. */
  CompletionStage<List<ConfigVersion>> history(int limit);

  /** Version {@code number} with content; empty if unknown or pruned. */
  CompletionStage<Optional<ConfigVersion>> version(long number);

  /**
   * Stores {@code content} as version {@code expected + 1} iff the latest is {@code expected} (0: the store is
   * empty); otherwise fails with a {@link StaleVersionException} carrying the latest number.
   */
  CompletionStage<ConfigVersion> write(String content, long expected, String author, String message, String summary);

  /**
   * Writes {@code content} as version 1 iff the store holds no version (a Redis that lost its data); empty when it
   * holds one already.
   */
  default CompletionStage<Optional<ConfigVersion>> seed(String content, String author, String message) {
    return java.util.concurrent.CompletableFuture.completedFuture(Optional.empty());
  }

  /**
   * Calls {@code listener} (on the store's thread, never concurrently with itself) with the latest version whenever
   * it is newer than the last one delivered or loaded through {@link #current()}. When several versions appeared
   * between two looks, only the latest is delivered (the config is applied whole, so the ones between do not
   * matter). The store's own writes are delivered too. One listener per store: a second call replaces the first.
   */
  void watch(Consumer<ConfigVersion> listener);

  @Override
  void close();
}

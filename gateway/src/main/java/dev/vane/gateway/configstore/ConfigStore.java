package dev.vane.gateway.configstore;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** Where the versioned config document lives: the file, Redis, or memory. Content-agnostic: callers validate. */
public interface ConfigStore extends AutoCloseable {
  String describe();

  /** Present when writes are refused, with the reason. */
  Optional<String> readOnlyReason();

  /** The latest version, with content. */
  CompletionStage<ConfigVersion> current();

  /** Newest first, without content. */
  CompletionStage<List<ConfigVersion>> history(int limit);

  /** With content; empty if unknown or pruned. */
  CompletionStage<Optional<ConfigVersion>> version(long number);

  /**
   * Stores {@code content} as version {@code expected + 1} iff the latest is {@code expected}; otherwise fails with
   * {@link StaleVersionException}.
   */
  CompletionStage<ConfigVersion> write(String content, long expected, String author, String message, String summary);

  /** Calls {@code listener} with each version newer than the last one delivered or loaded. */
  void watch(Consumer<ConfigVersion> listener);

  @Override
  void close();
}

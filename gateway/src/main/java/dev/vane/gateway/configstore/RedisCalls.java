package dev.vane.gateway.configstore;

import dev.vane.config.Redaction;
import dev.vane.gateway.state.redis.LazyRedisLink;
import dev.vane.gateway.state.redis.RedisConnections;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Redis calls of the config store and the audit log: on a link connected on first use, each given up after the
 * timeout (connect included), every failure as a {@link StoreUnavailableException} whose message names the
 * redacted URI and what was being done.
 */
public final class RedisCalls implements AutoCloseable {
  private final String uri;
  private final Duration timeout;
  private final LazyRedisLink link;

  /** @param timeout how long a call may take, connect included (at least 1 ms) */
  public RedisCalls(String uri, Duration timeout) {
    if (timeout.toMillis() < 1) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: >= 1ms)");
    }
    this.uri = java.util.Objects.requireNonNull(uri, "uri");
    this.timeout = timeout;
    this.link = new LazyRedisLink(uri, timeout);
  }

  /** The URI with its credentials hidden. */
  public String shownUri() {
    return Redaction.uri(uri);
  }

  String uri() {
    return uri;
  }

  Duration timeout() {
    return timeout;
  }

  RedisConnections connections() {
    return link.connections();
  }

  /** Runs {@code command}; {@code what} says what it does, for the failure's message. */
  public <T> CompletableFuture<T> call(String what,
      Function<RedisClusterAsyncCommands<String, String>, CompletionStage<T>> command) {
    return link.get()
        .thenCompose(l -> command.apply(l.commands()))
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(unavailable(what, e)));
  }

  private StoreUnavailableException unavailable(String what, Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof StoreUnavailableException s) {
      return s;
    }
    String why = cause instanceof TimeoutException ? "no answer within " + timeout.toMillis() + " ms"
        : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    return new StoreUnavailableException("redis " + shownUri() + " unavailable (" + what + "): " + why, cause);
  }

  /** The cause inside the {@link CompletionException}s and {@link ExecutionException}s around it. */
  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Closes the link and releases the process's connection factory. */
  @Override
  public void close() {
    link.close();
  }
}

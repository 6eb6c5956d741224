package dev.vane.gateway.state.redis;

import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisLoadingException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** How the sticky store reads a failed Redis command. */
final class RedisFailures {
  private RedisFailures() {}

  /** The cause inside the {@link CompletionException}s and {@link ExecutionException}s around it. */
  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * Whether a write that failed so may succeed later: a link or timeout failure, or an error reply that Redis gives
   * while busy, loading, out of memory or without a writable primary, or a Redis Cluster while a slot has no
   * primary ({@code CLUSTERDOWN}, during a failover) or is being moved ({@code TRYAGAIN}). Any other error reply is
   * final.
   */
  static boolean retryable(Throwable cause) {
    String message = String.valueOf(cause.getMessage());
    return !(cause instanceof RedisCommandExecutionException)
        || cause instanceof RedisBusyException || cause instanceof RedisLoadingException
        || message.startsWith("OOM") || message.startsWith("MASTERDOWN") || message.startsWith("READONLY")
        || message.startsWith("CLUSTERDOWN") || message.startsWith("TRYAGAIN");
  }

  /** {@code "<simple class name>: <message>"}, as {@code describe()} shows the last error. */
  static String describe(Throwable cause) {
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}

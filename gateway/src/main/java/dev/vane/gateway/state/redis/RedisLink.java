package dev.vane.gateway.state.redis;

import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.concurrent.CompletableFuture;

/**
 * One connection to Redis, made by {@link RedisConnections}. Callers see only what a standalone, a Sentinel-managed
 * and a Cluster connection have in common: key-routed commands, and a connection for one hash slot's transactions,
 * so the kind of deployment is the factory's business alone.
 */
public interface RedisLink extends AutoCloseable {

  /** Commands that name their keys (routed by key on a cluster); pipelined, they never wait for each other. */
  RedisClusterAsyncCommands<String, String> commands();

  /**
   * Commands for a MULTI/EXEC whose keys all hash to the slot of {@code slotKey} (a hash tag such as
   * {@link RedisKeys#tag}, or the transaction's one key): on a standalone server the link itself; on a cluster, the
   * connection to the node that serves that slot. Only one thread
   * may run a transaction on a link at a time, and commands of other threads must not use this link meanwhile (they
   * would join the transaction).
   */
  RedisAsyncCommands<String, String> transaction(String slotKey);

  /**
   * Whether CLIENT TRACKING switched on through {@link #commands()} covers every key this link reads: true for one
   * server or a Sentinel's primary; false on a cluster, whose reads go through one connection per node.
   */
  default boolean tracksEveryKey() {
    return true;
  }

  /** Whether the connection is established now. */
  boolean isOpen();

  /** Closes the connection (blocks for up to the factory's close timeout). */
  @Override
  void close();

  /** Closes the connection without waiting. */
  CompletableFuture<Void> closeAsync();

  /** What happens to a link: called on Lettuce's I/O threads, so they must not block. */
  interface Events {
    /** A RESP3 push message (e.g. a CLIENT TRACKING {@code invalidate}). */
    default void onPush(PushMessage message) {}

    /** The link was re-established after it had been lost (not called for the first connect). */
    default void onReconnected() {}

    /** The link was lost; Lettuce reconnects by itself. */
    default void onDisconnected() {}
  }
}

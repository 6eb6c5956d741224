package dev.vane.gateway.state.redis;

import io.lettuce.core.TrackingArgs;
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
   * Switches CLIENT TRACKING on (with {@code args}) for every connection through which this link reads keys: its one
   * connection, or on a cluster the connection to each primary (pushes from any of them reach
   * {@link Events#onPush}). A connection that is lost or added later is reported through
   * {@link Events#onDisconnected} or {@link Events#onNodesChanged}, after which tracking must be switched on again.
   */
  CompletableFuture<Void> track(TrackingArgs args);

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

    /**
     * A cluster link's connections changed (a node connection was lost, or the topology changed): invalidations sent
     * meanwhile may be lost, and new nodes are not tracked yet.
     */
    default void onNodesChanged() {}
  }
}

package dev.vane.gateway.state.redis;

import java.util.concurrent.CompletableFuture;

/**
 * A pub/sub subscription to one channel, made by {@link RedisConnections#subscribe}: its connection reconnects by
 * itself and subscribes again after a reconnect. Messages published while it was disconnected are lost; a user that
 * must not miss a change pairs it with a periodic check.
 */
public interface RedisSubscription extends AutoCloseable {

  /** Whether the subscription's connection is established now. */
  boolean isOpen();

  /** Unsubscribes and closes the connection without waiting. */
  CompletableFuture<Void> closeAsync();

  /** Unsubscribes and closes the connection (blocks for up to the factory's close timeout). */
  @Override
  void close();

  /** What arrives on a subscription: called on Lettuce's I/O threads, so it must not block. */
  interface Listener {
    /** A message published on the channel. */
    void onMessage(String message);

    /** The connection was re-established (and is being subscribed again) after it had been lost. */
    default void onReconnected() {}
  }
}

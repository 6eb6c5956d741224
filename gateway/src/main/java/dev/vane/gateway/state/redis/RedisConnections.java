package dev.vane.gateway.state.redis;

import dev.vane.config.Redaction;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The process's one Lettuce {@link ClientResources} and client, through which every Redis connection of the gateway
 * is made (sticky store, figures, feedback): Lettuce's threads and event loops exist once however many stores,
 * gateways or Redis servers there are. Today the client is a standalone {@link RedisClient} (a {@code redis-sentinel}
 * URI works through it as well); a cluster client would be chosen here from the URI, and callers, which see only
 * {@link RedisLink}, stay as they are.
 *
 * <p>Reference counted: {@link #acquire()} returns the shared factory (creating it for its first user) and
 * {@link #release()} shuts it down after its last user, so it is released only once every link made through it is
 * closed.
 *
 * <p>Every link has the same client options: it reconnects by itself (with a backoff from 10 ms to 1 s), rejects
 * commands while disconnected instead of buffering them, and cancels a command Lettuce has had in flight for longer
 * than the link's give-up time (a safety net: callers time out first, on their own timers).
 */
public final class RedisConnections {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final int REQUEST_QUEUE_SIZE = 65_536;
  private static RedisConnections shared; // guarded by RedisConnections.class

  private final ClientResources resources;
  private final RedisClient client;
  private int users; // guarded by RedisConnections.class

  private RedisConnections() {
    this.resources = DefaultClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
    this.client = RedisClient.create(resources);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(REQUEST_QUEUE_SIZE)
        .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).tcpNoDelay(true)
            .build())
        .timeoutOptions(TimeoutOptions.enabled()) // each link's give-up time, from its RedisURI
        .build());
  }

  /** The process's factory, with one more user; every call must be matched by one {@link #release()}. */
  public static RedisConnections acquire() {
    synchronized (RedisConnections.class) {
      if (shared == null) {
        shared = new RedisConnections();
      }
      shared.users++;
      return shared;
    }
  }

  /** One user fewer; the last one shuts the client and its threads down (blocks for up to 2 s). */
  public void release() {
    synchronized (RedisConnections.class) {
      if (users == 0) {
        throw new IllegalStateException("release: no user left (expected: one release per acquire)");
      }
      if (--users > 0) {
        return;
      }
      if (shared == this) {
        shared = null;
      }
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  /** Users of the process's factory now (0 when there is none), for tests. */
  static int users() {
    synchronized (RedisConnections.class) {
      return shared == null ? 0 : shared.users;
    }
  }

  /**
   * Connects to {@code uri} in the background. The future fails when the first attempt fails (the caller retries);
   * once connected, the link reconnects by itself and reports to {@code events}.
   *
   * @param giveUp how long Lettuce keeps a command in flight before cancelling it
   */
  public CompletableFuture<RedisLink> connect(String uri, Duration giveUp, RedisLink.Events events) {
    RedisURI redisUri;
    try {
      redisUri = RedisURI.create(uri);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("uri: " + Redaction.uri(uri)));
    }
    redisUri.setTimeout(giveUp);
    return client.connectAsync(StringCodec.UTF8, redisUri).toCompletableFuture()
        .thenApply(conn -> new StandaloneLink(conn, events));
  }

  /**
   * Subscribes to {@code channel} in the background on a pub/sub connection of its own. The future completes once
   * the subscription is confirmed and fails when the first attempt fails (the caller retries); once subscribed, the
   * connection reconnects by itself and Lettuce subscribes again.
   *
   * @param giveUp how long Lettuce keeps a command in flight before cancelling it
   */
  public CompletableFuture<RedisSubscription> subscribe(String uri, Duration giveUp, String channel,
      RedisSubscription.Listener listener) {
    RedisURI redisUri;
    try {
      redisUri = RedisURI.create(uri);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("uri: " + Redaction.uri(uri)));
    }
    redisUri.setTimeout(giveUp);
    return client.connectPubSubAsync(StringCodec.UTF8, redisUri).toCompletableFuture()
        .thenCompose(conn -> {
          conn.addListener(new RedisPubSubAdapter<String, String>() {
            @Override
            public void message(String ch, String message) {
              if (channel.equals(ch)) {
                listener.onMessage(message);
              }
            }
          });
          ((RedisChannelHandler<?, ?>) conn).addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress socketAddress) {
              listener.onReconnected();
            }
          });
          RedisSubscription subscription = new RedisSubscription() {
            @Override
            public boolean isOpen() {
              return conn.isOpen();
            }

            @Override
            public CompletableFuture<Void> closeAsync() {
              return conn.closeAsync();
            }

            @Override
            public void close() {
              conn.close();
            }
          };
          return conn.async().subscribe(channel).toCompletableFuture()
              .<RedisSubscription>thenApply(ignored -> subscription)
              .whenComplete((s, e) -> {
                if (e != null) {
                  conn.closeAsync();
                }
              });
        });
  }

  /** A connection to one Redis server (or the master a Sentinel names). */
  private static final class StandaloneLink implements RedisLink {
    private final StatefulRedisConnection<String, String> conn;

    StandaloneLink(StatefulRedisConnection<String, String> conn, Events events) {
      this.conn = conn;
      conn.addListener(events::onPush);
      ((RedisChannelHandler<?, ?>) conn).addListener(new RedisConnectionStateListener() {
        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress socketAddress) {
          events.onReconnected(); // the first connect happened before this listener was added
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
          events.onDisconnected();
        }
      });
    }

    @Override
    public RedisClusterAsyncCommands<String, String> commands() {
      return conn.async();
    }

    @Override
    public RedisAsyncCommands<String, String> transaction(String slotKey) {
      return conn.async();
    }

    @Override
    public boolean isOpen() {
      return conn.isOpen();
    }

    @Override
    public void close() {
      conn.close();
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
      return conn.closeAsync();
    }
  }
}

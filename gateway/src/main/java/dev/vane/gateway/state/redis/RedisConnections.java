package dev.vane.gateway.state.redis;

import dev.vane.config.Redaction;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.push.RedisClusterPushListener;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;

/**
 * The process's one Lettuce {@link ClientResources}, through which every Redis connection of the gateway is made
 * (sticky store, figures, feedback, config store, audit log, rollouts): Lettuce's threads and event loops exist once
 * however many stores, gateways or Redis servers there are. The URI says which client connects
 * ({@link RedisTopology}): one standalone {@link RedisClient} for a server and for a Sentinel-managed primary (Lettuce
 * asks the sentinels for the master on every connect and reconnect, so after a failover the link reconnects to the
 * promoted replica), and a {@link RedisClusterClient} per cluster URI (a cluster client is bound to its seed nodes).
 * Callers see only {@link RedisLink} and {@link RedisSubscription}, whatever the topology.
 *
 * <p>Reference counted: {@link #acquire()} returns the shared factory (creating it for its first user) and
 * {@link #release()} shuts it down after its last user, so it is released only once every link made through it is
 * closed.
 *
 * <p>Every link has the same client options: it reconnects by itself (with a backoff from 10 ms to 1 s), rejects
 * commands while disconnected instead of buffering them, and cancels a command Lettuce has had in flight for longer
 * than the link's give-up time (a safety net: callers time out first, on their own timers).
 *
 * <p><b>Cluster.</b> Commands go to the primary serving their key's slot ({@link ReadFrom#UPSTREAM}: replicas,
 * which lag, are never read, so claims and CAS scripts see the latest write). The client's view of which node serves
 * which slot is refreshed every {@value #TOPOLOGY_REFRESH_SECONDS} s and, adaptively, on a MOVED or ASK redirect, on
 * {@value #RECONNECTS_BEFORE_REFRESH} failed reconnects to a node, on an uncovered slot or an unknown node, at most
 * once per {@value #ADAPTIVE_REFRESH_MILLIS} ms (Lettuce's default of 30 s would leave a failed-over slot pointing at
 * the dead node that long); connections to nodes that left are closed. The period is short because no adaptive
 * trigger fires when the last refresh ran just before a replica was promoted and the dead node's connection is not
 * reconnecting (a refresh connects to each node once: cheap at this rate). A transaction runs on the connection to the
 * primary of its slot ({@link RedisLink#transaction}).
 */
public final class RedisConnections {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final int REQUEST_QUEUE_SIZE = 65_536;
  static final long TOPOLOGY_REFRESH_SECONDS = 5;
  static final long ADAPTIVE_REFRESH_MILLIS = 500;
  static final int RECONNECTS_BEFORE_REFRESH = 3;
  private static RedisConnections shared; // guarded by RedisConnections.class

  private final ClientResources resources;
  private final RedisClient client;
  /** Cluster clients by seed URI and give-up time (a cluster client's command timeout is its seeds'). */
  private final Map<String, RedisClusterClient> clusters = new HashMap<>(); // guarded by itself
  private int users; // guarded by RedisConnections.class

  private RedisConnections() {
    this.resources = DefaultClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
    this.client = RedisClient.create(resources);
    client.setOptions(options(ClientOptions.builder()).build());
  }

  /** The options every link has, on a builder of standalone or cluster options. */
  private static <B extends ClientOptions.Builder> B options(B builder) {
    builder.autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(REQUEST_QUEUE_SIZE)
        .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).tcpNoDelay(true)
            .build())
        .timeoutOptions(TimeoutOptions.enabled()); // each link's give-up time, from its RedisURI
    return builder;
  }

  /** The cluster client for {@code topology}'s seeds with commands given up after {@code giveUp}. */
  private RedisClusterClient cluster(String uri, RedisTopology topology, Duration giveUp) {
    synchronized (clusters) {
      return clusters.computeIfAbsent(uri + " " + giveUp.toMillis(), k -> {
        for (RedisURI seed : topology.nodes()) {
          seed.setTimeout(giveUp);
        }
        RedisClusterClient c = RedisClusterClient.create(resources, topology.nodes());
        c.setOptions(options(ClusterClientOptions.builder())
            .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                .enablePeriodicRefresh(Duration.ofSeconds(TOPOLOGY_REFRESH_SECONDS))
                .enableAllAdaptiveRefreshTriggers()
                .adaptiveRefreshTriggersTimeout(Duration.ofMillis(ADAPTIVE_REFRESH_MILLIS))
                .refreshTriggersReconnectAttempts(RECONNECTS_BEFORE_REFRESH)
                .closeStaleConnections(true)
                .dynamicRefreshSources(true)
                .build())
            .build());
        return c;
      });
    }
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
    List<RedisClusterClient> clusterClients;
    synchronized (clusters) {
      clusterClients = List.copyOf(clusters.values());
      clusters.clear();
    }
    for (RedisClusterClient c : clusterClients) {
      c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
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
    RedisTopology topology;
    try {
      topology = RedisTopology.parse(uri);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("uri: " + Redaction.uri(uri)));
    }
    if (topology.kind() == RedisTopology.Kind.CLUSTER) {
      RedisClusterClient c = cluster(uri, topology, giveUp);
      // an async connect needs the topology loaded (Lettuce's sync connect loads it itself)
      return c.refreshPartitionsAsync().toCompletableFuture()
          .thenCompose(loaded -> c.connectAsync(StringCodec.UTF8))
          .thenCompose(conn -> {
            conn.setReadFrom(ReadFrom.UPSTREAM);
            // connect to every primary now: a command for a node whose connection is still being made is rejected
            List<CompletableFuture<?>> nodes = new ArrayList<>();
            for (RedisClusterNode node : conn.getPartitions()) {
              if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.hasNoSlots()) {
                nodes.add(conn.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort()));
              }
            }
            return CompletableFuture.allOf(nodes.toArray(new CompletableFuture[0]))
                .<RedisLink>thenApply(all -> new ClusterLink(conn, events, resources))
                .whenComplete((link, failure) -> {
                  if (failure != null) {
                    conn.closeAsync();
                  }
                });
          });
    }
    RedisURI redisUri = topology.single();
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
    RedisTopology topology;
    try {
      topology = RedisTopology.parse(uri);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("uri: " + Redaction.uri(uri)));
    }
    CompletableFuture<? extends StatefulRedisPubSubConnection<String, String>> connecting;
    if (topology.kind() == RedisTopology.Kind.CLUSTER) {
      // a cluster's pub/sub connection subscribes on one node; PUBLISH reaches every node over the cluster bus
      RedisClusterClient c = cluster(uri, topology, giveUp);
      CompletableFuture<StatefulRedisClusterPubSubConnection<String, String>> pubSub =
          c.refreshPartitionsAsync().toCompletableFuture()
              .thenCompose(loaded -> c.connectPubSubAsync(StringCodec.UTF8));
      connecting = pubSub;
    } else {
      RedisURI redisUri = topology.single();
      redisUri.setTimeout(giveUp);
      connecting = client.connectPubSubAsync(StringCodec.UTF8, redisUri).toCompletableFuture();
    }
    return connecting
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

  /**
   * What every link does with its Lettuce connection: reports its connection events, and is open and closed with it.
   */
  private abstract static class ConnectionLink implements RedisLink {
    private final StatefulConnection<String, String> conn;

    ConnectionLink(StatefulConnection<String, String> conn, Events events) {
      this.conn = conn;
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

  /** A connection to one Redis server (or the master a Sentinel names). */
  private static final class StandaloneLink extends ConnectionLink {
    private final StatefulRedisConnection<String, String> conn;

    StandaloneLink(StatefulRedisConnection<String, String> conn, Events events) {
      super(conn, events);
      this.conn = conn;
      conn.addListener(events::onPush);
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
    public CompletableFuture<Void> track(TrackingArgs args) {
      return conn.async().clientTracking(args).toCompletableFuture().thenAccept(ok -> {});
    }
  }

  /**
   * A connection to a Redis Cluster: keyed commands are routed by slot to its primary; a transaction runs on the
   * node connection of the primary serving its slot, as the client's topology says (a slot that moved meanwhile
   * makes the queued commands fail with MOVED, so EXEC aborts and nothing is applied: the caller retries the whole
   * transaction, by then on the new node). Tracking is switched on per primary's connection, the ones keyed commands
   * go through; a lost node connection or a changed topology is reported as {@link Events#onNodesChanged}.
   */
  private static final class ClusterLink extends ConnectionLink {
    private final StatefulRedisClusterConnection<String, String> conn;
    private final Events events;
    private final Set<StatefulRedisConnection<String, String>> watched = ConcurrentHashMap.newKeySet();
    private final Disposable topologyChanges;

    ClusterLink(StatefulRedisClusterConnection<String, String> conn, Events events, ClientResources resources) {
      super(conn, events);
      this.conn = conn;
      this.events = events;
      conn.addListener((RedisClusterPushListener) (node, message) -> events.onPush(message));
      // every cluster client of the process publishes here: a change elsewhere costs a re-check, nothing more
      this.topologyChanges = resources.eventBus().get()
          .filter(e -> e instanceof ClusterTopologyChangedEvent)
          .subscribe(e -> events.onNodesChanged());
    }

    @Override
    public RedisClusterAsyncCommands<String, String> commands() {
      return conn.async();
    }

    @Override
    public RedisAsyncCommands<String, String> transaction(String slotKey) {
      return primary(slotKey).async();
    }

    private StatefulRedisConnection<String, String> primary(String slotKey) {
      int slot = SlotHash.getSlot(slotKey);
      RedisClusterNode primary = conn.getPartitions().getMasterBySlot(slot);
      if (primary == null) {
        throw new IllegalStateException("no primary serves slot " + slot + " (of " + slotKey + ") yet");
      }
      // by host and port, as Lettuce routes keyed commands: the same pooled connection
      return conn.getConnection(primary.getUri().getHost(), primary.getUri().getPort());
    }

    @Override
    public CompletableFuture<Void> track(TrackingArgs args) {
      List<CompletableFuture<?>> nodes = new ArrayList<>();
      for (RedisClusterNode node : conn.getPartitions()) {
        if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.hasNoSlots()) {
          nodes.add(conn.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort())
              .thenCompose(c -> {
                watch(c);
                return c.async().clientTracking(args);
              }));
        }
      }
      return CompletableFuture.allOf(nodes.toArray(new CompletableFuture[0]));
    }

    /** Reports the loss of a node connection (its tracking ends with it) once per connection. */
    private void watch(StatefulRedisConnection<String, String> node) {
      if (watched.add(node)) {
        ((RedisChannelHandler<?, ?>) node).addListener(new RedisConnectionStateListener() {
          @Override
          public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            events.onNodesChanged();
          }
        });
      }
    }

    @Override
    public void close() {
      topologyChanges.dispose();
      super.close();
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
      topologyChanges.dispose();
      return super.closeAsync();
    }
  }
}

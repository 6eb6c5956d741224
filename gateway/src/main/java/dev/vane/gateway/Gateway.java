package dev.vane.gateway;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.vane.config.ConfigLoader;
import dev.vane.config.ServerSettings;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.api.ApiRouter;
import dev.vane.gateway.auth.Authenticator;
import dev.vane.gateway.audit.AuditLog;
import dev.vane.gateway.audit.MemoryAuditLog;
import dev.vane.gateway.configstore.ConfigStore;
import dev.vane.gateway.configstore.ConfigVersion;
import dev.vane.gateway.configstore.MemoryConfigStore;
import dev.vane.gateway.control.ControlPlane;
import dev.vane.gateway.observability.PrometheusMetrics;
import dev.vane.gateway.rollout.RolloutDriver;
import dev.vane.gateway.configsource.ConfigSource;
import dev.vane.gateway.configsource.FileConfigSource;
import dev.vane.gateway.counters.Figures;
import dev.vane.gateway.runtime.GatewayCore;
import dev.vane.gateway.runtime.Stores;
import dev.vane.gateway.runtime.Transports;
import dev.vane.gateway.server.AdminListener;
import dev.vane.gateway.server.ConnectionGuard;
import dev.vane.gateway.server.DataListener;
import dev.vane.router.StickyStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: one HTTP server per event loop on one port, the shared core, and (when started from a file)
 * the config watcher. Start with {@link #start}; stop with {@link #close}.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  /** Connections the admin listener takes at once (it serves operators, feedback and scrapers, not traffic). */
  static final int ADMIN_MAX_CONNECTIONS = 1024;

  /** How long {@link #close} waits for Vert.x to close its servers, clients and event loops. */
  static final long CLOSE_TIMEOUT_SECONDS = 10;

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final GatewayCore core;
  private final StickyStore store;
  private final ConnectionGuard guard;
  private final ConnectionGuard adminGuard;
  private final ApiRouter.Denials denials = new ApiRouter.Denials();
  private final AtomicReference<Authenticator> authenticator = new AtomicReference<>();
  private volatile ControlPlane control;
  private volatile RolloutDriver rollouts;
  /** What GET /metrics on the admin listener serves. */
  private volatile PrometheusMetrics metrics;
  private volatile String deployment;
  private volatile String adminDeployment;
  private volatile int port;
  private volatile int adminPort;
  private final List<ConfigSource> sources = new ArrayList<>(); // guarded by this
  private volatile long banditTimer = -1;
  private volatile long banditPeriodMillis = -1;
  private boolean closed; // guarded by this
  private boolean closing; // guarded by this

  private Gateway(Vertx vertx, boolean ownsVertx, GatewayCore core, StickyStore store, ConnectionGuard guard,
      ConnectionGuard adminGuard) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.core = core;
    this.store = store;
    this.guard = guard;
    this.adminGuard = adminGuard;
  }

  /** The default store for a config: in memory unless a store factory says otherwise. */
  public static StickyStore memoryStore(VaneConfig cfg) {
    return Stores.memory(cfg);
  }

  /** Starts a gateway on its own Vert.x instance with the in-memory store. */
  public static Future<Gateway> start(VaneConfig cfg) {
    return start(cfg, Gateway::memoryStore);
  }

  public static Future<Gateway> start(VaneConfig cfg, Function<VaneConfig, StickyStore> storeFactory) {
    return start(cfg, storeFactory, ThreadLocalRandom::current);
  }

  /** With an injected random source for assignment and bandit decisions (tests make it seeded). */
  static Future<Gateway> start(VaneConfig cfg, Function<VaneConfig, StickyStore> storeFactory,
      Supplier<? extends RandomGenerator> random) {
    return start(cfg, storeFactory, random, Clock.systemUTC());
  }

  /** With an injected random source and the wall clock of the counters (tests move it by hand). */
  static Future<Gateway> start(VaneConfig cfg, Function<VaneConfig, StickyStore> storeFactory,
      Supplier<? extends RandomGenerator> random, Clock clock) {
    int loops = cfg.server().eventLoops() > 0 ? cfg.server().eventLoops()
        : Math.max(1, Runtime.getRuntime().availableProcessors());
    Vertx vertx;
    try {
      vertx = Transports.vertx(new VertxOptions().setEventLoopPoolSize(loops), cfg.server().transport());
    } catch (IllegalStateException e) {
      return Future.failedFuture(e);
    }
    return start(vertx, true, cfg, storeFactory, loops, random, clock);
  }

  static Future<Gateway> start(Vertx vertx, boolean ownsVertx, VaneConfig cfg,
      Function<VaneConfig, StickyStore> storeFactory, int instances, Supplier<? extends RandomGenerator> random,
      Clock clock) {
    StickyStore store = storeFactory.apply(cfg);
    GatewayCore core = new GatewayCore(vertx, cfg, store, Stores.sharedFor(cfg), clock, random);
    if (cfg.routing().experiments().values().stream().anyMatch(e -> !e.shadows().isEmpty())) {
      // mirroring configured from the start: start the shadow loop here rather than from an event loop on the
      // first mirrored request (Vert.x warns when a Vert.x is created on another's thread)
      core.startShadowLoopEarly();
    }
    ConnectionGuard guard = new ConnectionGuard(cfg.server().limits());
    ConnectionGuard adminGuard = new ConnectionGuard(new ServerSettings.Limits(cfg.server().limits().headerTimeout(),
        cfg.server().limits().idleTimeout(), cfg.server().limits().bodyTimeout(), ADMIN_MAX_CONNECTIONS));
    Gateway g = new Gateway(vertx, ownsVertx, core, store, guard, adminGuard);
    g.metrics = new PrometheusMetrics(new PrometheusMetrics.Sources(core,
        Map.of("data", guard::counters, "admin", adminGuard::counters), g.denials::unauthenticated,
        g.denials::forbidden, () -> g.rollouts));
    Authenticator auth;
    try {
      core.tracing().configure(cfg.observability().tracing());
      auth = Authenticator.create(vertx, cfg.admin().auth());
    } catch (RuntimeException e) {
      core.tracing().close();
      core.closeShadowLoop();
      if (ownsVertx) {
        vertx.close();
      }
      return Future.failedFuture(e);
    }
    g.authenticator.set(auth);
    warnIfDescriptorsAreShort(cfg);
    AtomicInteger boundPort = new AtomicInteger(cfg.server().port());
    AtomicInteger boundAdminPort = new AtomicInteger(cfg.server().admin().port());
    Promise<Gateway> done = Promise.promise();
    // port 0: bind the first server, then the others to the same resolved port
    vertx.deployVerticle(() -> new DataListener(core, cfg.server(), boundPort, guard),
            new DeploymentOptions().setInstances(instances))
        .compose(id -> {
          g.deployment = id;
          g.port = boundPort.get();
          return vertx.deployVerticle(() -> new AdminListener(core, cfg.server(), boundAdminPort, adminGuard,
              () -> ApiRouter.admin(vertx, core, g.authenticator::get, () -> g.control, () -> g.rollouts,
                  g.denials, g.metrics)),
              new DeploymentOptions().setInstances(instances));
        })
        .onSuccess(id -> {
          g.adminDeployment = id;
          g.adminPort = boundAdminPort.get();
          g.scheduleBanditRefresh();
          log.info("Vane listening on {}:{} with {} event loop(s) ({} transport), config {} ({}), store {}",
              cfg.server().host(), g.port, instances, Transports.describe(vertx, cfg.server().transport()),
              cfg.source(), cfg.version(), store.describe());
          String scheme = cfg.server().admin().tls() == null ? "http" : "https";
          if (cfg.admin().auth().none()) {
            log.warn("admin API on {}://{}:{} WITHOUT authentication (admin.auth: none, allowed because the admin "
                + "listener is on loopback); declare admin.auth.tokens before exposing it", scheme,
                cfg.server().admin().host(), g.adminPort);
          } else {
            log.info("admin API on {}://{}:{}, authentication: {}", scheme, cfg.server().admin().host(), g.adminPort,
                auth.describe());
          }
          done.complete(g);
        })
        .onFailure(t -> {
          if (g.deployment != null) {
            vertx.undeploy(g.deployment);
          }
          g.metrics.close();
          auth.close();
          core.tracing().close();
          core.closeShadowLoop();
          if (ownsVertx) {
            vertx.close();
          }
          done.fail(t);
        });
    return done.future();
  }

  /**
   * Warns when the process may run out of file descriptors before the listener reaches its connection budget: each
   * proxied request can hold a client and an upstream connection.
   */
  private static void warnIfDescriptorsAreShort(VaneConfig cfg) {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof UnixOperatingSystemMXBean os) {
      long max = os.getMaxFileDescriptorCount();
      long need = 2L * (cfg.server().limits().maxConnections() + ConnectionGuard.RESERVE) + 256;
      if (max > 0 && max < need) {
        log.warn("the file-descriptor limit ({}) is below what server.maxConnections {} may need (about {}: a client "
            + "and an upstream connection each); raise `ulimit -n` or lower maxConnections, or the process can run "
            + "out of descriptors before the connection limit refuses anyone", max,
            cfg.server().limits().maxConnections(), need);
      }
    }
  }

  /** What the listener's connection guard closed or refused, and the connections open now. */
  public Map<String, Long> connectionCounters() {
    return guard.counters();
  }

  /** Port the gateway listens on. */
  public int port() {
    return port;
  }

  /** Port of the admin listener. */
  public int adminPort() {
    return adminPort;
  }

  /** Method and path of every route the admin listener serves (for the OpenAPI document's test). */
  static List<String[]> adminRoutes() {
    Vertx v = Vertx.vertx();
    try {
      VaneConfig cfg = new ConfigLoader().parse("endpoints: [ { id: a, url: \"http://127.0.0.1:1\" } ]\n", "routes");
      return ApiRouter.admin(v, new GatewayCore(v, cfg, Stores.memory(cfg), Stores.sharedFor(cfg), Clock.systemUTC(),
          ThreadLocalRandom::current), () -> null, () -> null, () -> null, new ApiRouter.Denials()).routes();
    } catch (dev.vane.config.ConfigException e) {
      throw new IllegalStateException(e);
    } finally {
      v.close();
    }
  }

  /** Admin calls refused with 401 or 403. */
  public ApiRouter.Denials denials() {
    return denials;
  }

  /**
   * Attaches the control plane: the admin API's config and operation endpoints work from now on, and the versions
   * it delivers are applied.
   *
   * @param runningHash the hash of the document the gateway was started with (it is not applied again)
   */
  public CompletionStage<ConfigVersion> attach(ControlPlane plane, String runningHash, String runningDocument) {
    synchronized (this) {
      if (control != null) {
        throw new IllegalStateException("a control plane is attached already");
      }
      control = plane;
    }
    core.controlStatus(() -> {
      Map<String, Object> s = new java.util.LinkedHashMap<>();
      ConfigVersion v = plane.applied();
      s.put("appliedVersion", v == null ? null : v.number());
      s.put("appliedHash", v == null ? null : v.hash());
      s.put("configStore", plane.store().describe());
      s.put("readOnly", plane.store().readOnlyReason().orElse(null));
      s.put("audit", plane.audit().describe());
      s.put("unauthenticated", denials.unauthenticated());
      s.put("forbidden", denials.forbidden());
      return s;
    });
    return plane.start(runningHash, runningDocument);
  }

  /**
   * Attaches a control plane over {@code store} and {@code audit}, validating documents with {@code loader}.
   *
   * @param bootstrap   the bootstrap file's bytes when the store holds only the routing sections, else null
   * @param runningHash     the hash of the document the gateway was started with
   * @param runningDocument that document (it re-seeds a store that lost its versions)
   */
  public CompletionStage<ConfigVersion> attach(ConfigStore store, AuditLog audit, ConfigLoader loader,
      byte[] bootstrap, String runningHash, String runningDocument) {
    return attach(new ControlPlane(store, audit, loader, bootstrap, config().source(), this::apply,
        core::reloadFailed, Clock.systemUTC()), runningHash, runningDocument);
  }

  /**
   * Attaches a control plane whose versions live in memory, starting from {@code document} (the text this gateway's
   * config was read from): the demo's, and tests'.
   */
  public CompletionStage<ConfigVersion> attachInMemory(String document) {
    return attach(new MemoryConfigStore(document, "start", config().admin().history(), Clock.systemUTC()),
        new MemoryAuditLog(config().admin().auditMaxEntries()), new ConfigLoader(), null,
        ConfigVersion.hashOf(document), document).thenApply(v -> {
          startRollouts(null);
          return v;
        });
  }

  /**
   * Starts driving the rollouts of experiments that declare one (after {@link #attach}: rollouts act through the
   * control plane). Their state lives in Redis when it is configured, else in memory and, with {@code stateFile},
   * there too.
   */
  public synchronized void startRollouts(Path stateFile) {
    if (rollouts != null || closing) {
      return;
    }
    rollouts = RolloutDriver.create(vertx, core, () -> control, config(), stateFile, Clock.systemUTC());
    rollouts.start();
    log.info("rollouts: state in {}", rollouts.describe());
  }

  /** The rollout driver, or null before {@link #startRollouts}. */
  public RolloutDriver rollouts() {
    return rollouts;
  }

  /** The attached control plane, or null. */
  public ControlPlane control() {
    return control;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Swaps in a new validated config: new requests see it at once, in-flight ones finish on the old one. */
  public void apply(VaneConfig cfg) {
    VaneConfig before = config();
    core.publish(cfg);
    if (!cfg.admin().auth().equals(before.admin().auth())) {
      try {
        Authenticator old = authenticator.getAndSet(Authenticator.create(vertx, cfg.admin().auth()));
        old.close();
        log.info("admin authentication changed: {}", authenticator.get().describe());
      } catch (RuntimeException e) {
        log.warn("admin authentication of the new config could not be set up; the previous one stays: {}",
            e.getMessage());
      }
    }
    try {
      core.tracing().configure(cfg.observability().tracing());
    } catch (RuntimeException e) {
      log.warn("tracing settings of the new config could not be applied; the previous ones stay: {}", e.getMessage());
    }
    if (banditTimer >= 0 && banditPeriodMillis != banditRefreshMillis()) {
      scheduleBanditRefresh(); // a reload that changes the shortest refreshInterval changes the period
    }
  }

  /** (Re)starts the periodic posterior rebuild at the current config's shortest {@code refreshInterval}. */
  private synchronized void scheduleBanditRefresh() {
    if (closed) {
      return;
    }
    if (banditTimer >= 0) {
      vertx.cancelTimer(banditTimer);
    }
    banditPeriodMillis = banditRefreshMillis();
    // posteriors are rebuilt on a worker (with Redis, on the Lettuce thread that brings the figures): the
    // rebuild's Monte-Carlo allocation estimate takes milliseconds, which the event loops' clients never wait on
    banditTimer = vertx.setPeriodic(banditPeriodMillis, t -> vertx.executeBlocking(() -> core.refreshBandits(), false));
  }

  /** Period of the bandit refresh timer now (ms), for tests. */
  long banditPeriodMillis() {
    return banditPeriodMillis;
  }

  /** The config now serving. */
  public VaneConfig config() {
    return core.snapshot().config();
  }

  StickyStore store() {
    return store;
  }

  /** This instance's own figures of an experiment's current version (tests compare them with the shared ones). */
  Figures.Experiment localFigures(String experiment) {
    return core.snapshot().counters().get(experiment).localFigures();
  }

  /**
   * Polls {@code file} every {@code server.reloadInterval} and applies valid changes; invalid ones are logged and
   * reported on /readyz while the current config keeps serving.
   */
  public void watch(Path file, ConfigLoader loader) throws IOException {
    follow(FileConfigSource.of(vertx, file, loader, config().server().reloadInterval()));
  }

  /** Applies the valid configs {@code source} delivers; rejected ones are reported on /readyz. */
  public synchronized void follow(ConfigSource source) {
    sources.add(source);
    source.start(this::apply, e -> core.reloadFailed(e.getMessage()));
  }

  /** The shortest bandit refresh interval of the config (1 s when there are no bandits). */
  long banditRefreshMillis() {
    long ms = Long.MAX_VALUE;
    for (var a : config().analysis().values()) {
      if (a.bandit() != null) {
        ms = Math.min(ms, a.bandit().refreshInterval().toMillis());
      }
    }
    return ms == Long.MAX_VALUE ? 1000 : Math.max(10, ms);
  }

  /** Rebuilds bandit posteriors now (tests; the gateway also does it periodically). */
  public void refreshBandits() {
    core.refreshBandits().toCompletableFuture().join();
  }

  /**
   * Stops gracefully: /readyz turns not-ready ({@code draining}), the listener stops accepting, idle connections
   * close, in-flight requests get {@code server.shutdownGrace} to finish (their connections close after their
   * response), then figures are flushed one last time and everything closes. Requests still running when the grace
   * period ends are cut.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closing) {
        return; // closed once: a second call (a test's own close, then its fixture's) does nothing
      }
      closing = true;
    }
    core.startDraining();
    String adminId = adminDeployment;
    adminDeployment = null;
    if (adminId != null) {
      try {
        vertx.undeploy(adminId).await(config().server().shutdownGrace().toMillis() + 5_000, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        log.warn("closing the admin listener: {}", e.toString());
      }
    }
    String id = deployment;
    deployment = null;
    if (id != null) {
      Duration grace = config().server().shutdownGrace();
      try {
        vertx.undeploy(id).await(grace.toMillis() + 5_000, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        log.warn("the listener did not drain within {} ms; closing anyway", grace.toMillis());
      } catch (Exception e) {
        log.warn("draining the listener: {}", e.toString());
      }
    }
    synchronized (this) {
      sources.forEach(ConfigSource::close);
      if (rollouts != null) {
        rollouts.close();
      }
      if (control != null) {
        control.close();
      }
    }
    metrics.close();
    Authenticator auth = authenticator.get();
    if (auth != null) {
      auth.close();
    }
    synchronized (this) {
      closed = true;
      if (banditTimer >= 0) {
        vertx.cancelTimer(banditTimer);
      }
    }
    try {
      if (ownsVertx) {
        // bounded: a gateway told to stop (SIGTERM) must exit even if some close step never completes
        vertx.close().await(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (TimeoutException e) {
      log.warn("Vert.x did not close within {} s; stopping anyway", CLOSE_TIMEOUT_SECONDS);
    } catch (Exception e) {
      log.warn("closing Vert.x: {}", e.toString());
    } finally {
      core.closeShadowLoop();
      core.tracing().close(); // after the loops: the last requests' and shadow copies' spans are exported
      core.closeSharedState();
      store.close();
    }
  }
}

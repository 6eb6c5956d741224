package dev.vane.gateway.runtime;

import dev.vane.config.Analysis;
import dev.vane.config.ServerSettings;
import dev.vane.config.StateSettings;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.bandit.BanditStrategy;
import dev.vane.gateway.counters.CounterRegistry;
import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.FigureSource;
import dev.vane.gateway.events.EventLog;
import dev.vane.gateway.events.FeedbackEvents;
import dev.vane.gateway.feedback.BodyBudget;
import dev.vane.gateway.feedback.FeedbackBackend;
import dev.vane.gateway.feedback.FeedbackService;
import dev.vane.gateway.observability.tracing.Tracing;
import dev.vane.gateway.shadow.ShadowPlanner;
import dev.vane.gateway.upstream.UpstreamClients;
import dev.vane.router.Assigner;
import dev.vane.router.Assignment;
import dev.vane.router.Policy;
import dev.vane.router.StickyStore;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/** State shared by every event loop: the published snapshot, the assigner, figures and shadow budgets. */
public final class GatewayCore {
  private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();
  private final CounterRegistry stats;
  private final Assigner assigner;
  private volatile String lastReloadError;
  private final java.util.concurrent.atomic.LongAdder reloadFailures = new java.util.concurrent.atomic.LongAdder();
  private volatile boolean draining;
  private volatile Instant lastReloadAt;
  private volatile java.util.function.Supplier<java.util.Map<String, Object>> controlStatus = java.util.Map::of;

  private final FigureSource figures;
  private final Stores.Shared shared;
  private final FeedbackBackend feedbackBackend;
  private final FeedbackService feedback;
  private final EventLog events;
  private final BodyBudget feedbackBodies = new BodyBudget(() -> snapshot().config().server().maxBodyBytes());

  private final BanditStrategy bandit = new BanditStrategy();
  private final Tracing tracing = Tracing.off();

  private final Vertx vertx;
  /** The transport of the gateway's loops (a startup setting), used for the shadow loop too. */
  private final ServerSettings.Transport transport;

  /** The wall clock of the counters and attributions. */
  private final Clock clock;

  public GatewayCore(Vertx vertx, VaneConfig initial, StickyStore store, Stores.Shared shared, Clock clock,
      Supplier<? extends RandomGenerator> random) {
    this.vertx = vertx;
    this.clock = clock;
    this.transport = initial.server().transport();
    this.shadowLoop = new ShadowLoop(transport);
    this.shared = shared;
    this.figures = shared.figures();
    this.feedbackBackend = shared.feedback();
    this.stats = new CounterRegistry(clock);
    this.feedback = new FeedbackService(this::maxAttributionWindow, stats, feedbackBackend, clock::millis, 1_000_000,
        Duration.ofHours(48));
    stats.predictions(feedback::predicted);
    StateSettings.Redis redis = initial.state().redis();
    this.events = EventLog.start(initial.events(), redis == null ? null : redis.uri(),
        redis == null ? Duration.ofMillis(50) : redis.commandTimeout(), clock::millis);
    if (events.enabled()) {
      feedback.onAccepted(new FeedbackEvents(events));
    }
    this.assigner = new Assigner(store, random, initial.server().overrideHeader(), Map.of(Policy.THOMPSON, bandit));
    this.lastReloadAt = clock.instant();
    publish(initial);
  }

  /** Now on the counters' wall clock, in epoch milliseconds (the days since a unit's first exposure count on it). */
  public long millis() {
    return clock.millis();
  }

  public Snapshot snapshot() {
    return snapshot.get();
  }

  /** Builds figures for the new experiment versions and swaps the snapshot; in-flight requests keep the old one. */
  public void publish(VaneConfig cfg) {
    Snapshot s = new Snapshot(cfg, stats.bind(cfg));
    figures.track(s.counters());
    snapshot.set(s);
    lastReloadError = null;
    lastReloadAt = Instant.now();
  }

  /** The gateway is stopping: /readyz answers 503 {@code draining} from now on. */
  public void startDraining() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }

  public void reloadFailed(String message) {
    lastReloadError = message;
    reloadFailures.increment();
  }

  /** Config versions that could not be applied (invalid, unreadable) since start. */
  public long reloadFailures() {
    return reloadFailures.sum();
  }

  public String lastReloadError() {
    return lastReloadError;
  }

  /** What the control plane reports on {@code /readyz} (the applied version, the store, refused admin calls). */
  public java.util.Map<String, Object> controlStatus() {
    return controlStatus.get();
  }

  /** Sets what {@link #controlStatus()} reports. */
  public void controlStatus(java.util.function.Supplier<java.util.Map<String, Object>> status) {
    controlStatus = status;
  }

  public Instant lastReloadAt() {
    return lastReloadAt;
  }

  public Assigner assigner() {
    return assigner;
  }

  /** Counters of every experiment version this process has served. */
  public CounterRegistry counters() {
    return stats;
  }

  public StickyStore store() {
    return assigner.store();
  }


  public Vertx vertx() {
    return vertx;
  }

  public BanditStrategy bandit() {
    return bandit;
  }

  /** The request spans and their export (off until the gateway configures it). */
  public Tracing tracing() {
    return tracing;
  }

  /** Rebuilds bandit posteriors from the current figures (non-blocking). */
  public CompletionStage<Void> refreshBandits() {
    Snapshot s = snapshot();
    return bandit.refresh(s.config(), s.counters(), figures);
  }

  public FeedbackService feedback() {
    return feedback;
  }

  /** Bytes of feedback bodies held at once, over every event loop. */
  public BodyBudget feedbackBodies() {
    return feedbackBodies;
  }

  /** The longest attribution window of the current config (remote attribution lookups go back this far). */
  Duration maxAttributionWindow() {
    Duration max = Duration.ofHours(1);
    for (Analysis a : snapshot().config().analysis().values()) {
      if (a.attributionWindow().compareTo(max) > 0) {
        max = a.attributionWindow();
      }
    }
    return max;
  }

  public FigureSource figures() {
    return figures;
  }

  /** Exposure and feedback events for analysts ({@link EventLog#OFF} without sinks). */
  public EventLog events() {
    return events;
  }

  /** Where feedback state beyond this instance lives. */
  public FeedbackBackend feedbackBackend() {
    return feedbackBackend;
  }

  /** Flushes and closes the figures and the feedback state (blocks for up to a few seconds each). */
  public void closeSharedState() {
    events.close();
    shared.close();
  }

  private final ShadowLoop shadowLoop;
  private final ShadowPlanner shadows = new ShadowPlanner();

  /** Which shadows get a copy of a request, and their in-flight budgets. */
  public ShadowPlanner shadows() {
    return shadows;
  }

  /** Runs {@code job} on the shadow loop, with that loop's upstream clients (starting the loop if need be). */
  public void mirror(Consumer<UpstreamClients> job) {
    shadowLoop.run(job);
  }

  /** Starts the shadow loop now (it starts with the first mirrored request otherwise). */
  public void startShadowLoopEarly() {
    shadowLoop.start();
  }

  /** Stops the shadow loop, if one was started (in-flight copies are dropped). */
  public void closeShadowLoop() {
    shadowLoop.close();
  }

  /** Distinct-unit counting by a shared store; in memory, new units are counted from sticky assignments. */
  public void recordUnit(ExperimentCounters stats, Assignment a) {
    if (a.unit() != null && a.exposure()) {
      figures.unit(stats, a.arm().id(), a.unit());
    }
  }
}

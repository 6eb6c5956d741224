package dev.vane.gateway.rollout;

import dev.vane.config.AdminSettings;
import dev.vane.config.Analysis;
import dev.vane.config.VaneConfig;
import dev.vane.config.edit.ConfigEdits;
import dev.vane.config.edit.Edit;
import dev.vane.gateway.audit.AuditEntry;
import dev.vane.gateway.auth.Principal;
import dev.vane.gateway.control.ControlPlane;
import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.Figures;
import dev.vane.gateway.counters.OutcomeCounters;
import dev.vane.gateway.results.ResultsInput;
import dev.vane.gateway.results.ResultsInputs;
import dev.vane.gateway.runtime.GatewayCore;
import dev.vane.gateway.webhook.Webhooks;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import dev.vane.router.Role;
import dev.vane.router.Shadow;
import dev.vane.stats.GuardrailResult;
import dev.vane.stats.LatencyStats;
import dev.vane.stats.rollout.ArmFigures;
import dev.vane.stats.rollout.GuardrailVerdict;
import dev.vane.stats.rollout.RolloutController;
import dev.vane.stats.rollout.RolloutPlan;
import dev.vane.stats.rollout.RolloutState;
import dev.vane.stats.rollout.ShadowFigures;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives every experiment's rollout ({@code experiments[].rollout}): at each {@code analysisInterval} the instance
 * that holds the experiment's lease reads the figures (summed over every instance with Redis), asks the
 * {@link RolloutController} what to do, asks the {@code confirmPromotion} webhook before an advance or promotion,
 * saves the new state (fenced: a deposed leader cannot overwrite its successor), then makes the config match the
 * state through the control plane (a ramp, a promotion, the canary's removal: config versions with author
 * {@code rollout}), records the decision with its statistics in the rollout's history, the audit log and the
 * {@code events} webhook. Operators' commands (approve, abort, retry, pause, resume) are queued in the store and
 * applied by the leader at its next look.
 *
 * <p>A rollout's identity is its plan and its canary's endpoint: changing either starts it afresh.
 */
public final class RolloutDriver implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RolloutDriver.class);
  /** How often the driver checks whether an experiment's analysis is due. */
  static final long TICK_MILLIS = 100;
  private static final Principal ROLLOUT = new Principal("rollout", EnumSet.of(AdminSettings.Role.ADMIN), "none");
  /** The operator commands the API accepts. */
  public static final Set<String> COMMANDS = Set.of("approve", "abort", "retry", "pause", "resume");

  private final Vertx vertx;
  private final GatewayCore core;
  private final Supplier<ControlPlane> control;
  private final RolloutStore store;
  private final Clock clock;
  private final String owner = UUID.randomUUID().toString();
  private final Map<String, Instant> lastLook = new ConcurrentHashMap<>();
  private final Set<String> busy = ConcurrentHashMap.newKeySet();
  private final Map<String, Hooks> hooks = new ConcurrentHashMap<>();
  private final Map<String, String> lastReason = new ConcurrentHashMap<>();
  private final Set<String> leading = ConcurrentHashMap.newKeySet();
  /** The state this instance saved last, per experiment whose rollout it leads. */
  private final Map<String, RolloutState> saved = new ConcurrentHashMap<>();
  private volatile long timer = -1;
  private volatile boolean closed;

  private record Hooks(Analysis.Webhooks settings, Webhooks webhooks) {}

  RolloutDriver(Vertx vertx, GatewayCore core, Supplier<ControlPlane> control, RolloutStore store, Clock clock) {
    this.vertx = vertx;
    this.core = core;
    this.control = control;
    this.store = store;
    this.clock = clock;
  }

  /**
   * A driver for {@code cfg}'s state: rollouts in Redis when it is configured, else in memory and, with
   * {@code stateFile}, saved there.
   */
  public static RolloutDriver create(Vertx vertx, GatewayCore core, Supplier<ControlPlane> control, VaneConfig cfg,
      Path stateFile, Clock clock) {
    RolloutStore store = cfg.state().isRedis()
        ? new RedisRolloutStore(cfg.state().redis().uri(), Duration.ofSeconds(3))
        : new MemoryRolloutStore(stateFile);
    return new RolloutDriver(vertx, core, control, store, clock);
  }

  public String describe() {
    return store.describe();
  }

  /** Starts looking (every {@link #TICK_MILLIS} ms; each experiment at its own analysisInterval). */
  public synchronized void start() {
    if (timer < 0 && !closed) {
      timer = vertx.setPeriodic(TICK_MILLIS, id -> tick());
    }
  }

  /** The config whose experiments with a rollout section {@link #rolloutsOf} listed last (the timer's thread only). */
  private VaneConfig listedFor;
  private List<String> listed = List.of();

  /**
   * The ids of {@code cfg}'s experiments that declare a rollout, listed once per config: the tick runs on an event
   * loop ten times a second, and walking every experiment's analysis cost 0.2 ms a tick at 1,000 experiments.
   */
  private List<String> rolloutsOf(VaneConfig cfg) {
    if (cfg != listedFor) {
      List<String> ids = new ArrayList<>();
      for (Experiment e : cfg.routing().experiments().values()) {
        if (cfg.analysis(e.id()).rollout() != null) {
          ids.add(e.id());
        }
      }
      listed = List.copyOf(ids);
      listedFor = cfg;
    }
    return listed;
  }

  private void tick() {
    VaneConfig cfg = core.snapshot().config();
    Instant now = clock.instant();
    for (String id : rolloutsOf(cfg)) {
      if (closed) {
        return;
      }
      Instant last = lastLook.get(id);
      if (last != null && Duration.between(last, now).compareTo(cfg.analysis(id).rollout().analysisInterval()) < 0) {
        continue;
      }
      if (!busy.add(id)) {
        continue;
      }
      lastLook.put(id, now);
      look(id).whenComplete((v, t) -> {
        busy.remove(id);
        if (t != null) {
          log.warn("rollout of {}: analysis failed: {}", id, t.toString());
        }
      });
    }
  }

  /** The plan of an experiment's rollout section, in the controller's terms. */
  static RolloutPlan plan(Analysis analysis) {
    Analysis.Rollout r = analysis.rollout();
    List<RolloutPlan.Step> steps = new ArrayList<>();
    for (Analysis.Step s : r.steps()) {
      steps.add(new RolloutPlan.Step(s.percent(), s.minExposures(), s.minDuration()));
    }
    List<RolloutPlan.Guardrail> guardrails = new ArrayList<>();
    for (Analysis.Guardrail g : r.guardrails()) {
      if (g.metric().equals("errorRate")) {
        guardrails.add(RolloutPlan.Guardrail.errorRate(g.margin()));
      } else if (g.metric().equals("latency")) {
        guardrails.add(RolloutPlan.Guardrail.latency(g.margin()));
      } else {
        Analysis.Metric m = analysis.metric(g.metric());
        guardrails.add(new RolloutPlan.Guardrail(m.name(), m.binary() ? RolloutPlan.Guardrail.Kind.BINARY
            : RolloutPlan.Guardrail.Kind.CONTINUOUS, m.higherIsBetter(), g.margin()));
      }
    }
    Analysis.ShadowFirst sf = r.shadowFirst();
    return new RolloutPlan(steps, guardrails, r.srm(), r.alpha(), r.maxStepDuration(),
        r.rollbackInconclusive() ? RolloutPlan.OnInconclusive.ROLLBACK : RolloutPlan.OnInconclusive.HOLD,
        r.requireNonInferiority(),
        sf == null ? null : new RolloutPlan.ShadowGate(sf.minCompared(), sf.minAgreement(), sf.maxLatencyRatio()));
  }

  /** The plan's identity (a changed plan starts afresh; so does another canary endpoint, kept in the state). */
  static String identity(Analysis.Rollout r) {
    return dev.vane.gateway.configstore.ConfigVersion.hashOf(r.steps() + "|" + r.guardrails() + "|" + r.srm() + "|"
        + r.alpha() + "|" + r.shadowFirst() + "|" + r.maxStepDuration() + "|" + r.rollbackInconclusive() + "|"
        + r.requireNonInferiority()).substring(0, 16);
  }

  /**
   * Whether a saved state belongs to the rollout configured now: the same plan, and the same canary endpoint while
   * a canary is declared (after a promotion or a rollback there is none, and the finished state still applies).
   */
  static boolean sameRollout(JsonObject saved, Analysis.Rollout r, Arm canary) {
    return identity(r).equals(saved.getString("plan"))
        && (canary == null || canary.endpoint().equals(saved.getString("canary")));
  }

  private static Arm canary(Experiment e) {
    for (Arm a : e.arms()) {
      if (a.role() == Role.CANARY) {
        return a;
      }
    }
    return null;
  }

  /** One analysis of {@code id}'s rollout, if this instance leads it. */
  CompletionStage<Void> look(String id) {
    ControlPlane cp = control.get();
    VaneConfig cfg = core.snapshot().config();
    Experiment e = cfg.routing().experiment(id);
    Analysis analysis = cfg.analysis(id);
    if (cp == null || e == null || analysis.rollout() == null) {
      return CompletableFuture.completedFuture(null);
    }
    Analysis.Rollout r = analysis.rollout();
    Duration ttl = Duration.ofMillis(Math.max(1_000, 3 * r.analysisInterval().toMillis()));
    return store.lead(id, owner, ttl).thenCompose(fence -> {
      if (fence.isEmpty()) {
        leading.remove(id);
        saved.remove(id);
        return CompletableFuture.completedFuture(null);
      }
      leading.add(id);
      return store.state(id).thenCombine(store.takeCommands(id), (json, commands) -> new Object[] {json, commands})
          .thenCompose(x -> {
            @SuppressWarnings("unchecked")
            Optional<String> json = (Optional<String>) x[0];
            @SuppressWarnings("unchecked")
            List<String> commands = (List<String>) x[1];
            ExperimentCounters local = core.snapshot().counters().get(id);
            return core.figures().read(e, local).exceptionally(t -> local.localFigures())
                .thenCompose(f -> decide(cp, e, analysis, fence.get(), json, commands, f));
          });
    });
  }

  private CompletionStage<Void> decide(ControlPlane cp, Experiment e, Analysis analysis, long fence,
      Optional<String> json, List<String> commands, Figures.Experiment f) {
    String id = e.id();
    Analysis.Rollout r = analysis.rollout();
    Arm canary = canary(e);
    String identity = identity(r);
    String endpoint = canary != null ? canary.endpoint() : json.map(j -> new JsonObject(j).getString("canary"))
        .orElse(null);
    RolloutPlan plan = plan(analysis);
    RolloutController controller = new RolloutController(plan);
    Instant now = clock.instant();
    RolloutState state = null;
    if (json.isPresent()) {
      JsonObject o = new JsonObject(json.get());
      if (sameRollout(o, r, canary)) {
        state = RolloutStates.fromJson(o);
      }
    }
    List<JsonObject> events = new ArrayList<>();
    if (state == null) {
      if (canary == null) {
        return CompletableFuture.completedFuture(null); // nothing to roll out (yet, or any more)
      }
      state = RolloutState.start(plan, now);
      events.add(event(id, "started", "rollout started: " + plan.steps().size() + " steps, "
          + plan.guardrails().size() + " guardrail(s), alpha " + plan.alpha(), state, null));
    }
    ArmFigures champion = figures(f, e.control().id(), analysis);
    ArmFigures canaryFigures = canary == null ? ArmFigures.EMPTY : figures(f, canary.id(), analysis);
    ShadowFigures shadow = shadowFigures(f, e, canary, champion);
    dev.vane.stats.rollout.Analysis decision = null;
    for (String c : commands) {
      JsonObject cmd = new JsonObject(c);
      String name = cmd.getString("command");
      String by = cmd.getString("by", "operator");
      RolloutState before = state;
      switch (name) {
        case "approve" -> decision = controller.approve(state, champion, canaryFigures, now);
        case "abort" -> state = controller.abort(state, now);
        case "retry" -> state = canary == null ? state : controller.retry(state, now);
        case "pause" -> state = controller.pause(state, now);
        case "resume" -> state = controller.resume(state, now);
        default -> { }
      }
      String what = name.equals("retry") && canary == null
          ? "retry refused: the canary was removed; add it back to the config, then retry"
          : name + " by " + by + (cmd.getString("reason") == null ? "" : ": " + cmd.getString("reason"));
      events.add(event(id, "command", what, state, null));
      if (!state.equals(before) || name.equals("approve")) {
        audit(cp, id, "rollout." + name, by, what, null);
      }
    }
    if (decision == null && !splitApplied(state, plan, canary)) {
      // the config does not have this step's split yet (the first look, or a ramp still propagating): its figures
      // belong to another split, and judging them (the sample-ratio check above all) would be wrong
      decision = new dev.vane.stats.rollout.Analysis(dev.vane.stats.rollout.Analysis.Action.HOLD,
          "applying the step's split", List.of(), null, state);
    }
    if (decision == null) {
      decision = controller.analyze(state, champion, canaryFigures, shadow, now);
    }
    dev.vane.stats.rollout.Analysis d = decision;
    CompletionStage<Boolean> confirmed = CompletableFuture.completedFuture(true);
    boolean gated = d.action() == dev.vane.stats.rollout.Analysis.Action.ADVANCE
        || d.action() == dev.vane.stats.rollout.Analysis.Action.PROMOTE;
    Webhooks hooks = hooks(id, r.webhooks());
    if (gated && hooks != null) {
      confirmed = hooks.confirm(event(id, d.action().name().toLowerCase(), d.describe(), d.next(), d))
          .toCompletionStage();
    }
    RolloutState current = state;
    return confirmed.thenCompose(ok -> {
      RolloutState next = ok ? d.next() : current;
      String reason = ok ? d.describe() : "HOLD: confirmPromotion did not confirm " + d.action().name().toLowerCase()
          + " (" + d.describe() + ")";
      String action = ok ? d.action().name().toLowerCase() : "hold";
      return store.save(id, fence, RolloutStates.toJson(next, identity).put("canary", endpoint).encode())
          .thenCompose(saved -> {
        if (!saved) {
          log.info("rollout of {}: another instance leads it now; this one stops", id);
          this.saved.remove(id);
          return CompletableFuture.<Void>completedFuture(null);
        }
        this.saved.put(id, next);
        JsonObject decided = event(id, action, reason, next, ok ? d : null);
        boolean changed = !action.equals("hold");
        boolean newReason = !reason.equals(lastReason.put(id, reason));
        List<CompletionStage<?>> writes = new ArrayList<>();
        for (JsonObject ev : events) {
          writes.add(store.record(id, ev.encode()));
          emit(hooks, ev);
        }
        if (changed || newReason) {
          writes.add(store.record(id, decided.encode()));
          emit(hooks, decided);
        }
        if (changed) {
          log.info("rollout of {}: {}", id, reason);
        }
        return CompletableFuture.allOf(writes.stream().map(CompletionStage::toCompletableFuture)
                .toArray(CompletableFuture[]::new))
            .thenCompose(x -> reconcile(cp, e, plan, next, canary, reason, action))
            .thenAccept(version -> {
              if (changed) {
                audit(cp, id, "rollout." + action, "rollout", reason, version);
              }
            });
      });
    });
  }

  /** Whether the config serves the split {@code s} is in (the canary's percent of its step; 0 in the shadow stage). */
  private static boolean splitApplied(RolloutState s, RolloutPlan plan, Arm canary) {
    if (canary == null) {
      return true;
    }
    return switch (s.phase()) {
      case SHADOW -> canary.weightBps() == 0;
      case STEPPING -> canary.weightBps() == plan.steps().get(s.step()).percent() * 100;
      default -> true;
    };
  }

  /** Makes the config match the state: the step's percent, a promotion, or the canary's removal. */
  private CompletionStage<Long> reconcile(ControlPlane cp, Experiment e, RolloutPlan plan, RolloutState s, Arm canary,
      String reason, String action) {
    if (canary == null) {
      return CompletableFuture.completedFuture(null);
    }
    Function<String, Edit> edit = null;
    int percent = canary.weightBps() / 100;
    switch (s.phase()) {
      case SHADOW -> {
        if (canary.weightBps() != 0) {
          edit = doc -> ConfigEdits.ramp(doc, e.id(), 0);
        }
      }
      case STEPPING -> {
        int want = plan.steps().get(s.step()).percent();
        if (want == 100) {
          edit = doc -> ConfigEdits.promote(doc, e.id(), null);
        } else if (percent != want || canary.weightBps() % 100 != 0) {
          edit = doc -> ConfigEdits.ramp(doc, e.id(), want);
        }
      }
      case PROMOTED -> edit = doc -> ConfigEdits.promote(doc, e.id(), null);
      case ROLLED_BACK, ABORTED -> edit = doc -> ConfigEdits.rollback(doc, e.id());
      default -> { }
    }
    if (edit == null) {
      return CompletableFuture.completedFuture(null);
    }
    return cp.operate(edit, ROLLOUT, "vane", reason, "rollout." + action, e.id())
        .thenApply(w -> w.version().number());
  }

  private void audit(ControlPlane cp, String id, String action, String actor, String message, Long version) {
    cp.audit().append(new AuditEntry(null, clock.instant(), actor, "vane", action, id, version, 200, message, null))
        .exceptionally(t -> null);
  }

  private void emit(Webhooks hooks, JsonObject event) {
    if (hooks != null) {
      hooks.event(event);
    }
  }

  private Webhooks hooks(String id, Analysis.Webhooks settings) {
    if (settings == null || closed) {
      Hooks old = hooks.remove(id);
      if (old != null) {
        old.webhooks().close();
      }
      return null;
    }
    Hooks h = hooks.get(id);
    if (h != null && h.settings().equals(settings)) {
      return h.webhooks();
    }
    Webhooks w = new Webhooks(vertx, settings.confirmPromotion(), settings.events(), settings.secret(),
        settings.timeout(), 10_000);
    Hooks old = hooks.put(id, new Hooks(settings, w));
    if (old != null) {
      old.webhooks().close();
    }
    return w;
  }

  /** A decision as the history, the audit log and the events webhook show it. */
  private JsonObject event(String id, String type, String reason, RolloutState s,
      dev.vane.stats.rollout.Analysis analysis) {
    JsonObject o = new JsonObject()
        .put("type", "rollout." + type)
        .put("experiment", id)
        .put("time", clock.instant().toString())
        .put("reason", reason)
        .put("phase", s.phase().name().toLowerCase())
        .put("step", s.step())
        .put("paused", s.paused())
        .put("looks", s.looks());
    if (analysis != null) {
      JsonArray guardrails = new JsonArray();
      for (GuardrailVerdict v : analysis.guardrails()) {
        GuardrailResult g = v.result();
        guardrails.add(new JsonObject().put("metric", v.guardrail().metric())
            .put("verdict", g.verdict().name().toLowerCase()).put("estimate", finite(g.estimate()))
            .put("lower", finite(g.lower())).put("upper", finite(g.upper())).put("margin", g.margin())
            .put("alpha", g.alpha()).put("pValue", finite(g.pValue())).put("eValue", finite(g.eValue()))
            .put("championCount", g.championCount()).put("canaryCount", g.canaryCount()));
      }
      o.put("guardrails", guardrails);
      if (analysis.srm() != null) {
        o.put("srm", new JsonObject().put("pValue", finite(analysis.srm().pValue())));
      }
    }
    return o;
  }

  private static Double finite(double d) {
    return Double.isFinite(d) ? d : null;
  }

  /** One arm's figures of the current experiment version, as the controller takes them. */
  private static ArmFigures figures(Figures.Experiment f, String arm, Analysis analysis) {
    Figures.Arm a = f.arms().get(arm);
    if (a == null) {
      return ArmFigures.EMPTY;
    }
    Map<String, OutcomeCounters.Sums> sums = f.outcomes().pooled().getOrDefault(arm, Map.of());
    ResultsInput.ArmData d = ResultsInputs.armData(arm, a.exposures(), a.units(), a.requests(), a.status5xx(),
        a.latency(), sums, analysis);
    // the sample-ratio check counts independent assignments when the experiment made any (hashed without a
    // store makes none: then exposures)
    long anyAssigned = f.arms().values().stream().mapToLong(Figures.Arm::assigned).sum();
    return new ArmFigures(d.exposures(), anyAssigned > 0 ? a.assigned() : d.exposures(), d.requests(), d.errors(),
        d.latency() == null ? LatencyStats.empty() : LatencyStats.of(d.latency()), d.binary(), d.continuous());
  }

  /**
   * The shadow stage's figures: the shadow mirroring the canary's endpoint. Agreement is numeric agreement within
   * tolerance when outputs were numeric, else top-label agreement, else equal bodies; the latency ratio is the
   * shadow's mean latency over the champion's.
   */
  private static ShadowFigures shadowFigures(Figures.Experiment f, Experiment e, Arm canary, ArmFigures champion) {
    if (canary == null) {
      return null;
    }
    for (Shadow sh : e.shadows()) {
      if (!sh.endpoint().equals(canary.endpoint())) {
        continue;
      }
      Figures.Shadow s = f.shadows().get(sh.id());
      if (s == null) {
        return new ShadowFigures(0, 0, 0);
      }
      double agreement = s.numericCompared() > 0 ? (double) s.numericWithinTolerance() / s.numericCompared()
          : s.labelCompared() > 0 ? (double) s.labelEqual() / s.labelCompared()
          : s.compared() > 0 ? (double) s.bodyEqual() / s.compared() : 0;
      double championMean = f.arms().get(e.control().id()).latency().getMean();
      double ratio = championMean > 0 && s.latency().getTotalCount() > 0 ? s.latency().getMean() / championMean : 0;
      return new ShadowFigures(s.compared(), agreement, ratio);
    }
    return new ShadowFigures(0, 0, 0);
  }

  /**
   * The rollout states this instance saved at its last look, for the experiments whose rollout it leads (other
   * instances' are not here: metrics report a rollout from its leader only). Read without waiting on the store.
   */
  public Map<String, RolloutState> ledStates() {
    Set<String> now = core.snapshot().config().routing().experiments().keySet();
    Map<String, RolloutState> out = new java.util.TreeMap<>();
    saved.forEach((id, s) -> {
      if (now.contains(id) && leading.contains(id)) {
        out.put(id, s);
      }
    });
    return out;
  }

  /** Whether the config now serving declares a rollout for experiment {@code id}. */
  public boolean configured(String id) {
    VaneConfig cfg = core.snapshot().config();
    return cfg.routing().experiment(id) != null && cfg.analysis(id).rollout() != null;
  }

  /** Whether this instance drove {@code id}'s rollout at its last look. */
  public boolean leads(String id) {
    return leading.contains(id);
  }

  /** The rollout of {@code id} as the API shows it: plan, state and the newest decisions. */
  public CompletionStage<Optional<JsonObject>> status(String id, int limit) {
    VaneConfig cfg = core.snapshot().config();
    Experiment e = cfg.routing().experiment(id);
    if (e == null) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    Analysis.Rollout r = cfg.analysis(id).rollout();
    Arm canary = canary(e);
    return store.state(id).thenCombine(store.history(id, limit), (json, history) -> {
      JsonObject out = new JsonObject().put("experiment", id).put("store", store.describe())
          .put("drivenHere", leading.contains(id))
          .put("configured", configured(id))
          .put("canaryPercent", canary == null ? null : canary.weightBps() / 100.0);
      if (r != null) {
        JsonArray steps = new JsonArray();
        r.steps().forEach(s -> steps.add(new JsonObject().put("percent", s.percent())
            .put("minExposures", s.minExposures()).put("minDuration", s.minDuration().toString())));
        JsonArray guardrails = new JsonArray();
        r.guardrails().forEach(g -> guardrails.add(new JsonObject().put("metric", g.metric())
            .put("margin", g.margin())));
        out.put("plan", new JsonObject().put("steps", steps).put("guardrails", guardrails).put("srm", r.srm())
            .put("alpha", r.alpha()).put("analysisInterval", r.analysisInterval().toString()));
      }
      if (json.isPresent()) {
        JsonObject s = new JsonObject(json.get());
        boolean current = r != null && sameRollout(s, r, canary);
        out.put("state", new JsonObject().put("phase", s.getString("phase").toLowerCase()).put("step", s.getInteger("step"))
            .put("stepStartedAt", s.getString("stepStartedAt")).put("looks", s.getLong("looks"))
            .put("paused", s.getBoolean("paused")).put("current", current));
      }
      JsonArray h = new JsonArray();
      history.forEach(x -> h.add(new JsonObject(x)));
      return Optional.of(out.put("history", h));
    });
  }

  /**
   * Queues an operator's command for the leader: applied at its next analysis (within {@code analysisInterval},
   * at once on a single instance's next tick).
   */
  public CompletionStage<Void> command(String id, String command, String by, String reason) {
    lastLook.remove(id); // look again at the next tick
    return store.command(id, new JsonObject().put("command", command).put("by", by).put("reason", reason)
        .put("at", clock.instant().toString()).encode());
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    hooks.values().forEach(h -> h.webhooks().close());
    hooks.clear();
    store.close();
  }
}

package dev.vane.gateway.bandit;

import dev.vane.config.Analysis;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.FigureSource;
import dev.vane.gateway.counters.Figures;
import dev.vane.gateway.counters.OutcomeCounters;
import dev.vane.gateway.results.ResultsInput;
import dev.vane.router.Arm;
import dev.vane.router.AssignmentStrategy;
import dev.vane.router.Experiment;
import dev.vane.router.GrowthBookHash;
import dev.vane.router.Policy;
import dev.vane.stats.BinaryStats;
import dev.vane.stats.ContinuousStats;
import dev.vane.stats.ThompsonConfig;
import dev.vane.stats.ThompsonSampler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thompson sampling as an assignment strategy ({@code policy: thompson}). Each decision reads an immutable
 * posterior snapshot and draws from it with the caller's random source: no I/O, no locks. {@link #refresh} rebuilds
 * the snapshots from the experiment's figures (summed over instances when Redis is configured) off the request path.
 *
 * <p>Posterior: Bernoulli arms for a binary primary metric, Beta(priorAlpha + successes, priorBeta + exposures -
 * successes), successes being positive feedback events; Gaussian arms for a continuous one, from count, mean and
 * variance of the feedback values. Until the experiment has {@code warmup} exposures, and while no snapshot exists,
 * arms are chosen uniformly. Coverage applies as for hash splits: units outside it get no arm (the control).
 */
public final class BanditStrategy implements AssignmentStrategy {
  private static final Logger log = LoggerFactory.getLogger(BanditStrategy.class);

  /** A posterior snapshot of one experiment version. */
  record Posterior(String version, ThompsonSampler sampler, boolean warmingUp, ResultsInput.BanditView view) {}

  private final Map<String, Posterior> posteriors = new ConcurrentHashMap<>();

  @Override
  public Arm choose(Experiment e, String unit, RandomGenerator random) {
    List<Arm> arms = e.arms();
    if (e.coverageBps() < 10_000) {
      int bucket = unit != null ? GrowthBookHash.bucketV2(e.salt(), unit) : random.nextInt(10_000);
      if (bucket >= e.coverageBps()) {
        return null;
      }
    }
    Posterior p = posteriors.get(e.id());
    if (p == null || p.warmingUp() || !p.version().equals(e.version())) {
      return arms.get(random.nextInt(arms.size()));
    }
    return arms.get(p.sampler().choose(random));
  }

  /** The bandit state for results, or null when none was built yet. */
  public ResultsInput.BanditView view(Experiment e) {
    Posterior p = posteriors.get(e.id());
    return p == null || !p.version().equals(e.version()) ? null : p.view();
  }

  /** Rebuilds every Thompson experiment's posterior from its figures; completes when all are published. */
  public CompletionStage<Void> refresh(VaneConfig cfg, Map<String, ExperimentCounters> stats, FigureSource figures) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (Experiment e : cfg.routing().experiments().values()) {
      if (e.policy() != Policy.THOMPSON) {
        continue;
      }
      Analysis analysis = cfg.analysis(e.id());
      ExperimentCounters local = stats.get(e.id());
      all.add(figures.read(e, local).exceptionally(t -> local.localFigures()).thenAccept(f -> {
        try {
          posteriors.put(e.id(), build(e, analysis, f));
        } catch (RuntimeException ex) {
          log.warn("bandit {}: posterior not rebuilt: {}", e.id(), ex.toString());
        }
      }).toCompletableFuture());
    }
    posteriors.keySet().retainAll(cfg.routing().experiments().keySet());
    return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]));
  }

  static Posterior build(Experiment e, Analysis analysis, Figures.Experiment f) {
    Analysis.Metric metric = analysis.primary();
    Analysis.Bandit b = analysis.bandit();
    int k = e.arms().size();
    ThompsonConfig tc = ThompsonConfig.defaults()
        .withExplorationFloor(Math.min(b.minExplorationPercent() / 100.0, 1.0 / k))
        .withBetaPrior(b.priorAlpha(), b.priorBeta());
    if (b.topTwo()) {
      tc = tc.withTopTwo(0.5);
    }
    long exposures = 0;
    ThompsonSampler sampler;
    Map<String, double[]> posterior = new LinkedHashMap<>();
    if (metric.binary()) {
      BinaryStats[] batch = new BinaryStats[k];
      for (int i = 0; i < k; i++) {
        String arm = e.arms().get(i).id();
        long n = f.arms().get(arm).exposures();
        OutcomeCounters.Sums s = f.outcomes().pooled().getOrDefault(arm, Map.of()).getOrDefault(metric.name(),
            OutcomeCounters.Sums.ZERO);
        long successes = Math.min(n, s.n());
        batch[i] = BinaryStats.of(n, successes);
        exposures += n;
        posterior.put(arm, new double[] {tc.priorAlpha() + successes, tc.priorBeta() + n - successes});
      }
      sampler = ThompsonSampler.bernoulli(k, tc).withBatch(batch);
    } else {
      ContinuousStats[] batch = new ContinuousStats[k];
      for (int i = 0; i < k; i++) {
        String arm = e.arms().get(i).id();
        OutcomeCounters.Sums s = f.outcomes().pooled().getOrDefault(arm, Map.of()).getOrDefault(metric.name(),
            OutcomeCounters.Sums.ZERO);
        batch[i] = s.n() == 0 ? ContinuousStats.EMPTY : ContinuousStats.fromSums(s.n(), s.sum(), s.sumSq());
        exposures += f.arms().get(arm).exposures();
      }
      sampler = ThompsonSampler.gaussian(k, tc).withBatch(batch);
      for (int i = 0; i < k; i++) {
        ContinuousStats c = batch[i];
        double sdOfMean = c.count() > 1 ? Math.sqrt(c.m2() / (c.count() - 1) / c.count()) : Double.NaN;
        posterior.put(e.arms().get(i).id(), new double[] {sampler.posteriorMean(i), sdOfMean});
      }
    }
    boolean warming = exposures < b.warmup();
    Map<String, Double> allocation = new LinkedHashMap<>();
    if (warming) {
      for (Arm a : e.arms()) {
        allocation.put(a.id(), 1.0 / k);
      }
    } else {
      double[] alloc = sampler.allocation(new SplittableRandom(e.version().hashCode()), 20_000);
      for (int i = 0; i < k; i++) {
        allocation.put(e.arms().get(i).id(), alloc[i]);
      }
    }
    ResultsInput.BanditView view = new ResultsInput.BanditView(metric.binary() ? "bernoulli" : "gaussian",
        metric.name(), posterior, allocation, warming);
    return new Posterior(e.version(), sampler, warming, view);
  }
}

package dev.vane.stats.rollout;

import dev.vane.stats.BinaryStats;
import dev.vane.stats.LatencyStats;
import dev.vane.stats.rollout.Analysis.Action;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;

/**
 * Seeded rollout simulation: a simulated clock, synthetic traffic split by the current step's percent, per-request
 * error (Bernoulli), log-normal latency recorded into an HdrHistogram, and a binary guardrail metric per exposure
 * (one request = one exposure). A {@link Policy} looks every {@code interval} and decides. Runs are independent and
 * seeded by index, so results do not depend on thread scheduling; two policies given the same seed see the same
 * request stream for as long as they are at the same step.
 */
final class RolloutSimulator {
    /** Latency unit of the simulated histograms: 0.1 ms, so values stay in HdrHistogram's exact range. */
    static final double LATENCY_UNITS_PER_MS = 10;

    /**
     * Arm behaviour.
     *
     * @param championError champion error probability per request
     * @param canaryError canary error probability per request
     * @param medianMs champion median latency (ms); log-normal with {@code sigma}
     * @param sigma sd of ln(latency)
     * @param canaryLatencyFactor canary latency = champion's distribution times this
     * @param championMetric champion conversion probability of the guardrail metric
     * @param canaryMetric canary conversion probability
     */
    record Scenario(String name, double championError, double canaryError, double medianMs, double sigma,
                    double canaryLatencyFactor, double championMetric, double canaryMetric) {
        static Scenario aa() {
            return new Scenario("A/A", 0.01, 0.01, 100, 0.5, 1.0, 0.10, 0.10);
        }

        Scenario named(String n) {
            return new Scenario(n, championError, canaryError, medianMs, sigma, canaryLatencyFactor,
                    championMetric, canaryMetric);
        }

        Scenario withCanary(double error, double latencyFactor, double metric) {
            return new Scenario(name, championError, error, medianMs, sigma, latencyFactor, championMetric, metric);
        }
    }

    /** Traffic shape: requests per second, the analysis interval and the longest simulated rollout. */
    record Traffic(double requestsPerSecond, Duration interval, Duration horizon) {}

    /** What one arm did in a span (a window between looks, or a whole step). */
    static final class Counts {
        long requests;
        long errors;
        double latencySum;
        long conversions;

        void add(boolean error, long latency, boolean converted) {
            requests++;
            errors += error ? 1 : 0;
            latencySum += latency;
            conversions += converted ? 1 : 0;
        }

        void clear() {
            requests = 0;
            errors = 0;
            latencySum = 0;
            conversions = 0;
        }
    }

    /** What a policy sees at a look: the step's figures per arm (histograms built on demand) and the last window. */
    static final class Look {
        int step;
        Instant now;
        final Counts championStep = new Counts();
        final Counts canaryStep = new Counts();
        final Counts championWindow = new Counts();
        final Counts canaryWindow = new Counts();
        Histogram championLatency = new Histogram(3);
        Histogram canaryLatency = new Histogram(3);

        ArmFigures champion() {
            return figures(championStep, championLatency);
        }

        ArmFigures canary() {
            return figures(canaryStep, canaryLatency);
        }

        private static ArmFigures figures(Counts c, Histogram h) {
            return new ArmFigures(c.requests, c.requests, c.errors, LatencyStats.of(h),
                    Map.of("conversion", BinaryStats.of(c.requests, c.conversions)), Map.of());
        }

        void newStep() {
            championStep.clear();
            canaryStep.clear();
            championLatency = new Histogram(3);
            canaryLatency = new Histogram(3);
        }
    }

    /** A decision rule looked at every interval; one instance per run. */
    interface Policy {
        /** ADVANCE and PROMOTE move on, ROLLBACK stops, anything else holds. */
        Action decide(Look look);

        /** True when the last ROLLBACK came from the sample-ratio check. */
        default boolean lastRollbackWasSrm() {
            return false;
        }
    }

    /** How one run ended. */
    record Outcome(Action end, long canaryExposures, Duration elapsed, boolean srm) {}

    private final RolloutPlan plan;
    private final Traffic traffic;

    RolloutSimulator(RolloutPlan plan, Traffic traffic) {
        this.plan = plan;
        this.traffic = traffic;
    }

    /** One seeded rollout; {@code end} is PROMOTE, ROLLBACK, or HOLD when the horizon passed first. */
    Outcome run(Scenario sc, Policy policy, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Look look = new Look();
        Instant start = Instant.EPOCH;
        look.now = start;
        long perWindow = Math.round(traffic.requestsPerSecond() * traffic.interval().toSeconds());
        double mu = Math.log(sc.medianMs() * LATENCY_UNITS_PER_MS);
        long canaryTotal = 0;
        while (look.now.isBefore(start.plus(traffic.horizon()))) {
            double share = plan.steps().get(look.step).percent() / 100.0;
            look.championWindow.clear();
            look.canaryWindow.clear();
            for (long i = 0; i < perWindow; i++) {
                boolean canary = rng.nextDouble() < share;
                double z = rng.nextGaussian();
                if (canary) {
                    long latency = Math.max(1, Math.round(Math.exp(mu + sc.sigma() * z) * sc.canaryLatencyFactor()));
                    boolean error = rng.nextDouble() < sc.canaryError();
                    boolean converted = rng.nextDouble() < sc.canaryMetric();
                    look.canaryStep.add(error, latency, converted);
                    look.canaryWindow.add(error, latency, converted);
                    look.canaryLatency.recordValue(latency);
                    canaryTotal++;
                } else {
                    long latency = Math.max(1, Math.round(Math.exp(mu + sc.sigma() * z)));
                    boolean error = rng.nextDouble() < sc.championError();
                    boolean converted = rng.nextDouble() < sc.championMetric();
                    look.championStep.add(error, latency, converted);
                    look.championWindow.add(error, latency, converted);
                    look.championLatency.recordValue(latency);
                }
            }
            look.now = look.now.plus(traffic.interval());
            Action a = policy.decide(look);
            Duration elapsed = Duration.between(start, look.now);
            if (a == Action.ROLLBACK || a == Action.PROMOTE) {
                return new Outcome(a, canaryTotal, elapsed, a == Action.ROLLBACK && policy.lastRollbackWasSrm());
            }
            if (a == Action.ADVANCE) {
                look.step++;
                look.newStep();
            }
        }
        return new Outcome(Action.HOLD, canaryTotal, traffic.horizon(), false);
    }

    /** {@code runs} rollouts with seeds {@code seed + i}, in parallel; outcomes in seed order. */
    List<Outcome> runMany(Scenario sc, Supplier<Policy> policies, int runs, long seed) {
        return IntStream.range(0, runs).parallel().mapToObj(i -> run(sc, policies.get(), seed + i)).toList();
    }

    /** The real controller as a policy. */
    Policy controller() {
        RolloutController controller = new RolloutController(plan);
        return new Policy() {
            RolloutState state = RolloutState.start(plan, Instant.EPOCH);
            boolean srm;

            @Override
            public Action decide(Look look) {
                Analysis a = controller.analyze(state, look.champion(), look.canary(), null, look.now);
                state = a.next();
                srm = a.action() == Action.ROLLBACK && a.srm() != null && a.srm().mismatch()
                        && a.guardrails().stream().noneMatch(g -> g.result().verdict()
                        == dev.vane.stats.GuardrailResult.Verdict.HARM);
                return a.action();
            }

            @Override
            public boolean lastRollbackWasSrm() {
                return srm;
            }
        };
    }

    /**
     * A Flagger-style policy: at each look, each guardrail's point estimate over the last interval ({@code
     * cumulative = false}, as Flagger's metric queries over {@code interval}) or over the step so far ({@code true})
     * is compared with the champion's times (1 +/- margin); a look where any check fails counts one failed check;
     * {@code threshold} failed checks in the rollout roll back. Advances on the same step minimums.
     * Guardrails: error rate (lower is better), mean latency (lower), the binary metric "conversion" (higher).
     */
    Policy flagger(int threshold, boolean cumulative) {
        return new Policy() {
            int failed;
            Instant stepStart = Instant.EPOCH;

            @Override
            public Action decide(Look look) {
                Counts c = cumulative ? look.championStep : look.championWindow;
                Counts t = cumulative ? look.canaryStep : look.canaryWindow;
                boolean fail = false;
                if (c.requests > 0 && t.requests > 0) {
                    for (RolloutPlan.Guardrail g : plan.guardrails()) {
                        double m = g.margin();
                        fail |= switch (g.kind()) {
                            case ERROR_RATE -> (double) t.errors / t.requests
                                    > (double) c.errors / c.requests * (1 + m);
                            case LATENCY -> t.latencySum / t.requests > c.latencySum / c.requests * (1 + m);
                            case BINARY -> (double) t.conversions / t.requests
                                    < (double) c.conversions / c.requests * (1 - m);
                            case CONTINUOUS -> false;
                        };
                    }
                }
                if (fail && ++failed >= threshold) {
                    return Action.ROLLBACK;
                }
                RolloutPlan.Step step = plan.steps().get(look.step);
                if (look.canaryStep.requests >= step.minExposures()
                        && Duration.between(stepStart, look.now).compareTo(step.minDuration()) >= 0) {
                    stepStart = look.now;
                    return look.step + 1 == plan.steps().size() - 1 ? Action.PROMOTE : Action.ADVANCE;
                }
                return Action.HOLD;
            }
        };
    }

    /** Summary of many runs. */
    record Summary(int runs, long rolledBack, long promoted, long held, long srmRollbacks,
                   double medianCanaryExposuresAtRollback, double medianMinutesToRollback) {
        static Summary of(List<Outcome> outcomes) {
            long[] exposures = outcomes.stream().filter(o -> o.end() == Action.ROLLBACK)
                    .mapToLong(Outcome::canaryExposures).sorted().toArray();
            double[] minutes = outcomes.stream().filter(o -> o.end() == Action.ROLLBACK)
                    .mapToDouble(o -> o.elapsed().toSeconds() / 60.0).sorted().toArray();
            return new Summary(outcomes.size(), exposures.length,
                    outcomes.stream().filter(o -> o.end() == Action.PROMOTE).count(),
                    outcomes.stream().filter(o -> o.end() == Action.HOLD).count(),
                    outcomes.stream().filter(Outcome::srm).count(),
                    median(Arrays.stream(exposures).asDoubleStream().toArray()), median(minutes));
        }

        double rollbackRate() {
            return (double) rolledBack / runs;
        }

        double promotionRate() {
            return (double) promoted / runs;
        }

        private static double median(double[] sorted) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int m = sorted.length / 2;
            return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
        }
    }
}

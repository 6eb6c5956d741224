package dev.vane.stats.rollout;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.stats.rollout.RolloutPlan.Guardrail;
import dev.vane.stats.rollout.RolloutPlan.Step;
import dev.vane.stats.rollout.RolloutSimulator.Scenario;
import dev.vane.stats.rollout.RolloutSimulator.Summary;
import dev.vane.stats.rollout.RolloutSimulator.Traffic;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real controller and statistics on simulated traffic (see {@link RolloutSimulator}): 50 requests/s, an
 * analysis every 30 s, steps 5 % (400 canary exposures, 3 min), 25 % (1,500, 5 min), 50 % (10 min), 100 %;
 * guardrails error rate (margin 20 %), latency (10 %), binary metric "conversion" (higher is better, 5 %); SRM on;
 * alpha 0.05. Champion: 1 % errors, log-normal latency (median 100 ms, sigma 0.5), 10 % conversion. Prints the
 * markdown table that stats/README shows under "Rollout guardrails".
 */
class RolloutSimulationTest {
    static final RolloutPlan PLAN = new RolloutPlan(
            List.of(new Step(5, 400, Duration.ofMinutes(3)), new Step(25, 1500, Duration.ofMinutes(5)),
                    new Step(50, 0, Duration.ofMinutes(10)), new Step(100, 0, Duration.ZERO)),
            List.of(Guardrail.errorRate(0.2), Guardrail.latency(0.1),
                    new Guardrail("conversion", Guardrail.Kind.BINARY, true, 0.05)),
            true, 0.05, Duration.ofMinutes(30), RolloutPlan.OnInconclusive.HOLD, false, null);
    static final Traffic TRAFFIC = new Traffic(50, Duration.ofSeconds(30), Duration.ofHours(2));
    static final RolloutSimulator SIM = new RolloutSimulator(PLAN, TRAFFIC);

    static final int AA_RUNS = 1000;
    static final int RUNS = 200;
    static final Scenario AA = Scenario.aa();
    static final Scenario ERRORS = AA.named("error rate 2% vs 1%").withCanary(0.02, 1.0, 0.10);
    static final Scenario LATENCY = AA.named("latency +30%").withCanary(0.01, 1.3, 0.10);
    static final Scenario METRIC = AA.named("conversion 20% worse (8% vs 10%)").withCanary(0.01, 1.0, 0.08);
    static final Scenario GOOD = AA.named("good canary (0.9% errors, -5% latency, 10.2%)")
            .withCanary(0.009, 0.95, 0.102);

    static final Map<Scenario, Summary[]> RESULTS = new LinkedHashMap<>();

    @BeforeAll
    static void simulate() {
        for (Scenario sc : List.of(AA, ERRORS, LATENCY, METRIC, GOOD)) {
            int runs = sc == AA ? AA_RUNS : RUNS;
            long seed = 1_000_000L * (RESULTS.size() + 1);
            RESULTS.put(sc, new Summary[] {
                    Summary.of(SIM.runMany(sc, SIM::controller, runs, seed)),
                    Summary.of(SIM.runMany(sc, () -> SIM.flagger(3, false), runs, seed)),
                    Summary.of(SIM.runMany(sc, () -> SIM.flagger(3, true), runs, seed))});
        }
        System.out.println(table());
    }

    static String table() {
        StringBuilder b = new StringBuilder();
        b.append("| scenario | runs | Vane: rolled back | promoted | median canary exposures (min) at rollback"
                + " | Flagger N=3, 30 s window: rolled back | median exposures | Flagger N=3, step so far:"
                + " rolled back | median exposures |\n");
        b.append("|---|---|---|---|---|---|---|---|---|\n");
        RESULTS.forEach((sc, s) -> b.append(String.format(Locale.ROOT,
                "| %s | %d | %s | %s | %s | %s | %s | %s | %s |%n", sc.name(), s[0].runs(), rate(s[0].rollbackRate()),
                rate(s[0].promotionRate()), delay(s[0]), rate(s[1].rollbackRate()), delay(s[1]),
                rate(s[2].rollbackRate()), delay(s[2]))));
        Summary aa = RESULTS.get(AA)[0];
        b.append(String.format(Locale.ROOT, "%nA/A: %d of %d rollbacks came from the SRM check (p < 0.001 per look).%n",
                aa.srmRollbacks(), aa.runs()));
        return b.toString();
    }

    private static String rate(double r) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * r);
    }

    private static String delay(Summary s) {
        return Double.isNaN(s.medianCanaryExposuresAtRollback()) ? "-"
                : String.format(Locale.ROOT, "%.0f (%.1f)", s.medianCanaryExposuresAtRollback(),
                        s.medianMinutesToRollback());
    }

    @Test
    void aaRolloutsRollBackAtMostAlphaWithinSamplingError() {
        // binomial bound: alpha + 3 sd of a rate estimated from 1,000 runs = 0.05 + 3 sqrt(0.05 * 0.95 / 1000)
        double bound = 0.05 + 3 * Math.sqrt(0.05 * 0.95 / AA_RUNS);
        Summary s = RESULTS.get(AA)[0];
        assertTrue(s.rollbackRate() <= bound, () -> "A/A false rollbacks " + s.rollbackRate() + " > " + bound);
    }

    @Test
    void doubledErrorRateIsRolledBack() {
        assertRolledBack(ERRORS);
    }

    @Test
    void thirtyPercentSlowerLatencyIsRolledBack() {
        assertRolledBack(LATENCY);
    }

    @Test
    void twentyPercentWorseGuardrailMetricIsRolledBack() {
        assertRolledBack(METRIC);
    }

    @Test
    void goodCanaryIsPromoted() {
        Summary s = RESULTS.get(GOOD)[0];
        assertTrue(s.promotionRate() >= 0.95, () -> "promoted " + s.promotionRate());
    }

    @Test
    void flaggerStyleThresholdsRollBackHarmlessCanariesFarMoreOften() {
        assertTrue(RESULTS.get(AA)[1].rollbackRate() > 4 * RESULTS.get(AA)[0].rollbackRate() + 0.05);
    }

    private static void assertRolledBack(Scenario sc) {
        Summary s = RESULTS.get(sc)[0];
        assertTrue(s.rollbackRate() >= 0.95, () -> sc.name() + ": rolled back " + s.rollbackRate());
    }
}

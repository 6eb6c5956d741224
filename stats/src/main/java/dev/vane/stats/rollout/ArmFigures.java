package dev.vane.stats.rollout;

import dev.vane.stats.BinaryStats;
import dev.vane.stats.ContinuousStats;
import dev.vane.stats.Guardrails;
import dev.vane.stats.LatencyStats;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BinaryOperator;

/**
 * One arm's figures for the CURRENT step only: the gateway's figures restart with every step, because each ramp is
 * a new experiment version.
 *
 * @param exposures exposures of the arm in this step
 * @param assigned independent assignments to the arm in this step: units newly assigned plus exposures without a
 *                 unit id (the sample-ratio check counts these: a returning unit's requests are not independent draws)
 * @param requests requests served by the arm in this step
 * @param errors failed requests among them, {@code <= requests}
 * @param latency latency histogram of those requests
 * @param binary declared binary metrics per exposure, by name
 * @param continuous declared continuous metrics per exposure, by name
 */
public record ArmFigures(long exposures, long assigned, long requests, long errors, LatencyStats latency,
                         Map<String, BinaryStats> binary, Map<String, ContinuousStats> continuous) {
    /** Nothing yet. */
    public static final ArmFigures EMPTY = new ArmFigures(0, 0, 0, LatencyStats.empty(), Map.of(), Map.of());

    /** Figures whose every exposure was an independent assignment ({@code assigned = exposures}). */
    public ArmFigures(long exposures, long requests, long errors, LatencyStats latency,
                      Map<String, BinaryStats> binary, Map<String, ContinuousStats> continuous) {
        this(exposures, exposures, requests, errors, latency, binary, continuous);
    }

    public ArmFigures {
        if (exposures < 0) {
            throw new IllegalArgumentException("exposures: " + exposures + " (expected: >= 0)");
        }
        if (assigned < 0) {
            throw new IllegalArgumentException("assigned: " + assigned + " (expected: >= 0)");
        }
        if (errors < 0 || errors > requests) {
            throw new IllegalArgumentException("errors: " + errors + " (expected: >= 0 and <= requests " + requests + ")");
        }
        if (latency == null) {
            throw new IllegalArgumentException("latency: null (expected: non-null)");
        }
        binary = Map.copyOf(binary);
        continuous = Map.copyOf(continuous);
    }

    /** Both sets of figures together (counts add, histograms and metrics merge). */
    public ArmFigures plus(ArmFigures other) {
        return new ArmFigures(exposures + other.exposures, assigned + other.assigned, requests + other.requests,
                errors + other.errors,
                latency.merge(other.latency), merge(binary, other.binary, BinaryStats::merge),
                merge(continuous, other.continuous, ContinuousStats::merge));
    }

    /** The cumulative summary the guardrails read: one pass over the latency histogram. */
    public ArmTotals totals() {
        return new ArmTotals(exposures, BinaryStats.of(requests, errors), Guardrails.logMoments(latency), binary,
                continuous);
    }

    static <V> Map<String, V> merge(Map<String, V> a, Map<String, V> b, BinaryOperator<V> op) {
        if (b.isEmpty()) {
            return a;
        }
        if (a.isEmpty()) {
            return b;
        }
        Map<String, V> out = new HashMap<>(a);
        b.forEach((k, v) -> out.merge(k, v, op));
        return out;
    }
}

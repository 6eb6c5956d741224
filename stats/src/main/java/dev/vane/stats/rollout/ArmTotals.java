package dev.vane.stats.rollout;

import dev.vane.stats.BinaryStats;
import dev.vane.stats.ContinuousStats;
import java.util.Map;

/**
 * One arm's mergeable sufficient statistics over several steps: what the guardrails need, without histograms, so
 * a look costs one pass over the current step's histogram and a few additions.
 *
 * @param exposures units assigned
 * @param errors errors out of requests ({@code exposures()} of it = requests, {@code successes()} = errors)
 * @param logLatency count, mean and second moment of ln(latency) ({@link dev.vane.stats.Guardrails#logMoments})
 * @param binary declared binary metrics by name
 * @param continuous declared continuous metrics by name
 */
public record ArmTotals(long exposures, BinaryStats errors, ContinuousStats logLatency,
                        Map<String, BinaryStats> binary, Map<String, ContinuousStats> continuous) {
    /** Nothing yet. */
    public static final ArmTotals EMPTY = new ArmTotals(0, BinaryStats.EMPTY, ContinuousStats.EMPTY, Map.of(),
            Map.of());

    public ArmTotals {
        binary = Map.copyOf(binary);
        continuous = Map.copyOf(continuous);
    }

    /** Both together. */
    public ArmTotals merge(ArmTotals other) {
        return new ArmTotals(exposures + other.exposures, errors.merge(other.errors),
                logLatency.merge(other.logLatency), ArmFigures.merge(binary, other.binary, BinaryStats::merge),
                ArmFigures.merge(continuous, other.continuous, ContinuousStats::merge));
    }
}

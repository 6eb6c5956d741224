package dev.vane.stats.rollout;

/**
 * Figures of the shadow stage so far.
 *
 * @param compared mirrored requests whose canary and champion answers were compared
 * @param agreement share of those comparisons that agreed, 0..1 (0 when compared == 0)
 * @param latencyRatio canary latency / champion latency over the compared requests (e.g. ratio of medians)
 */
public record ShadowFigures(long compared, double agreement, double latencyRatio) {
    public ShadowFigures {
        if (compared < 0) {
            throw new IllegalArgumentException("compared: " + compared + " (expected: >= 0)");
        }
    }
}

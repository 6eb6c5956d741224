package dev.vane.stats.rollout;

import dev.vane.stats.GuardrailResult;

/**
 * A guardrail's result at one analysis.
 *
 * @param guardrail the plan's guardrail
 * @param result verdict, relative harm estimate, one-sided bounds, alpha, always-valid p-value and e-value, counts
 */
public record GuardrailVerdict(RolloutPlan.Guardrail guardrail, GuardrailResult result) {
    /** E.g. {@code errorRate HARM: harm +95.1% [+31.2%, +182%] vs margin 20.0%, p=0.00120, n=9000/500}. */
    public String describe() {
        return guardrail.metric() + " " + result.describe();
    }

    @Override
    public String toString() {
        return describe();
    }
}

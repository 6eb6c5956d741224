package dev.vane.stats.rollout;

import dev.vane.stats.SrmResult;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One decision of a {@link RolloutController}, with the statistics behind it.
 *
 * @param action what to do now
 * @param reason why, in words an operator can read
 * @param guardrails every guardrail's verdict at this analysis (empty in the shadow stage and finished phases)
 * @param srm the sample-ratio check of the current step, or null when not run (plan without SRM, shadow stage)
 * @param next the state to persist
 */
public record Analysis(Action action, String reason, List<GuardrailVerdict> guardrails, SrmResult srm,
                       RolloutState next) {
    /** What the gateway should do. */
    public enum Action {
        /** Keep the current split. */
        HOLD,
        /** Move to {@code next.step()}'s percent. */
        ADVANCE,
        /** Send all traffic to the canary; the rollout is over. */
        PROMOTE,
        /** Send all traffic to the champion; the rollout is over. */
        ROLLBACK,
        /** Leave the shadow stage: the canary gets the first step's percent. */
        START_CANARY
    }

    public Analysis {
        guardrails = List.copyOf(guardrails);
    }

    /** One line: action, reason, then each guardrail and the SRM p-value. */
    public String describe() {
        StringBuilder b = new StringBuilder(action.name()).append(": ").append(reason);
        if (!guardrails.isEmpty()) {
            b.append(" | ").append(guardrails.stream().map(GuardrailVerdict::describe)
                    .collect(Collectors.joining("; ")));
        }
        if (srm != null) {
            b.append(String.format(Locale.ROOT, " | srm p=%.3g", srm.pValue()));
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}

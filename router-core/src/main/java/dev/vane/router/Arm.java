package dev.vane.router;

import java.util.Objects;

/**
 * One servable arm of an experiment.
 *
 * @param id        arm id, unique in its experiment (e.g. {@code champion}, {@code canary}, {@code b})
 * @param role      champion, canary or A/B/n variant
 * @param endpoint  id of the endpoint that serves this arm
 * @param weightBps share of covered units in basis points (1 bps = 0.01%); arms of an experiment sum to 10,000
 * @param index     position in the experiment's bucket layout
 */
public record Arm(String id, Role role, String endpoint, int weightBps, int index) {
  public Arm {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(endpoint, "endpoint");
    if (weightBps < 0 || weightBps > 10_000) {
      throw new IllegalArgumentException("weightBps: " + weightBps + " (expected: 0..10000)");
    }
  }
}

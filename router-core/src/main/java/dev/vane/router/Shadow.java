package dev.vane.router;

import java.util.Objects;

/**
 * A mirror target: a copy of a share of the experiment's requests goes to {@code endpoint}; its response is
 * compared with the served one and then dropped.
 *
 * @param id           shadow id, unique in its experiment
 * @param endpoint     endpoint id
 * @param percentBps   share of requests mirrored, in basis points (10,000 = every request)
 * @param tolerance    absolute tolerance under which two numeric outputs agree
 */
public record Shadow(String id, String endpoint, int percentBps, double tolerance) {
  public Shadow {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(endpoint, "endpoint");
    if (percentBps < 0 || percentBps > 10_000) {
      throw new IllegalArgumentException("percentBps: " + percentBps + " (expected: 0..10000)");
    }
    if (!(tolerance >= 0)) {
      throw new IllegalArgumentException("tolerance: " + tolerance + " (expected: >= 0)");
    }
  }
}

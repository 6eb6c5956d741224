package dev.vane.config.edit;

import java.util.Objects;

/**
 * The result of one edit.
 *
 * @param document   the new config document text (YAML, placeholders as written, comments dropped)
 * @param summary    one line saying what changed, e.g. {@code experiment fraud-canary: canary 5% -> 25%}
 * @param stickiness one sentence saying what happens to units with a stored (sticky) assignment
 */
public record Edit(String document, String summary, String stickiness) {
  public Edit {
    Objects.requireNonNull(document, "document");
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(stickiness, "stickiness");
  }
}

package dev.vane.config.edit;

import java.util.Objects;

/**
 * An edit that cannot be made, with a message naming the experiment (and arm) and the rule; {@link #kind()} says
 * how an API should answer it.
 */
public final class EditException extends RuntimeException {
  /** Why the edit cannot be made. */
  public enum Kind {
    /** The experiment (or the document's experiments) does not exist: 404. */
    NOT_FOUND,
    /** The request is invalid for this experiment (a percent out of range, an unknown arm, no canary): 400. */
    INVALID,
    /** The experiment is already in the requested state (already paused, already at that percent): 409. */
    CONFLICT
  }

  private final Kind kind;

  public EditException(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public Kind kind() {
    return kind;
  }
}

package dev.vane.router;

/** The QA override header named an arm the experiment does not have. */
public final class UnknownArmException extends IllegalArgumentException {
  private final String arm;

  public UnknownArmException(String experiment, String arm) {
    super("override arm: " + arm + " (expected: an arm of experiment " + experiment + ")");
    this.arm = arm;
  }

  public String arm() {
    return arm;
  }
}

package dev.vane.router;

/** What an arm of an experiment is for. */
public enum Role {
  /** The incumbent model: receives whatever share the other arms leave, and every request outside the experiment. */
  CHAMPION,
  /** A new model ramped by percentage; laid out last so that growing it only takes units from the champion. */
  CANARY,
  /** One arm of an A/B/n test with an explicit weight. */
  VARIANT
}

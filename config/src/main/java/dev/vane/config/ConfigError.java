package dev.vane.config;

/**
 * One problem in a configuration file.
 *
 * @param path    where, e.g. {@code experiments[0].canary.percent}
 * @param message what is wrong and what was expected, e.g. {@code 140 (expected: 0..100)}
 */
public record ConfigError(String path, String message) {
  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}

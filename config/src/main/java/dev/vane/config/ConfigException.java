package dev.vane.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration was rejected; carries every error found, each with its path. */
public final class ConfigException extends Exception {
  private final List<ConfigError> errors;

  public ConfigException(String source, List<ConfigError> errors) {
    super(source + ": " + errors.size() + " error(s)\n  "
        + errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n  ")));
    this.errors = List.copyOf(errors);
  }

  public List<ConfigError> errors() {
    return errors;
  }
}

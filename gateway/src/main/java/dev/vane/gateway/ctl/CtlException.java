package dev.vane.gateway.ctl;

import java.util.List;

/** A failure that ends a {@code vane ctl} command: its exit code and the lines to print on stderr. */
final class CtlException extends Exception {
  private final int exitCode;
  private final List<String> details;

  CtlException(int exitCode, String message) {
    this(exitCode, message, List.of());
  }

  CtlException(int exitCode, String message, List<String> details) {
    super(message, null, false, false);
    this.exitCode = exitCode;
    this.details = List.copyOf(details);
  }

  /** One of {@link ExitCodes}. */
  int exitCode() {
    return exitCode;
  }

  /** Further lines (each config error as {@code path: message}). */
  List<String> details() {
    return details;
  }
}

package dev.vane.gateway.ctl;

/**
 * What {@code vane ctl} exits with. One mapping from the admin API's HTTP status to an exit code, so scripts can
 * tell "retry later" from "fix your file" from "ask for a token".
 */
public final class ExitCodes {
  private ExitCodes() {}

  /** Done. */
  public static final int OK = 0;
  /** Not done, for a reason of this machine: a file that cannot be read, "no" at the prompt, an unexpected answer. */
  public static final int FAILED = 1;
  /** Bad arguments: picocli's own usage errors, and the server's 400 (a percent out of range, a bad weight). */
  public static final int USAGE = 2;
  /** 401 (no, or an unknown, token) or 403 (the token's role may not do this). */
  public static final int AUTH = 3;
  /** 409 (stale version, paused twice, read-only store), 412 or 428: someone else changed it, re-read and retry. */
  public static final int CONFLICT = 4;
  /** 422 (the config is invalid; each error is printed with its path) or 404 (no such experiment or version). */
  public static final int INVALID = 5;
  /** 5xx, or the admin API could not be reached in time: nothing is known to have changed. */
  public static final int UNAVAILABLE = 6;

  /** The help text's table of exit codes. */
  public static final String HELP = """
      %nExit codes:
        0  ok
        1  not done: a file unreadable, the prompt declined, an unexpected answer
        2  usage error: bad arguments, or the server's 400
        3  authentication or authorization: 401, 403
        4  conflict: 409 (stale version, already paused), 412, 428
        5  invalid config (422; each error printed as path: message), or 404
        6  server error (5xx), or the admin API unreachable or slow (--timeout)
      """;

  /** The exit code of an answer with HTTP status {@code status}: {@link #OK} for 2xx. */
  public static int forStatus(int status) {
    if (status >= 200 && status < 300) {
      return OK;
    }
    return switch (status) {
      case 400 -> USAGE;
      case 401, 403 -> AUTH;
      case 409, 412, 428 -> CONFLICT;
      case 404, 422 -> INVALID;
      default -> status >= 500 && status < 600 ? UNAVAILABLE : FAILED;
    };
  }
}

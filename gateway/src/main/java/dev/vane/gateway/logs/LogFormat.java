package dev.vane.gateway.logs;

import java.util.Locale;

/** How log lines look: {@code text} for people, {@code json} (one object per line) for log pipelines. */
public enum LogFormat {
  /** {@code [thread] LEVEL logger - message}, then the stack trace of a throwable. */
  TEXT,
  /** One JSON object per line: timestamp, level, thread, logger, MDC, key-value pairs, message, throwable. */
  JSON;

  /** {@code text} or {@code json}, in any case. */
  public static LogFormat of(String name) {
    for (LogFormat f : values()) {
      if (f.name().equalsIgnoreCase(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException("log format: " + name + " (expected: text or json)");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}

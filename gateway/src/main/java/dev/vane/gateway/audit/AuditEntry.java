package dev.vane.gateway.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of the audit log: who did what to which target, and how it ended.
 *
 * @param id      assigned by the log when null (a stream id in Redis, a sequence number in a file)
 * @param time    when it happened, on the acting instance's clock
 * @param actor   who acted (a user or token name)
 * @param address where the request came from (may be null)
 * @param action  what was done ({@code config.write}, {@code config.rollback}, ...)
 * @param target  what it was done to (may be null)
 * @param version the config version it produced or concerned, or null
 * @param status  the HTTP status answered
 * @param message a line for people (may be null)
 * @param diff    the change as a diff (may be null); longer than {@link #MAX_DIFF} characters, it is cut so that
 *                it holds {@link #MAX_DIFF} characters at most with a note at its end saying how long it was (so
 *                an entry read back is not cut again)
 */
public record AuditEntry(String id, Instant time, String actor, String address, String action, String target,
    Long version, int status, String message, String diff) {
  /** The most characters of a diff kept (64 Ki). */
  public static final int MAX_DIFF = 64 * 1024;
  private static final int NOTE_ROOM = 64; // the note's length, with room to spare

  public AuditEntry {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(action, "action");
    diff = capped(diff);
  }

  private static String capped(String diff) {
    if (diff == null || diff.length() <= MAX_DIFF) {
      return diff;
    }
    int cut = MAX_DIFF - NOTE_ROOM;
    if (Character.isLowSurrogate(diff.charAt(cut))) {
      cut--;
    }
    return diff.substring(0, cut) + "\n[diff cut at " + cut + " of " + diff.length() + " characters]\n";
  }

  /** This entry with {@code id}. */
  public AuditEntry withId(String id) {
    return new AuditEntry(id, time, actor, address, action, target, version, status, message, diff);
  }
}

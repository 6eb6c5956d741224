package dev.vane.gateway.feedback;

import java.util.Arrays;

/**
 * What feedback joins to: the experiment version and arm that served a request (or a unit's latest exposure),
 * when, how long after its unit's first exposure, and its slice values.
 *
 * @param experiment  experiment id
 * @param version     experiment version
 * @param arm         arm id that was assigned (intent to treat: a fallback still counts for the assigned arm)
 * @param atMillis    epoch milliseconds of the request
 * @param sliceValues bounded slice values aligned with the experiment's slices (empty when none)
 * @param day         whole days from the unit's first exposure to its arm to this request
 *                    ({@link dev.vane.router.FirstExposure#daysSince}), or -1 when unknown
 */
public record Attribution(String experiment, String version, String arm, long atMillis, String[] sliceValues,
    int day) {
  private static final char SEP = '\u001f';
  /**
   * Starts the day's field, after the slice values: older decoders take it for one more slice value than the
   * experiment declares and ignore it; slice values never start with it (they hold no control characters of
   * {@code \u001e}/{@code \u001f}).
   */
  private static final char DAY = '\u001e';

  /** An attribution whose day since first exposure is unknown. */
  public Attribution(String experiment, String version, String arm, long atMillis, String[] sliceValues) {
    this(experiment, version, arm, atMillis, sliceValues, -1);
  }

  /** A compact string for sharing through Redis. */
  public String encode() {
    StringBuilder sb = new StringBuilder().append(experiment).append(SEP).append(version).append(SEP).append(arm)
        .append(SEP).append(atMillis);
    for (String v : sliceValues) {
      sb.append(SEP).append(v);
    }
    if (day >= 0) {
      sb.append(SEP).append(DAY).append(day);
    }
    return sb.toString();
  }

  /** The inverse of {@link #encode}, or null for a malformed string. */
  public static Attribution decode(String s) {
    if (s == null) {
      return null;
    }
    String[] p = s.split(String.valueOf(SEP), -1);
    if (p.length < 4) {
      return null;
    }
    try {
      int end = p.length;
      int day = -1;
      if (end > 4 && !p[end - 1].isEmpty() && p[end - 1].charAt(0) == DAY) {
        day = Integer.parseInt(p[end - 1], 1, p[end - 1].length(), 10);
        end--;
      }
      return new Attribution(p[0], p[1], p[2], Long.parseLong(p[3]), Arrays.copyOfRange(p, 4, end), day);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Attribution a && a.encode().equals(encode());
  }

  @Override
  public int hashCode() {
    return encode().hashCode();
  }

  @Override
  public String toString() {
    return "Attribution[" + experiment + "@" + version + " arm " + arm + " at " + atMillis + " slices "
        + Arrays.toString(sliceValues) + (day >= 0 ? " day " + day : "") + "]";
  }
}

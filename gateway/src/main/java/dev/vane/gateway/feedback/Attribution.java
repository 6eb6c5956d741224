package dev.vane.gateway.feedback;

import java.util.Arrays;

/**
 * What feedback joins to: the experiment version and arm that served a request (or a unit's latest exposure),
 * when, and its slice values.
 *
 * @param experiment  experiment id
 * @param version     experiment version
 * @param arm         arm id that was assigned (intent to treat: a fallback still counts for the assigned arm)
 * @param atMillis    epoch milliseconds of the request
 * @param sliceValues bounded slice values aligned with the experiment's slices (empty when none)
 */
public record Attribution(String experiment, String version, String arm, long atMillis, String[] sliceValues) {
  private static final char SEP = '\u001f';

  /** A compact string for sharing through Redis. */
  public String encode() {
    StringBuilder sb = new StringBuilder().append(experiment).append(SEP).append(version).append(SEP).append(arm)
        .append(SEP).append(atMillis);
    for (String v : sliceValues) {
      sb.append(SEP).append(v);
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
      return new Attribution(p[0], p[1], p[2], Long.parseLong(p[3]), Arrays.copyOfRange(p, 4, p.length));
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
        + Arrays.toString(sliceValues) + "]";
  }
}

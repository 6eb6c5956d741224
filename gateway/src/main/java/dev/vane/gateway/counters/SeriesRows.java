package dev.vane.gateway.counters;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows of an experiment version's time series as read from one source, and their sums per interval.
 *
 * @param source {@code local} (this instance's rows) or {@code redis} (summed over every instance)
 * @param rows   rows with data, oldest first, each of one minute or one hour
 */
public record SeriesRows(String source, List<SeriesPeriod> rows) {
  public SeriesRows {
    rows = List.copyOf(rows);
  }

  /**
   * The rows summed per interval of {@code intervalMillis}, one period per interval in
   * {@code [fromMillis, toMillis)} (both multiples of {@code intervalMillis} since the epoch), empty ones included;
   * rows outside the range are left out.
   */
  public List<SeriesPeriod> intervals(SeriesPeriod.Layout layout, long fromMillis, long toMillis,
      long intervalMillis) {
    if (intervalMillis <= 0 || fromMillis % intervalMillis != 0 || toMillis % intervalMillis != 0) {
      throw new IllegalArgumentException("from " + fromMillis + ", to " + toMillis + ", interval " + intervalMillis
          + " (expected: from and to multiples of the interval > 0)");
    }
    List<SeriesPeriod> out = new ArrayList<>();
    for (long t = fromMillis; t < toMillis; t += intervalMillis) {
      out.add(new SeriesPeriod(layout, t));
    }
    for (SeriesPeriod r : rows) {
      if (r.startMillis() >= fromMillis && r.startMillis() < toMillis) {
        out.get((int) ((r.startMillis() - fromMillis) / intervalMillis)).add(r);
      }
    }
    return out;
  }
}

package dev.vane.gateway.counters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * One arm's counts per minute of the wall clock, for the last {@link #windowMinutes()} minutes, written from every
 * event loop without locks.
 *
 * <p>A ring of {@code windowMinutes} slots; minute {@code m} (minutes since the epoch) lives in slot
 * {@code m mod windowMinutes}. The first writer of a new minute replaces the slot's row (the one of minute
 * {@code m - windowMinutes}) by compare-and-set; a writer that loses the race uses the winner's row. Readers only
 * count a slot whose row is of the minute asked for, so a minute older than the window reads as zero even before
 * its slot is reused. Memory is bounded by the window: at most {@code windowMinutes} rows of 8 counters striped by
 * thread ({@code 64 * STRIPES} bytes, at most 0.5 KB, each), allocated only for minutes that saw traffic: under
 * 0.8 MB per arm for 24 hours. Writing is a clock read and an atomic add per count, on the writing thread's own
 * cache line. Rolling minutes up to hours beyond the window is a later step.
 */
public final class MinuteSeries {
  /** Minutes kept by default: 24 hours. */
  public static final int DEFAULT_WINDOW_MINUTES = 24 * 60;
  private static final long MINUTE_MILLIS = 60_000L;
  /** Stripes per row: the processors rounded up to a power of two, at most 8. */
  static final int STRIPES =
      Math.min(8, Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors() * 2 - 1)));

  private final LongSupplier millis;
  private final int windowMinutes;
  private final AtomicReferenceArray<Row> ring;

  /**
   * @param millis        the wall clock, in milliseconds since the epoch
   * @param windowMinutes how many minutes are kept (at least 1)
   */
  public MinuteSeries(LongSupplier millis, int windowMinutes) {
    if (windowMinutes < 1) {
      throw new IllegalArgumentException("windowMinutes: " + windowMinutes + " (expected: >= 1)");
    }
    this.millis = millis;
    this.windowMinutes = windowMinutes;
    this.ring = new AtomicReferenceArray<>(windowMinutes);
  }

  public int windowMinutes() {
    return windowMinutes;
  }

  /** The current minute, in minutes since the epoch. */
  public long currentMinute() {
    return Math.floorDiv(millis.getAsLong(), MINUTE_MILLIS);
  }

  /** The oldest minute still kept (minutes since the epoch). */
  public long oldestMinute() {
    return currentMinute() - windowMinutes + 1;
  }

  void recordRequest() {
    row().add(Row.REQUESTS, 1);
  }

  void recordExposure() {
    row().add(Row.EXPOSURES, 1);
  }

  /** The status class of one answer, as {@link ArmCounters#recordStatus}. */
  void recordStatus(int status) {
    int c = status < 300 ? 0 : status < 400 ? 1 : status < 500 ? 2 : 3;
    row().add(Row.STATUS_2XX + c, 1);
  }

  /** One end-to-end latency, counted in the minute the request ended. */
  void recordLatencyMicros(long micros) {
    Row r = row();
    r.add(Row.LATENCY_COUNT, 1);
    r.add(Row.LATENCY_SUM_MICROS, micros);
  }

  private Row row() {
    long minute = currentMinute();
    int slot = (int) Math.floorMod(minute, (long) windowMinutes);
    while (true) {
      Row r = ring.get(slot);
      if (r != null && r.minute == minute) {
        return r;
      }
      if (r != null && r.minute > minute) {
        // a clock that stepped back by a whole window: count in the newer row rather than lose the event
        return r;
      }
      Row fresh = new Row(minute);
      if (ring.compareAndSet(slot, r, fresh)) {
        return fresh;
      }
    }
  }

  /**
   * Sums of the minutes {@code [fromMinute, toMinute)} in buckets of {@code intervalMinutes}, aligned to multiples of
   * {@code intervalMinutes} since the epoch; one bucket per interval, empty ones included. Minutes outside the
   * window count as zero.
   */
  public List<Bucket> buckets(long fromMinute, long toMinute, int intervalMinutes) {
    if (intervalMinutes < 1) {
      throw new IllegalArgumentException("intervalMinutes: " + intervalMinutes + " (expected: >= 1)");
    }
    long oldest = oldestMinute();
    long now = oldest + windowMinutes - 1;
    long start = Math.floorDiv(fromMinute, intervalMinutes) * intervalMinutes;
    List<Bucket> out = new ArrayList<>();
    for (long b = start; b < toMinute; b += intervalMinutes) {
      long[] sums = new long[8];
      for (long m = Math.max(b, oldest); m < Math.min(b + intervalMinutes, now + 1); m++) {
        Row r = ring.get((int) Math.floorMod(m, (long) windowMinutes));
        if (r != null && r.minute == m) {
          r.addTo(sums);
        }
      }
      out.add(new Bucket(b, sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6], sums[7]));
    }
    return out;
  }

  /**
   * Counts of one interval starting at {@code minute} (minutes since the epoch).
   *
   * @param latencyCount     requests whose latency was recorded in the interval
   * @param latencySumMicros the sum of those latencies, in microseconds
   */
  public record Bucket(long minute, long exposures, long requests, long status2xx, long status3xx, long status4xx,
      long status5xx, long latencyCount, long latencySumMicros) {
    /** Mean latency in milliseconds = latencySumMicros / latencyCount / 1000, or NaN when latencyCount == 0. */
    public double latencyMeanMillis() {
      return latencyCount == 0 ? Double.NaN : latencySumMicros / (double) latencyCount / 1000.0;
    }

    /** Start of the interval, in milliseconds since the epoch. */
    public long startMillis() {
      return minute * MINUTE_MILLIS;
    }
  }

  /**
   * One minute's counts, striped by writing thread so that event loops do not contend: stripe {@code i} is the 8
   * longs (one 64-byte cache line) at {@code 8 * i}, field {@code f} at {@code 8 * i + f}. A reader sums the stripes.
   * {@link java.util.concurrent.atomic.LongAdder}s would grow a padded cell per contending thread per field (kilobytes per row); this stays at
   * {@code 64 * STRIPES} bytes.
   */
  private static final class Row {
    static final int EXPOSURES = 0;
    static final int REQUESTS = 1;
    static final int STATUS_2XX = 2;
    static final int LATENCY_COUNT = 6;
    static final int LATENCY_SUM_MICROS = 7;
    private static final int FIELDS = 8;

    final long minute;
    private final AtomicLongArray cells = new AtomicLongArray(FIELDS * STRIPES);

    Row(long minute) {
      this.minute = minute;
    }

    void add(int field, long n) {
      int stripe = (int) Thread.currentThread().getId() & (STRIPES - 1);
      cells.getAndAdd(stripe * FIELDS + field, n);
    }

    /** Adds each field's sum over the stripes to {@code s}, in field order. */
    void addTo(long[] s) {
      for (int i = 0; i < cells.length(); i++) {
        s[i % FIELDS] += cells.get(i);
      }
    }
  }
}

package dev.vane.gateway.counters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * One experiment version's results over time: per arm and per shadow, a row of sums per minute of the wall clock
 * for the last {@code windowMinutes} minutes and per hour for the last {@code retentionHours} hours, written from
 * every event loop without locks (what a row holds: {@link SeriesPeriod}).
 *
 * <p><b>Roll-up.</b> Every event is added to its minute's row and to its hour's row, so an hour holds exactly the
 * sum of its minutes, and outlives them: minutes expire after the window, hours after the retention. Outcomes
 * (feedback) are added to the rows of the minute and hour of their exposure, not of their arrival, while those are
 * still kept; an interval's outcomes so belong to that interval's exposures.
 *
 * <p><b>Rings.</b> Each resolution is a ring of {@code kept + 1} slots (the kept whole periods and the current one);
 * period {@code p} (periods since the epoch) lives in slot {@code p mod slots}. The first writer of a new period
 * replaces the slot's row by compare-and-set; a writer that loses the race uses the winner's row. A reader counts a
 * slot only when its row is of the period asked for, so an expired period reads as absent before its slot is
 * reused. Rows are allocated only for periods with traffic.
 *
 * <p><b>Memory per row</b> (arms A, shadows S, declared metrics M): counters striped by writing thread, one padded
 * group of {@code 8 * ceil((11 A + 4 S) / 8)} longs per stripe ({@code STRIPES} stripes, at most 8); a latency
 * histogram of {@value LatencyBuckets#COUNT} longs (816 bytes) per arm that had a latency in the period, not
 * striped; an accumulator (about 80 bytes) per arm and metric that had an outcome. With 2 arms, one metric and 8
 * stripes: about 1.5 KB + 1.6 KB = 3.1 KB a busy row, so 4.5 MB for 24 hours of minutes and 1 MB for 14 days of
 * hours. With Redis, a row also keeps the sums last flushed (the same again, without stripes).
 */
public final class TimeSeries {
  /** A row's period. */
  public enum Resolution {
    MINUTE(60_000L), HOUR(3_600_000L);

    /** Length of one period in milliseconds. */
    public final long millis;

    Resolution(long millis) {
      this.millis = millis;
    }

    /** The period of an instant (periods since the epoch). */
    public long period(long epochMillis) {
      return Math.floorDiv(epochMillis, millis);
    }

    /** Redis's name for it. */
    public String code() {
      return this == MINUTE ? "m" : "h";
    }
  }

  /** Stripes per row: the processors rounded up to a power of two, at most 8. */
  static final int STRIPES =
      Math.min(8, Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors() * 2 - 1)));

  private final SeriesPeriod.Layout layout;
  private final LongSupplier millis;
  private final int metrics;
  private final int width;
  private final Ring minutes;
  private final Ring hours;
  /** Changes handed out by {@link #changes()} and not answered yet (flusher thread only). */
  private final List<Change> outstanding = new ArrayList<>();

  /**
   * @param layout         the experiment version's arms, shadows and declared metrics
   * @param millis         the wall clock, milliseconds since the epoch
   * @param windowMinutes  whole minutes kept (at least 1)
   * @param retentionHours whole hours kept (at least 1)
   */
  public TimeSeries(SeriesPeriod.Layout layout, LongSupplier millis, int windowMinutes, int retentionHours) {
    if (windowMinutes < 1) {
      throw new IllegalArgumentException("windowMinutes: " + windowMinutes + " (expected: >= 1)");
    }
    if (retentionHours < 1) {
      throw new IllegalArgumentException("retentionHours: " + retentionHours + " (expected: >= 1)");
    }
    this.layout = layout;
    this.millis = millis;
    this.metrics = layout.metrics().size();
    int cells = layout.arms().size() * SeriesPeriod.ARM_FIELDS + layout.shadows().size() * SeriesPeriod.SHADOW_FIELDS;
    this.width = Math.max(8, (cells + 7) / 8 * 8);
    this.minutes = new Ring(Resolution.MINUTE, windowMinutes);
    this.hours = new Ring(Resolution.HOUR, retentionHours);
  }

  public SeriesPeriod.Layout layout() {
    return layout;
  }

  /** The wall clock's now, milliseconds since the epoch. */
  public long nowMillis() {
    return millis.getAsLong();
  }

  /** Whole periods kept before the current one: the minute window in minutes, or the retention in hours. */
  public int kept(Resolution r) {
    return ring(r).kept;
  }

  /** The oldest period still kept at {@code nowMillis} (the current one less {@link #kept}). */
  public long oldest(Resolution r, long nowMillis) {
    return r.period(nowMillis) - ring(r).kept;
  }

  private Ring ring(Resolution r) {
    return r == Resolution.MINUTE ? minutes : hours;
  }

  // ---- writing (any thread) ----

  void addArm(int arm, int field, long n) {
    add(arm * SeriesPeriod.ARM_FIELDS + field, n);
  }

  void addShadow(int shadow, int field, long n) {
    add(layout.arms().size() * SeriesPeriod.ARM_FIELDS + shadow * SeriesPeriod.SHADOW_FIELDS + field, n);
  }

  private void add(int cell, long n) {
    long t = millis.getAsLong();
    minutes.current(t).add(cell, n);
    hours.current(t).add(cell, n);
  }

  /**
   * A request's arrival on the arm: a request, and an exposure and a new unit when so, with one read of the clock
   * and one look-up of each row (the request path's common case).
   */
  void arrival(int arm, boolean exposure, boolean newUnit) {
    long t = millis.getAsLong();
    arrival(minutes.current(t), arm * SeriesPeriod.ARM_FIELDS, exposure, newUnit);
    arrival(hours.current(t), arm * SeriesPeriod.ARM_FIELDS, exposure, newUnit);
  }

  private static void arrival(Row r, int base, boolean exposure, boolean newUnit) {
    r.add(base + SeriesPeriod.REQUESTS, 1);
    if (exposure) {
      r.add(base + SeriesPeriod.EXPOSURES, 1);
    }
    if (newUnit) {
      r.add(base + SeriesPeriod.UNITS, 1);
    }
  }

  /** A request's end on the arm: its status class and end-to-end latency, with one read of the clock. */
  void end(int arm, int status, long micros) {
    long t = millis.getAsLong();
    int bucket = LatencyBuckets.index(micros);
    int statusField = SeriesPeriod.STATUS_2XX + (status < 300 ? 0 : status < 400 ? 1 : status < 500 ? 2 : 3);
    end(minutes.current(t), arm, statusField, bucket, micros);
    end(hours.current(t), arm, statusField, bucket, micros);
  }

  private static void end(Row r, int arm, int statusField, int bucket, long micros) {
    r.add(arm * SeriesPeriod.ARM_FIELDS + statusField, 1);
    latency(r, arm, bucket, micros);
  }

  /** A shadow's compared pair: counted, agreed or not, and the latency difference (shadow − served, µs). */
  void compared(int shadow, boolean agreed, long diffMicros) {
    long t = millis.getAsLong();
    int base = layout.arms().size() * SeriesPeriod.ARM_FIELDS + shadow * SeriesPeriod.SHADOW_FIELDS;
    compared(minutes.current(t), base, agreed, diffMicros);
    compared(hours.current(t), base, agreed, diffMicros);
  }

  private static void compared(Row r, int base, boolean agreed, long diffMicros) {
    r.add(base + SeriesPeriod.COMPARED, 1);
    if (agreed) {
      r.add(base + SeriesPeriod.AGREEMENTS, 1);
    }
    r.add(base + SeriesPeriod.LATENCY_DIFF_SUM_MICROS, diffMicros);
  }

  /** One end-to-end latency of the arm, counted in the period the request ended. */
  void latency(int arm, long micros) {
    long t = millis.getAsLong();
    int bucket = LatencyBuckets.index(micros);
    latency(minutes.current(t), arm, bucket, micros);
    latency(hours.current(t), arm, bucket, micros);
  }

  private static void latency(Row r, int arm, int bucket, long micros) {
    int base = arm * SeriesPeriod.ARM_FIELDS;
    r.latency(arm).getAndIncrement(bucket); // before the counts, which mark the row written
    r.add(base + SeriesPeriod.LATENCY_COUNT, 1);
    r.add(base + SeriesPeriod.LATENCY_SUM_MICROS, micros);
  }

  /**
   * One outcome of arm {@code arm} (an index of the layout) for metric {@code metric}, attributed to the minute
   * and hour of its exposure at {@code exposureMillis} (a time after now counts as now); dropped from a resolution
   * whose row of that period is no longer kept. Binary metrics pass 1 for a positive event (0s are not counted).
   */
  public void outcome(int arm, int metric, double value, long exposureMillis) {
    if (arm < 0 || metric < 0) {
      return;
    }
    long now = millis.getAsLong();
    long t = Math.min(exposureMillis, now);
    for (Ring ring : new Ring[] {minutes, hours}) {
      Row r = ring.at(ring.resolution.period(t), ring.resolution.period(now));
      if (r != null) {
        r.outcome(arm * metrics + metric).add(value);
        r.dirty = true;
      }
    }
  }

  // ---- reading (any thread) ----

  /**
   * The rows of periods {@code [fromPeriod, toPeriod)} still kept now, oldest first; a period without a row (no
   * traffic, or expired) is left out.
   */
  public List<SeriesPeriod> read(Resolution r, long fromPeriod, long toPeriod) {
    Ring ring = ring(r);
    long now = r.period(millis.getAsLong());
    List<SeriesPeriod> out = new ArrayList<>();
    for (long p = Math.max(fromPeriod, now - ring.kept); p < Math.min(toPeriod, now + 1); p++) {
      Row row = ring.slots.get(ring.slot(p));
      if (row != null && row.period == p) {
        out.add(snapshot(r, row));
      }
    }
    return out;
  }

  private SeriesPeriod snapshot(Resolution res, Row r) {
    SeriesPeriod s = new SeriesPeriod(layout, r.period * res.millis);
    int arms = layout.arms().size();
    for (int stripe = 0; stripe < STRIPES; stripe++) {
      int base = stripe * width;
      for (int a = 0; a < arms; a++) {
        for (int f = 0; f < SeriesPeriod.ARM_FIELDS; f++) {
          s.addArm(a, f, r.cells.get(base + a * SeriesPeriod.ARM_FIELDS + f));
        }
      }
      for (int sh = 0; sh < layout.shadows().size(); sh++) {
        for (int f = 0; f < SeriesPeriod.SHADOW_FIELDS; f++) {
          s.addShadow(sh, f, r.cells.get(base + arms * SeriesPeriod.ARM_FIELDS + sh * SeriesPeriod.SHADOW_FIELDS + f));
        }
      }
    }
    for (int a = 0; a < arms; a++) {
      AtomicLongArray h = r.latency.get(a);
      for (int b = 0; h != null && b < h.length(); b++) {
        s.addLatency(a, b, h.get(b));
      }
      for (int m = 0; m < metrics; m++) {
        OutcomeCounters.Acc acc = r.outcomes.get(a * metrics + m);
        if (acc != null) {
          OutcomeCounters.Sums sums = acc.sums();
          s.addOutcome(a, m, sums.n(), sums.sum(), sums.sumSq());
        }
      }
    }
    return s;
  }

  /**
   * Releases the rows that are no longer kept (they read as absent already; a live series reuses their slots, but
   * the series of a replaced experiment version never writes again). Returns how many were released.
   */
  public int dropExpired() {
    long now = millis.getAsLong();
    int dropped = 0;
    for (Ring ring : new Ring[] {minutes, hours}) {
      long oldest = ring.resolution.period(now) - ring.kept;
      for (int i = 0; i < ring.slots.length(); i++) {
        Row r = ring.slots.get(i);
        if (r != null && r.period < oldest && ring.slots.compareAndSet(i, r, null)) {
          dropped++;
        }
      }
    }
    return dropped;
  }

  // ---- flushing (one flusher thread) ----

  /**
   * What one row gained since its last committed flush.
   *
   * @param resolution    minute or hour
   * @param period        periods since the epoch
   * @param delta         the sums gained
   * @param expireAtMillis when the period leaves the window or the retention (epoch milliseconds)
   */
  public record Change(Resolution resolution, long period, SeriesPeriod delta, long expireAtMillis, Runnable commit,
      Runnable retry) {
    /** Redis applied it: the next change starts from here. */
    public void committed() {
      commit.run();
    }

    /** Redis did not apply it: the next {@link #changes()} offers it again, with whatever came since. */
    public void failed() {
      retry.run();
    }
  }

  /**
   * The changes of every row written since the last call (each row's sums now minus those of its last
   * {@link Change#committed} change). Call from one thread only; a change should be answered with
   * {@link Change#committed} or {@link Change#failed}; one left unanswered counts as failed at the next call.
   */
  public List<Change> changes() {
    for (Change c : List.copyOf(outstanding)) {
      c.failed(); // neither committed nor failed (its batch was never sent): offered again
    }
    outstanding.clear();
    List<Change> out = new ArrayList<>();
    for (Ring ring : new Ring[] {minutes, hours}) {
      for (int i = 0; i < ring.slots.length(); i++) {
        Row r = ring.slots.get(i);
        if (r == null || !r.dirty) {
          continue;
        }
        r.dirty = false; // before reading: a write that lands after the read marks the row again
        SeriesPeriod now = snapshot(ring.resolution, r);
        SeriesPeriod delta = now.minus(r.flushed);
        if (delta.isZero()) {
          continue;
        }
        long expireAt = (r.period + 1 + ring.kept) * ring.resolution.millis;
        Change[] self = new Change[1];
        self[0] = new Change(ring.resolution, r.period, delta, expireAt, () -> {
          r.flushed = now;
          outstanding.remove(self[0]);
        }, () -> {
          r.dirty = true;
          outstanding.remove(self[0]);
        });
        out.add(self[0]);
      }
    }
    outstanding.addAll(out);
    return out;
  }

  /** The rows of one resolution. */
  private final class Ring {
    final Resolution resolution;
    final int kept;
    final AtomicReferenceArray<Row> slots;

    Ring(Resolution resolution, int kept) {
      this.resolution = resolution;
      this.kept = kept;
      this.slots = new AtomicReferenceArray<>(kept + 1);
    }

    int slot(long period) {
      return (int) Math.floorMod(period, (long) slots.length());
    }

    /** The row of the period of {@code epochMillis}, opened when new. */
    Row current(long epochMillis) {
      long period = resolution.period(epochMillis);
      int slot = slot(period);
      while (true) {
        Row r = slots.get(slot);
        if (r != null && r.period >= period) {
          // the same period, or a clock that stepped back by a whole ring: count in the newer row rather than lose it
          return r;
        }
        Row fresh = new Row(period);
        if (slots.compareAndSet(slot, r, fresh)) {
          return fresh;
        }
      }
    }

    /** The row of a past (or the current) period, opened when new and still kept; null when no longer kept. */
    Row at(long period, long nowPeriod) {
      if (period < nowPeriod - kept) {
        return null;
      }
      int slot = slot(period);
      while (true) {
        Row r = slots.get(slot);
        if (r != null && r.period == period) {
          return r;
        }
        if (r != null && r.period > period) {
          return null;
        }
        Row fresh = new Row(period);
        if (slots.compareAndSet(slot, r, fresh)) {
          return fresh;
        }
      }
    }
  }

  /**
   * One period's sums. Counters are striped by writing thread so that event loops do not contend: stripe {@code i}
   * is the {@code width} longs (a multiple of a 64-byte cache line) at {@code width * i}.
   */
  private final class Row {
    final long period;
    final AtomicLongArray cells = new AtomicLongArray(width * STRIPES);
    final AtomicReferenceArray<AtomicLongArray> latency = new AtomicReferenceArray<>(layout.arms().size());
    final AtomicReferenceArray<OutcomeCounters.Acc> outcomes =
        new AtomicReferenceArray<>(layout.arms().size() * metrics);
    /** Written since the flusher last looked. */
    volatile boolean dirty;
    /** The sums of the last committed flush (flusher thread only). */
    SeriesPeriod flushed;

    Row(long period) {
      this.period = period;
    }

    void add(int cell, long n) {
      int stripe = (int) Thread.currentThread().getId() & (STRIPES - 1);
      cells.getAndAdd(stripe * width + cell, n);
      if (!dirty) {
        dirty = true;
      }
    }

    AtomicLongArray latency(int arm) {
      AtomicLongArray h = latency.get(arm);
      if (h == null) {
        latency.compareAndSet(arm, null, new AtomicLongArray(LatencyBuckets.COUNT));
        h = latency.get(arm);
      }
      return h;
    }

    OutcomeCounters.Acc outcome(int i) {
      OutcomeCounters.Acc acc = outcomes.get(i);
      if (acc == null) {
        outcomes.compareAndSet(i, null, new OutcomeCounters.Acc());
        acc = outcomes.get(i);
      }
      return acc;
    }
  }
}

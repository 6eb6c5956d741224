package dev.vane.gateway.events;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Events written and dropped, per sink and kind; read as snapshots. The sink {@code queue} stands for the process's
 * queue: an event dropped there reached no sink.
 */
public final class EventCounters {
  /** The name of the queue in {@link #dropped}. */
  public static final String QUEUE = "queue";

  private final Map<String, LongAdder> written = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> dropped = new ConcurrentHashMap<>();

  EventCounters(List<String> sinks) {
    for (Event.Kind k : Event.Kind.values()) {
      dropped.put(key(QUEUE, k), new LongAdder());
      for (String s : sinks) {
        written.put(key(s, k), new LongAdder());
        dropped.put(key(s, k), new LongAdder());
      }
    }
  }

  private static String key(String sink, Event.Kind kind) {
    return sink + "/" + kind.id();
  }

  void written(String sink, Event.Kind kind, long n) {
    written.get(key(sink, kind)).add(n);
  }

  void dropped(String sink, Event.Kind kind, long n) {
    dropped.get(key(sink, kind)).add(n);
  }

  /** Events a sink has written (acknowledged by Redis, or written to its file), by {@code sink/kind}. */
  public Map<String, Long> written() {
    return snapshot(written);
  }

  /** Events dropped by the queue (full) or by a sink (its retry buffer full), by {@code sink/kind}. */
  public Map<String, Long> dropped() {
    return snapshot(dropped);
  }

  /** Events written by {@code sink} of {@code kind}. */
  public long written(String sink, Event.Kind kind) {
    LongAdder a = written.get(key(sink, kind));
    return a == null ? 0 : a.sum();
  }

  /** Events dropped by {@code sink} (or {@link #QUEUE}) of {@code kind}. */
  public long dropped(String sink, Event.Kind kind) {
    LongAdder a = dropped.get(key(sink, kind));
    return a == null ? 0 : a.sum();
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
    Map<String, Long> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}

package dev.vane.gateway.observability;

import dev.vane.gateway.events.Event;
import dev.vane.gateway.events.EventCounters;
import dev.vane.gateway.events.EventLog;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The event log's families, read at scrape time: {@code vane_events_written_total{sink,kind}},
 * {@code vane_events_dropped_total{sink,kind}} (sink {@code queue}: the process's queue was full) and
 * {@code vane_events_queued}. Registered only when events are on.
 */
final class EventMetrics {
  private EventMetrics() {}

  static void bind(MeterRegistry registry, EventLog log) {
    if (!log.enabled()) {
      return;
    }
    EventCounters c = log.counters();
    for (Event.Kind kind : Event.Kind.values()) {
      FunctionCounter.builder("vane.events.dropped", c, x -> x.dropped(EventCounters.QUEUE, kind))
          .tags("sink", EventCounters.QUEUE, "kind", kind.id())
          .description("Events for analysts dropped: by the queue (full) or by a sink (its retry buffer full)")
          .register(registry);
      for (String sink : log.sinkNames()) {
        FunctionCounter.builder("vane.events.written", c, x -> x.written(sink, kind)).tags("sink", sink, "kind",
            kind.id()).description("Events for analysts a sink has written (Redis acknowledged, or in the file)")
            .register(registry);
        FunctionCounter.builder("vane.events.dropped", c, x -> x.dropped(sink, kind))
            .tags("sink", sink, "kind", kind.id())
            .description("Events for analysts dropped: by the queue (full) or by a sink (its retry buffer full)")
            .register(registry);
      }
    }
    Gauge.builder("vane.events.queued", log, EventLog::queued)
        .description("Events for analysts waiting for the writer thread").register(registry);
  }
}

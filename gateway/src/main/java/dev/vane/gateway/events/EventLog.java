package dev.vane.gateway.events;

import dev.vane.config.EventSettings;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exposure and feedback events on their way to the configured sinks, off the request path: a request offers its
 * event to one bounded queue per process ({@link #offer}: never waits; a full queue drops the event and counts it),
 * and one writer thread drains it in batches of at most {@code batch} events, every {@code flushInterval} or as soon
 * as a batch is full, and hands each batch to every sink.
 *
 * <p>A sink that fails (Redis down, disk error) keeps the events it could not write in a retry buffer of its own,
 * at most {@code retryBuffer} of them, and tries them again before newer ones on the next round; events beyond the
 * buffer are dropped and counted per sink. Traffic never waits for any of it.
 */
public final class EventLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventLog.class);
  /** A log that takes nothing (no sinks configured). */
  public static final EventLog OFF = new EventLog();

  private final BlockingQueue<Event> queue;
  private final int batch;
  private final long intervalNanos;
  private final List<Target> targets;
  private final EventCounters counters;
  private final Thread writer;
  private volatile boolean closing;
  /** Guards {@link #polling}: close interrupts the writer only while it waits for events. */
  private final Object wake = new Object();
  private boolean polling; // guarded by wake

  /** A sink with its retry buffer (written by the writer thread only). */
  private record Target(EventSink sink, int retryBuffer, ArrayDeque<Event> pending) {}

  private EventLog() {
    this.queue = null;
    this.batch = 0;
    this.intervalNanos = 0;
    this.targets = List.of();
    this.counters = new EventCounters(List.of());
    this.writer = null;
  }

  private EventLog(EventSettings settings, List<EventSink> sinks, List<Integer> retryBuffers) {
    this.queue = new ArrayBlockingQueue<>(settings.queue());
    this.batch = settings.batch();
    this.intervalNanos = settings.flushInterval().toNanos();
    List<Target> ts = new ArrayList<>();
    for (int i = 0; i < sinks.size(); i++) {
      ts.add(new Target(sinks.get(i), retryBuffers.get(i), new ArrayDeque<>()));
    }
    this.targets = List.copyOf(ts);
    this.counters = new EventCounters(sinks.stream().map(EventSink::name).distinct().toList());
    this.writer = new Thread(this::run, "vane-events");
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * The log of {@code settings}: {@link #OFF} without sinks, else started with its writer thread.
   *
   * @param redisUri       {@code state.redis.uri} (null without Redis; a redis-stream sink needs it)
   * @param commandTimeout {@code state.redis.commandTimeout}: a batch waits 20 times as long for Redis, at least 1 s
   * @param clockMillis    the wall clock of event files' names and ages
   */
  public static EventLog start(EventSettings settings, String redisUri, Duration commandTimeout,
      LongSupplier clockMillis) {
    if (!settings.enabled()) {
      return OFF;
    }
    Duration wait = commandTimeout.multipliedBy(20).compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1)
        : commandTimeout.multipliedBy(20);
    List<EventSink> sinks = new ArrayList<>();
    List<Integer> retry = new ArrayList<>();
    for (EventSettings.Sink s : settings.sinks()) {
      if (s instanceof EventSettings.Jsonl j) {
        sinks.add(new JsonlSink(j, clockMillis));
      } else if (s instanceof EventSettings.RedisStream r) {
        if (redisUri == null) {
          throw new IllegalArgumentException("events: a redis-stream sink without state.redis");
        }
        sinks.add(new RedisStreamSink(r, redisUri, wait));
      }
      retry.add(s.retryBuffer());
    }
    EventLog l = new EventLog(settings, sinks, retry);
    log.info("events: writing to {} (queue {}, batch {}, every {} ms)", sinks, settings.queue(), settings.batch(),
        settings.flushInterval().toMillis());
    return l;
  }

  /** Whether events are taken (any sink configured). */
  public boolean enabled() {
    return queue != null;
  }

  /** Offers an event without waiting: dropped and counted when the queue is full or the log is off or closing. */
  public void offer(Event e) {
    if (queue == null) {
      return;
    }
    if (closing || !queue.offer(e)) {
      counters.dropped(EventCounters.QUEUE, e.kind(), 1);
    }
  }

  /** Events written and dropped, per sink and kind. */
  public EventCounters counters() {
    return counters;
  }

  /** The sinks' names (for counters' labels). */
  public List<String> sinkNames() {
    return targets.stream().map(t -> t.sink().name()).distinct().toList();
  }

  /** Events waiting in the queue now. */
  public int queued() {
    return queue == null ? 0 : queue.size();
  }

  private void run() {
    List<Event> taken = new ArrayList<>(batch);
    while (true) {
      taken.clear();
      if (closing) {
        queue.drainTo(taken, batch); // closing: what is left, without waiting
      } else {
        try {
          Event first = waitForEvent();
          if (first != null) {
            taken.add(first);
            queue.drainTo(taken, batch - 1);
          }
        } catch (InterruptedException e) {
          // close() woke the wait: the loop drains what is left
        }
      }
      boolean last = closing && queue.isEmpty();
      deliver(taken);
      if (last) {
        return;
      }
    }
  }

  /**
   * The next event, waiting at most one flush interval; {@link #close} interrupts only this wait, never a sink's
   * write (a file channel whose thread is interrupted closes under the write, and the batch would be lost).
   */
  private Event waitForEvent() throws InterruptedException {
    synchronized (wake) {
      if (closing) {
        return null;
      }
      polling = true;
    }
    try {
      return queue.poll(intervalNanos, TimeUnit.NANOSECONDS);
    } finally {
      synchronized (wake) {
        polling = false;
        Thread.interrupted(); // an interrupt that came after the wait ended must not reach the sinks
      }
    }
  }

  /** Hands a batch to every sink, after what each sink has to retry (as much of it as fits into one batch). */
  private void deliver(List<Event> taken) {
    for (Target t : targets) {
      List<Event> send = new ArrayList<>(t.pending().size() + taken.size());
      while (!t.pending().isEmpty() && send.size() < batch) {
        send.add(t.pending().poll());
      }
      boolean retrying = !t.pending().isEmpty();
      send.addAll(taken);
      List<Event> failed = send.isEmpty() ? List.of() : safeWrite(t.sink(), send);
      count(t.sink().name(), send, failed);
      // failed events go back in front of what still waits, oldest first; beyond the buffer they are dropped
      ArrayDeque<Event> keep = new ArrayDeque<>(failed);
      if (retrying) {
        keep.addAll(t.pending());
      }
      t.pending().clear();
      for (Event e : keep) {
        if (t.pending().size() < t.retryBuffer()) {
          t.pending().add(e);
        } else {
          counters.dropped(t.sink().name(), e.kind(), 1);
        }
      }
      t.sink().tick();
    }
  }

  private static List<Event> safeWrite(EventSink sink, List<Event> send) {
    try {
      return sink.write(send);
    } catch (RuntimeException e) {
      log.warn("events: {} failed, retrying: {}", sink, e.toString());
      return send;
    }
  }

  private void count(String sink, List<Event> sent, List<Event> failed) {
    long exposures = 0;
    long feedback = 0;
    for (Event e : sent) {
      if (e.kind() == Event.Kind.EXPOSURE) {
        exposures++;
      } else {
        feedback++;
      }
    }
    for (Event e : failed) {
      if (e.kind() == Event.Kind.EXPOSURE) {
        exposures--;
      } else {
        feedback--;
      }
    }
    counters.written(sink, Event.Kind.EXPOSURE, exposures);
    counters.written(sink, Event.Kind.FEEDBACK, feedback);
  }

  /**
   * Stops taking events, writes what is queued (each sink gets one more try of its retry buffer), closes the sinks;
   * waits for the writer for at most {@code wait}. Events still unwritten then are counted as dropped.
   */
  public void close(Duration wait) {
    synchronized (this) {
      if (writer == null || closing) {
        return; // off, or closed once already (the sinks release their connections once)
      }
      closing = true;
    }
    synchronized (wake) {
      if (polling) {
        writer.interrupt();
      }
    }
    try {
      writer.join(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!writer.isAlive()) {
      for (Event e; (e = queue.poll()) != null; ) {
        counters.dropped(EventCounters.QUEUE, e.kind(), 1); // offered while the writer was finishing
      }
      for (Target t : targets) {
        for (Event e : t.pending()) {
          counters.dropped(t.sink().name(), e.kind(), 1);
        }
        t.pending().clear();
      }
    }
    for (Target t : targets) {
      try {
        t.sink().close();
      } catch (RuntimeException e) {
        log.warn("events: closing {} failed: {}", t.sink(), e.toString());
      }
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}

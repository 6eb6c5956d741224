package dev.vane.gateway.events;

import java.util.List;

/** A destination of events, written by the one writer thread only. */
interface EventSink extends AutoCloseable {
  /** The sink's name in counters. */
  String name();

  /**
   * Writes {@code batch}; returns the events that were not written (to be retried), an empty list when all were.
   * Never throws for a sink's failure (Redis down, disk full): it answers those events.
   */
  List<Event> write(List<Event> batch);

  /** Work due without events (a file's age rotation). */
  default void tick() {}

  @Override
  void close();
}

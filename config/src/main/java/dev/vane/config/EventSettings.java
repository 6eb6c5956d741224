package dev.vane.config;

import java.time.Duration;
import java.util.List;

/**
 * Exposure and feedback events for analysts ({@code events} in the config file): off while {@code sinks} is empty.
 *
 * @param queue         events waiting for the writer at most; a full queue drops the new event (counted)
 * @param batch         events written to a sink at once at most
 * @param flushInterval how often the writer drains the queue
 * @param sinks         where every event goes
 */
public record EventSettings(int queue, int batch, Duration flushInterval, List<Sink> sinks) {
  /** Entries a stream is trimmed to when its sink gives no {@code maxLen}. */
  public static final long DEFAULT_MAX_LEN = 1_000_000;
  /** Bytes a current file grows to when its sink gives no {@code maxBytes}: 64 MiB. */
  public static final long DEFAULT_MAX_BYTES = 64L << 20;
  /** Age of a current file when its sink gives no {@code maxAge}. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(1);

  public EventSettings {
    if (queue < 1) {
      throw new IllegalArgumentException("queue: " + queue + " (expected: >= 1)");
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch: " + batch + " (expected: >= 1)");
    }
    sinks = List.copyOf(sinks);
  }

  /** Whether any sink is configured. */
  public boolean enabled() {
    return !sinks.isEmpty();
  }

  /** The settings of a config without an {@code events} section: no sinks. */
  public static EventSettings defaults() {
    return ConfigAssembly.events(ConfigAssembly.bind(ConfigSchema.get().defaults("/properties/events",
        ConfigSpec.MAPPER.createObjectNode()), ConfigSpec.Events.class));
  }

  /** One destination of every event. */
  public sealed interface Sink permits RedisStream, Jsonl {
    /** Events kept for a retry while the sink fails; the excess is dropped and counted. */
    int retryBuffer();

    /** The sink's name in counters: {@code redis-stream} or {@code jsonl}. */
    String type();
  }

  /**
   * {@code XADD vane:{<experiment>}:events MAXLEN ~ maxLen} on {@code state.redis}.
   *
   * @param maxLen      entries each experiment's stream is trimmed to, about
   * @param retryBuffer events kept for a retry while Redis fails
   */
  public record RedisStream(long maxLen, int retryBuffer) implements Sink {
    @Override
    public String type() {
      return "redis-stream";
    }
  }

  /**
   * JSON lines in {@code dir}: {@code exposures.jsonl} and {@code feedback.jsonl}, renamed to
   * {@code <kind>-YYYYMMDD-HHMMSS-N.jsonl} (UTC) when they would pass {@code maxBytes} or reach {@code maxAge}.
   */
  public record Jsonl(String dir, long maxBytes, Duration maxAge, int retryBuffer) implements Sink {
    @Override
    public String type() {
      return "jsonl";
    }
  }
}

package dev.vane.config;

import java.time.Duration;

/**
 * How long per-arm results over time are kept ({@code timeseries} in the config file).
 *
 * @param minuteWindow minute rows are kept this long (whole minutes, at least one)
 * @param retention    hour rows are kept this long (whole hours, at least {@code minuteWindow})
 */
public record TimeSeriesSettings(Duration minuteWindow, Duration retention) {
  private static final long MINUTE_MILLIS = 60_000L;
  private static final long HOUR_MILLIS = 3_600_000L;

  public TimeSeriesSettings {
    if (minuteWindow == null || minuteWindow.toMillis() < MINUTE_MILLIS || minuteWindow.toMillis() % MINUTE_MILLIS != 0) {
      throw new IllegalArgumentException("minuteWindow: " + minuteWindow + " (expected: whole minutes, at least 1m)");
    }
    if (retention == null || retention.toMillis() % HOUR_MILLIS != 0 || retention.compareTo(minuteWindow) < 0) {
      throw new IllegalArgumentException("retention: " + retention + " (expected: whole hours, at least minuteWindow "
          + minuteWindow + ")");
    }
  }

  /** The settings of a config without a {@code timeseries} section: the defaults of {@code vane.schema.json}. */
  public static TimeSeriesSettings defaults() {
    return ConfigAssembly.timeseries(ConfigAssembly.bind(ConfigSchema.get().defaults("/properties/timeseries",
        ConfigSpec.MAPPER.createObjectNode()), ConfigSpec.TimeSeries.class));
  }

  /** Minutes kept. */
  public int windowMinutes() {
    return (int) (minuteWindow.toMillis() / MINUTE_MILLIS);
  }

  /** Hours kept. */
  public int retentionHours() {
    return (int) (retention.toMillis() / HOUR_MILLIS);
  }
}

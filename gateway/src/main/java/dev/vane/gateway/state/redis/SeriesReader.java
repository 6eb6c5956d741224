package dev.vane.gateway.state.redis;

import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.counters.SeriesPeriod;
import dev.vane.gateway.counters.SeriesRows;
import dev.vane.gateway.counters.TimeSeries;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Reads an experiment version's time-series rows summed over every instance (the hashes {@link RedisFigures}
 * writes, one per minute or hour, all with the experiment's hash tag): one pipelined HGETALL per period still kept.
 */
final class SeriesReader {
  private SeriesReader() {}

  static CompletionStage<SeriesRows> read(RedisClusterAsyncCommands<String, String> a, ExperimentCounters local,
      TimeSeries.Resolution resolution, long fromPeriod, long toPeriod, Duration timeout) {
    TimeSeries series = local.timeSeries();
    long now = series.nowMillis();
    long first = Math.max(fromPeriod, series.oldest(resolution, now));
    long end = Math.min(toPeriod, resolution.period(now) + 1);
    Map<Long, CompletableFuture<Map<String, String>>> reads = new LinkedHashMap<>();
    for (long p = first; p < end; p++) {
      reads.put(p, a.hgetall(RedisKeys.series(local.experimentId(), local.version(), resolution.code(), p))
          .toCompletableFuture());
    }
    return CompletableFuture.allOf(reads.values().toArray(new CompletableFuture[0]))
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(v -> {
          List<SeriesPeriod> rows = new ArrayList<>();
          reads.forEach((p, f) -> {
            Map<String, String> hash = f.join();
            if (!hash.isEmpty()) {
              rows.add(SeriesCodec.read(series.layout(), p * resolution.millis, hash));
            }
          });
          return new SeriesRows("redis", rows);
        });
  }
}

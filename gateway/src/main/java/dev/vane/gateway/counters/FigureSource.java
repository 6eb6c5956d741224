package dev.vane.gateway.counters;

import dev.vane.router.Experiment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Where the experiments API reads figures from: this instance's counters, or the sum over instances in Redis. */
public interface FigureSource extends AutoCloseable {

  /** Figures of {@code experiment}; may complete on any thread; on failure the API falls back to local figures. */
  CompletionStage<Figures.Experiment> read(Experiment experiment, ExperimentCounters local);

  /**
   * The rows of {@code local}'s time series of periods {@code [fromPeriod, toPeriod)} at {@code resolution}: this
   * instance's, or the sum over instances; may complete on any thread; on failure the API falls back to local rows.
   */
  default CompletionStage<SeriesRows> readSeries(Experiment experiment, ExperimentCounters local,
      TimeSeries.Resolution resolution, long fromPeriod, long toPeriod) {
    return CompletableFuture.completedFuture(localSeries(local, resolution, fromPeriod, toPeriod));
  }

  /** This instance's rows of {@code local}'s time series. */
  static SeriesRows localSeries(ExperimentCounters local, TimeSeries.Resolution resolution, long fromPeriod,
      long toPeriod) {
    return new SeriesRows("local", local.timeSeries().read(resolution, fromPeriod, toPeriod));
  }

  /**
   * Response-metric figures of {@code experiment} ({@link ResponseCounters}); this instance's by default. May
   * complete on any thread; on failure the API falls back to local figures.
   */
  default CompletionStage<ResponseCounters.Snapshot> readResponses(Experiment experiment,
      ExperimentCounters local) {
    return CompletableFuture.completedFuture(local.responseSnapshot());
  }

  /** Called for each exposure that carries a unit id (for distinct-unit counting across instances). */
  default void unit(ExperimentCounters stats, String arm, String unit) {}

  /** Start flushing the given snapshot's figures (called on every publish). */
  default void track(java.util.Map<String, ExperimentCounters> stats) {}

  default String describe() {
    return "local (this instance only)";
  }

  @Override
  default void close() {}

  /** This instance's counters only. */
  static FigureSource local() {
    return (e, local) -> CompletableFuture.completedFuture(local.localFigures());
  }
}

package dev.vane.gateway.counters;

import dev.vane.config.Analysis;
import dev.vane.config.TimeSeriesSettings;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import dev.vane.router.Shadow;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** Figures of one version of one experiment: per arm, per shadow, and requests outside the experiment. */
public final class ExperimentCounters {
  private final String experimentId;
  private final String version;
  private final Instant since;
  private final Map<String, ArmCounters> arms;
  private final Map<String, ShadowCounters> shadows;
  /** Requests forced by the override header. */
  private final LongAdder overrides = new LongAdder();
  /** Requests that failed targeting (served by the control, not exposures). */
  private final LongAdder notTargeted = new LongAdder();
  /** Requests outside coverage (served by the control, not exposures). */
  private final LongAdder notCovered = new LongAdder();
  /** Requests of a paused experiment (served by the control, not exposures). */
  private final LongAdder paused = new LongAdder();

  private final OutcomeCounters outcomes;
  private final TimeSeries series;
  private final ResponseCounters responses;
  private final CalibrationCounters calibration;
  private final ReferenceSketches references;

  public ExperimentCounters(Experiment e, Instant since) {
    this(e, Analysis.NONE, since);
  }

  public ExperimentCounters(Experiment e, Analysis analysis, Instant since) {
    this(e, analysis, since, System::currentTimeMillis);
  }

  /** @param millis the wall clock of the time series, in milliseconds since the epoch */
  public ExperimentCounters(Experiment e, Analysis analysis, Instant since, LongSupplier millis) {
    this(e, analysis, since, millis, TimeSeriesSettings.defaults());
  }

  /**
   * @param millis     the wall clock of the time series, in milliseconds since the epoch
   * @param timeseries how long the time series keeps minutes and hours
   */
  public ExperimentCounters(Experiment e, Analysis analysis, Instant since, LongSupplier millis,
      TimeSeriesSettings timeseries) {
    this.outcomes = new OutcomeCounters(e, analysis);
    this.responses = new ResponseCounters(e, analysis);
    this.calibration = new CalibrationCounters(e, analysis);
    this.references = new ReferenceSketches(e, analysis, since.toEpochMilli(), millis);
    this.experimentId = e.id();
    this.version = e.version();
    this.since = since;
    this.series = new TimeSeries(new SeriesPeriod.Layout(e.arms().stream().map(Arm::id).toList(),
        e.shadows().stream().map(Shadow::id).toList(), analysis.metrics().stream().map(Analysis.Metric::name).toList()),
        millis, timeseries.windowMinutes(), timeseries.retentionHours());
    Map<String, ArmCounters> a = new LinkedHashMap<>();
    for (int i = 0; i < e.arms().size(); i++) {
      a.put(e.arms().get(i).id(), new ArmCounters(series, i));
    }
    Map<String, ShadowCounters> s = new LinkedHashMap<>();
    for (int i = 0; i < e.shadows().size(); i++) {
      s.put(e.shadows().get(i).id(), new ShadowCounters(series, i));
    }
    this.arms = Map.copyOf(a);
    this.shadows = Map.copyOf(s);
  }

  /** A request forced onto an arm by the override header (not an exposure). */
  public void recordOverride() {
    overrides.increment();
  }

  /** A request that missed the experiment's targeting (served by the control, not an exposure). */
  public void recordNotTargeted() {
    notTargeted.increment();
  }

  /** A request outside the experiment's coverage (served by the control, not an exposure). */
  public void recordNotCovered() {
    notCovered.increment();
  }

  /** A request of a paused experiment (served by the control, not an exposure). */
  public void recordPaused() {
    paused.increment();
  }

  public String experimentId() {
    return experimentId;
  }

  public String version() {
    return version;
  }

  public Instant since() {
    return since;
  }

  public ArmCounters arm(String id) {
    return arms.get(id);
  }

  public ShadowCounters shadow(String id) {
    return shadows.get(id);
  }

  /** Results over time: per arm and shadow, rows per minute and per hour. */
  public TimeSeries timeSeries() {
    return series;
  }

  /**
   * One accepted outcome, in the time series at the minute and hour of its exposure ({@code exposureMillis}, epoch
   * milliseconds); binary metrics count positive events only, as {@link OutcomeCounters#outcome}.
   */
  public void outcomeOverTime(String arm, String metric, double value, long exposureMillis) {
    series.outcome(series.layout().arms().indexOf(arm), series.layout().metrics().indexOf(metric), value,
        exposureMillis);
  }

  /** Feedback outcomes. */
  public OutcomeCounters outcomes() {
    return outcomes;
  }

  /** Each arm's reference window of the response metrics that declare {@code driftReference}. */
  public ReferenceSketches references() {
    return references;
  }

  public CalibrationCounters calibration() {
    return calibration;
  }

  /** Response metrics, per arm and per shadow. */
  public ResponseCounters responses() {
    return responses;
  }

  /** This instance's response metrics with its calibration and reference-window figures. */
  public ResponseCounters.Snapshot responseSnapshot() {
    ResponseCounters.Snapshot r = responses.snapshot();
    return new ResponseCounters.Snapshot(r.arms(), r.shadows(), calibration.figures(), references.sketches());
  }

  public Map<String, ArmCounters> arms() {
    return arms;
  }

  public Map<String, ShadowCounters> shadows() {
    return shadows;
  }

  /** This instance's figures since the experiment version started here. */
  public Figures.Experiment localFigures() {
    return figures(true);
  }

  /**
   * This instance's counters; with {@code full}, also latency histograms and outcome sums (without, those are null
   * and empty, for a flusher that ships them separately).
   */
  public Figures.Experiment figures(boolean full) {
    Map<String, Figures.Arm> a = new LinkedHashMap<>();
    arms.forEach((id, st) -> a.put(id, st.figures(full)));
    Map<String, Figures.Shadow> s = new LinkedHashMap<>();
    shadows.forEach((id, st) -> s.put(id, st.figures(full)));
    return new Figures.Experiment("local", overrides.sum(), notTargeted.sum(), notCovered.sum(), paused.sum(),
        a, s, full ? outcomes.snapshot() : OutcomeCounters.Snapshot.EMPTY);
  }
}

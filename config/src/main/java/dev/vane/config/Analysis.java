package dev.vane.config;

import java.time.Duration;
import java.util.List;

/**
 * How an experiment is measured and, for bandits, learned from.
 *
 * @param metrics           declared outcome metrics (feedback joins to them by name)
 * @param slices            dimensions to break results down by
 * @param sliceCrosses      pairs of those dimensions to break results down by at once (each counted as a dimension
 *                          named {@link Cross#name()} whose values are pairs)
 * @param attributionWindow feedback older than this (after its request) is rejected
 * @param bandit            Thompson-sampling settings for {@code policy: thompson}, else null
 * @param rollout           the canary's progressive rollout, else null
 * @param responseMetrics   numbers read from each served and mirrored response body
 */
public record Analysis(List<Metric> metrics, List<Slice> slices, List<Cross> sliceCrosses,
    Duration attributionWindow, Bandit bandit, Rollout rollout, List<ResponseMetric> responseMetrics) {
  /** No metrics, no slices, no bandit, no rollout; the schema's default attribution window. */
  public static final Analysis NONE = new Analysis(List.of(), List.of(), List.of(), ConfigSchema.get().defaultDuration(
      "/properties/experiments/items/properties/attributionWindow"), null, null);

  /** Without response metrics. */
  public Analysis(List<Metric> metrics, List<Slice> slices, List<Cross> sliceCrosses, Duration attributionWindow,
      Bandit bandit, Rollout rollout) {
    this(metrics, slices, sliceCrosses, attributionWindow, bandit, rollout, List.of());
  }

  /** How a pointer to an array becomes one number. */
  public enum Aggregate {
    /** The first element. */
    FIRST,
    /** The largest element. */
    MAX,
    /** The index (from 0) of the largest element; the first one on ties. */
    ARGMAX
  }

  /** A figure of OpenAI-style responses. */
  public enum Builtin {
    /** {@code usage.prompt_tokens} of a JSON body or of a stream's last chunk that carries usage. */
    PROMPT_TOKENS("usage.prompt_tokens"),
    /** {@code usage.completion_tokens}, likewise. */
    COMPLETION_TOKENS("usage.completion_tokens"),
    /** {@code usage.total_tokens}, likewise. */
    TOTAL_TOKENS("usage.total_tokens"),
    /** Server-sent events: ms from the request sent upstream to the first event with non-empty content. */
    TTFT("ttft"),
    /** Server-sent events: mean ms between consecutive events with non-empty content (needs two). */
    INTER_TOKEN("inter_token");

    private final String id;

    Builtin(String id) {
      this.id = id;
    }

    /** The name in config files. */
    public String id() {
      return id;
    }

    /** The built-in named {@code id} in config files, or null. */
    public static Builtin of(String id) {
      for (Builtin b : values()) {
        if (b.id.equals(id)) {
          return b;
        }
      }
      return null;
    }

    /** Whether it is read from a server-sent-event stream's timing rather than from a body's usage. */
    public boolean timing() {
      return this == TTFT || this == INTER_TOKEN;
    }
  }

  /**
   * A number read from each response: either a JSON pointer (with an aggregate for arrays) or a built-in.
   *
   * @param name         the metric's name in results (distinct from the outcome metrics' names)
   * @param pointer      RFC 6901 pointer into the JSON body, or null for a built-in
   * @param aggregate    what an array at the pointer yields, or null for a built-in
   * @param builtin      the built-in figure, or null for a pointer
   * @param maxBodyBytes bodies longer than this are skipped (counted as {@code too_large})
   * @param calibrates   the binary outcome metric this value is a predicted probability of (its calibration is
   *                     reported), or null
   * @param driftReference the length of each arm's reference window from the start of the experiment's version
   *                       (later values are compared with it), or null for none
   */
  public record ResponseMetric(String name, String pointer, Aggregate aggregate, Builtin builtin,
      long maxBodyBytes, String calibrates, java.time.Duration driftReference) {
    /** Default {@code maxBodyBytes}: 1 MiB. */
    public static final long DEFAULT_MAX_BODY_BYTES = 1 << 20;

    public ResponseMetric {
      if ((pointer == null) == (builtin == null)) {
        throw new IllegalArgumentException("pointer, builtin: " + pointer + ", " + builtin
            + " (expected: exactly one)");
      }
      if (maxBodyBytes < 0) {
        throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " (expected: >= 0)");
      }
    }

    /** A response metric that calibrates nothing, without a reference window. */
    public ResponseMetric(String name, String pointer, Aggregate aggregate, Builtin builtin, long maxBodyBytes) {
      this(name, pointer, aggregate, builtin, maxBodyBytes, null, null);
    }

    /** A response metric without a reference window. */
    public ResponseMetric(String name, String pointer, Aggregate aggregate, Builtin builtin, long maxBodyBytes,
        String calibrates) {
      this(name, pointer, aggregate, builtin, maxBodyBytes, calibrates, null);
    }
  }

  /** The response metric {@code name}, or null. */
  public ResponseMetric responseMetric(String name) {
    for (ResponseMetric m : responseMetrics) {
      if (m.name().equals(name)) {
        return m;
      }
    }
    return null;
  }

  /**
   * A canary's progressive rollout: steps of canary percent, each advanced when its minimums are met and no
   * guardrail shows harm, rolled back when one does.
   *
   * @param shadowFirst           the mirrored-only stage before any real traffic, or null
   * @param steps                 canary percent steps; the last is 100 (reaching it promotes)
   * @param guardrails            metrics judged canary against champion ({@code errorRate}, {@code latency}, or a
   *                              declared guardrail metric) with their tolerated relative harm
   * @param srm                   whether a sample-ratio mismatch halts the rollout
   * @param alpha                 false-rollback rate of the whole rollout under continuous monitoring
   * @param analysisInterval      how often the guardrails are judged
   * @param maxStepDuration       how long a step may hold before {@code onInconclusive} applies
   * @param rollbackInconclusive  true: roll back when a step holds past maxStepDuration; false: keep holding
   * @param requireNonInferiority advance only when every guardrail's harm upper bound is below its margin
   * @param webhooks              the promotion gate and the events receiver, or null
   */
  public record Rollout(ShadowFirst shadowFirst, List<Step> steps, List<Guardrail> guardrails, boolean srm,
      double alpha, Duration analysisInterval, Duration maxStepDuration, boolean rollbackInconclusive,
      boolean requireNonInferiority, Webhooks webhooks) {
    public Rollout {
      steps = List.copyOf(steps);
      guardrails = List.copyOf(guardrails);
    }
  }

  /** The mirrored-only stage: at least {@code minCompared} comparisons, agreement and latency ratio within bounds. */
  public record ShadowFirst(long minCompared, double minAgreement, double maxLatencyRatio) {}

  /** One step: the canary's percent, and the canary exposures and time in the step before it may advance. */
  public record Step(int percent, long minExposures, Duration minDuration) {}

  /** A guardrail: {@code errorRate}, {@code latency} or a declared metric, and its tolerated relative harm. */
  public record Guardrail(String metric, double margin) {}

  /**
   * @param confirmPromotion called before each advance and promotion (non-2xx or timeout holds), or null
   * @param events           receives every decision, or null
   * @param secret           HMAC key of the signature header, or null
   * @param timeout          per call
   */
  public record Webhooks(String confirmPromotion, String events, String secret, Duration timeout) {
    @Override
    public String toString() {
      return "Webhooks[confirmPromotion=" + Redaction.uri(String.valueOf(confirmPromotion)) + ", events="
          + Redaction.uri(String.valueOf(events)) + ", secret=" + (secret == null ? "none" : "***") + "]";
    }
  }

  public Analysis {
    metrics = List.copyOf(metrics);
    slices = List.copyOf(slices);
    sliceCrosses = List.copyOf(sliceCrosses);
    responseMetrics = List.copyOf(responseMetrics);
  }

  /** Without crosses of slice dimensions. */
  public Analysis(List<Metric> metrics, List<Slice> slices, Duration attributionWindow, Bandit bandit,
      Rollout rollout) {
    this(metrics, slices, List.of(), attributionWindow, bandit, rollout, List.of());
  }

  /**
   * A cross of two declared slice dimensions: its results break down by the pair of their values.
   *
   * @param first  a declared slice dimension
   * @param second another one
   */
  public record Cross(String first, String second) {
    /** Joins the two dimension names in {@link #name()} (slice names are ids, which cannot hold it). */
    public static final char JOIN = '+';

    public Cross {
      if (first.equals(second)) {
        throw new IllegalArgumentException("second: " + second + " (expected: another dimension than first)");
      }
    }

    /** The cross's dimension name in results: {@code first+second}, e.g. {@code country+device}. */
    public String name() {
      return first + JOIN + second;
    }
  }

  /** The index of the declared slice dimension {@code name}, or -1. */
  public int sliceIndex(String name) {
    for (int i = 0; i < slices.size(); i++) {
      if (slices.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** The metric a bandit optimises and Simpson checks use: the primary one, else the first; null when none. */
  public Metric primary() {
    for (Metric m : metrics) {
      if (m.primary()) {
        return m;
      }
    }
    return metrics.isEmpty() ? null : metrics.get(0);
  }

  public Metric metric(String name) {
    for (Metric m : metrics) {
      if (m.name().equals(name)) {
        return m;
      }
    }
    return null;
  }

  /**
   * @param name           metric name used in feedback
   * @param binary         binary (0/1 per event; rate = positive events / exposures) or continuous (mean of values)
   * @param higherIsBetter direction
   * @param primary        the primary metric
   * @param guardrail      a guardrail
   * @param min            smallest value a feedback event may carry (binary: 0)
   * @param max            largest value a feedback event may carry (binary: 1)
   */
  public record Metric(String name, boolean binary, boolean higherIsBetter, boolean primary, boolean guardrail,
      double min, double max) {
    /**
     * Bound on |value| of a continuous metric without {@code min}/{@code max}: 1e12 (a trillion, in any unit).
     *
     * <p>Outcome sums must stay finite: after n events of |value| <= B the sum of squares is at most n * B^2. With
     * n below 2^63 (event counts are longs) and B = {@link #MAX_BOUND} = 1e15 that is under 9.3e48, far below
     * {@link Double#MAX_VALUE} (1.8e308), so neither the sum nor the sum of squares can overflow in memory or in
     * Redis (whose HINCRBYFLOAT refuses a non-finite result). The default is a thousand times tighter so that a
     * stray huge value is refused rather than swamping the mean.
     */
    public static final double DEFAULT_BOUND = 1e12;
    /** Largest |min| or |max| a config may declare: 1e15 (doubles hold every integer up to 9.007e15 exactly). */
    public static final double MAX_BOUND = 1e15;

    public Metric {
      if (!(min <= max) || !(Math.abs(min) <= MAX_BOUND) || !(Math.abs(max) <= MAX_BOUND)) {
        throw new IllegalArgumentException("min, max: " + min + ", " + max + " (expected: -" + MAX_BOUND
            + " <= min <= max <= " + MAX_BOUND + ")");
      }
    }

    /** A metric with the default range: 0..1 for a binary metric, +-{@link #DEFAULT_BOUND} for a continuous one. */
    public Metric(String name, boolean binary, boolean higherIsBetter, boolean primary, boolean guardrail) {
      this(name, binary, higherIsBetter, primary, guardrail, binary ? 0 : -DEFAULT_BOUND,
          binary ? 1 : DEFAULT_BOUND);
    }

    /** Whether a feedback value is finite and within {@code min..max}. */
    public boolean accepts(double value) {
      return value >= min && value <= max; // false for NaN
    }
  }

  /**
   * @param name      dimension name
   * @param header    request header carrying the value, or null
   * @param bodyField top-level JSON body field carrying the value, or null
   * @param maxValues distinct values tracked; later ones are grouped as {@code other}
   */
  public record Slice(String name, String header, String bodyField, int maxValues) {}

  /**
   * @param minExplorationPercent each arm gets at least this share of decisions
   * @param warmup                exposures before the posterior is used (uniform allocation until then)
   * @param refreshInterval       how often the posterior snapshot is rebuilt from the shared figures
   * @param topTwo                top-two Thompson sampling
   * @param priorAlpha            Beta prior alpha (binary metrics)
   * @param priorBeta             Beta prior beta (binary metrics)
   */
  public record Bandit(double minExplorationPercent, long warmup, Duration refreshInterval, boolean topTwo,
      double priorAlpha, double priorBeta) {}
}

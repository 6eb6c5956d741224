package dev.vane.gateway.feedback;

import dev.vane.config.Analysis;
import dev.vane.gateway.counters.CalibrationCounters;
import dev.vane.gateway.counters.CounterRegistry;
import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.router.RecentTable;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins feedback events to the arm that served their request (or their unit's latest exposure) and adds them to
 * that arm's outcome sums, exactly once per event id.
 *
 * <p>Attributions are kept locally (bounded, expiring) and shared through the {@link FeedbackBackend} so feedback
 * may arrive at any instance. Event ids are deduplicated locally first, then across instances.
 *
 * <p>The local attributions and event ids live in {@link RecentTable}s: per request one 24-byte slot for the request
 * and, for a new unit, one for the unit, and no object, so holding a million of them costs the garbage collector
 * nothing. What an attribution says besides its time (experiment, version, arm, slice values) is interned once as a
 * context, and a slot holds the context's index and the time.
 *
 * <p>Why one file of ~410 lines: validation, the join, deduplication and counting of an event are one transaction
 * over the same two tables, and splitting them would spread that invariant over several classes.
 */
public final class FeedbackService {
  private static final Logger log = LoggerFactory.getLogger(FeedbackService.class);
  /** Events in one batch at most. */
  public static final int MAX_BATCH = 10_000;
  private static final long MAX_SKEW_MILLIS = 60_000;
  /** Latest event timestamp accepted: 9999-12-31T23:59:59.999Z (the earliest is the epoch). */
  static final long MAX_TIMESTAMP_MILLIS = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();
  /** Characters of a client's string (event id, metric, request id, value) echoed in an answer at most. */
  static final int ECHO_CHARS = 128;

  private final java.util.concurrent.atomic.LongAdder accepted = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder duplicates = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder rejected = new java.util.concurrent.atomic.LongAdder();
  private final Supplier<Duration> maxWindow;
  private final CounterRegistry registry;
  private final FeedbackBackend backend;
  private final LongSupplier clock;
  private final RecentTable attributions;
  private final RecentTable seen;
  /** Attribution templates (time 0) by context index; grows under the lock, read without it. */
  private volatile Attribution[] contexts = new Attribution[16];
  private final ConcurrentHashMap<Context, Integer> contextIds = new ConcurrentHashMap<>();
  private int contextCount; // guarded by this
  /** Times are stored as milliseconds after this (42 bits: about 69 years either side of the start). */
  private final long timeBase;
  private final boolean shares;
  private volatile AcceptedListener listener = AcceptedListener.NONE;

  /** Context indexes take the top 22 bits of a slot's value (plus one, so no value is 0). */
  static final int MAX_CONTEXTS = (1 << 21) - 1;
  private static final int TIME_BITS = 42;
  private static final long TIME_MASK = (1L << TIME_BITS) - 1;

  private record Context(String experiment, String version, String arm, List<String> slices, int day) {}

  /**
   * @param maxWindow the longest attribution window of the current config (bounds remote lookups)
   * @param maxLocal  attributions and event ids kept in memory at most (each)
   */
  public FeedbackService(Supplier<Duration> maxWindow, CounterRegistry registry, FeedbackBackend backend,
      LongSupplier clockMillis, long maxLocal, Duration localTtl) {
    this.maxWindow = maxWindow;
    this.registry = registry;
    this.backend = backend;
    this.clock = clockMillis;
    this.attributions = new RecentTable(maxLocal, localTtl, 4, System::nanoTime);
    this.seen = new RecentTable(maxLocal, localTtl, 4, System::nanoTime);
    this.timeBase = clockMillis.getAsLong() - (1L << (TIME_BITS - 1));
    this.shares = backend.shares();
  }

  /**
   * Events answered since start, by their result's status.
   *
   * @param accepted  counted toward their experiment's outcomes
   * @param duplicate an event id seen before (not counted again)
   * @param rejected  invalid, unattributable or failed events
   */
  public record Counts(long accepted, long duplicate, long rejected) {}

  /** Events answered since start, by status (every event of {@link #ingest} counts once). */
  public Counts counts() {
    return new Counts(accepted.sum(), duplicates.sum(), rejected.sum());
  }

  /** Tells {@code l} of every event accepted from now on (one listener; {@link AcceptedListener#NONE}: nobody). */
  public void onAccepted(AcceptedListener l) {
    this.listener = l;
  }

  static String requestKey(String requestId) {
    return "r:" + requestId;
  }

  /** Where a calibrated prediction is shared: {@code c:<experiment> US <request id> US <response metric>}. */
  static String predictionKey(String experiment, String requestId, String metric) {
    return "c:" + experiment + "\u001f" + requestId + "\u001f" + metric;
  }

  /**
   * A calibrated prediction measured here ({@link CalibrationCounters.Sink}): shared, so that a positive outcome
   * arriving at another instance can join it; as {@code <version> US <arm> US <p>}.
   */
  public void predicted(CalibrationCounters counters, String arm, String requestId, String metric, double p) {
    if (!shares) {
      return;
    }
    ExperimentCounters es = registry.get(counters.experimentId(), counters.version());
    if (es == null) {
      return;
    }
    backend.shareValue(predictionKey(counters.experimentId(), requestId, metric),
        counters.version() + "\u001f" + arm + "\u001f" + p, clock.getAsLong(),
        es.outcomes().analysis().attributionWindow());
  }

  /**
   * Joins a positive outcome of binary {@code metric} for {@code requestId} to the calibrated predictions of that
   * request, once across instances: this instance's own, or those shared by the instance that served it. Without a
   * shared store, this instance's alone. Completes when the join is counted (or known impossible); never fails.
   */
  private CompletionStage<Void> joinCalibration(ExperimentCounters es, String requestId, String metric,
      Duration window) {
    CalibrationCounters cal = es.calibration();
    List<String> predictors = cal.calibrating(metric);
    if (predictors.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    if (!shares) {
      cal.positive(requestId, metric);
      return CompletableFuture.completedFuture(null);
    }
    List<CalibrationCounters.Prediction> here = cal.take(requestId, metric);
    // the join is an event of its own: only the first instance to claim it counts it
    String claim = "\u001fcalibration\u001f" + requestId + "\u001f" + metric;
    return backend.firstSeen(es.experimentId(), claim, window).thenCompose(first -> {
      if (!first) {
        return CompletableFuture.<Void>completedFuture(null);
      }
      if (!here.isEmpty()) {
        here.forEach(x -> cal.positive(x.arm(), x.metric(), x.p()));
        return CompletableFuture.<Void>completedFuture(null);
      }
      List<CompletableFuture<String>> found = new ArrayList<>();
      for (String m : predictors) {
        found.add(backend.lookupValue(predictionKey(es.experimentId(), requestId, m), window)
            .toCompletableFuture());
      }
      return CompletableFuture.allOf(found.toArray(new CompletableFuture[0])).thenAccept(v -> {
        boolean joined = false;
        for (int i = 0; i < predictors.size(); i++) {
          String[] f = found.get(i).join() == null ? null : found.get(i).join().split("\u001f", -1);
          if (f != null && f.length == 3 && f[0].equals(es.version())) {
            try {
              cal.positive(f[1], predictors.get(i), Double.parseDouble(f[2]));
              joined = true;
            } catch (NumberFormatException bad) {
              // not written by this code: not joined
            }
          }
        }
        if (!joined) {
          cal.unjoined();
        }
      });
    }).exceptionally(t -> {
      cal.unjoined(); // the shared store did not answer: the outcome stays counted, its calibration join is lost
      return null;
    });
  }

  static String unitKey(String experiment, String unit) {
    return "u:" + experiment + "\u001f" + unit;
  }

  /** Remembers which arm served a request (and the unit's latest exposure) for later feedback. */
  public void exposed(ExperimentCounters es, String arm, String requestId, String unit, String[] sliceValues) {
    exposed(es, arm, requestId, unit, sliceValues, -1);
  }

  /**
   * {@link #exposed(ExperimentCounters, String, String, String, String[])} of a request {@code day} whole days after
   * its unit's first exposure to the arm (-1: unknown); its feedback is counted for that day too (the novelty check).
   */
  public void exposed(ExperimentCounters es, String arm, String requestId, String unit, String[] sliceValues,
      int day) {
    long at = clock.getAsLong();
    int ctx = contextId(es.experimentId(), es.version(), arm, sliceValues, day);
    if (ctx >= 0) {
      long value = ((long) (ctx + 1) << TIME_BITS) | ((at - timeBase) & TIME_MASK);
      RecentTable.Hasher r = requestHash(requestId);
      attributions.put(r.h1(), r.h2(), value);
      if (unit != null) {
        RecentTable.Hasher u = unitHash(es.experimentId(), unit);
        attributions.put(u.h1(), u.h2(), value);
      }
    }
    if (shares) {
      Duration window = es.outcomes().analysis().attributionWindow();
      Attribution a = new Attribution(es.experimentId(), es.version(), arm, at, sliceValues, day);
      backend.share(requestKey(requestId), a, window);
      if (unit != null) {
        backend.share(unitKey(es.experimentId(), unit), a, window);
      }
    }
  }

  private static RecentTable.Hasher requestHash(String requestId) {
    return new RecentTable.Hasher().add("r").add(requestId);
  }

  private static RecentTable.Hasher unitHash(String experiment, String unit) {
    return new RecentTable.Hasher().add("u").add(experiment).add(unit);
  }

  /** The local attribution of a request ({@code unit == null}) or of a unit's latest exposure, or null. */
  private Attribution local(String requestId, String experiment, String unit) {
    RecentTable.Hasher h = requestId != null ? requestHash(requestId) : unitHash(experiment, unit);
    long v = attributions.get(h.h1(), h.h2());
    if (v == 0) {
      return null;
    }
    Attribution t = contexts[(int) (v >>> TIME_BITS) - 1];
    return new Attribution(t.experiment(), t.version(), t.arm(), timeBase + (v & TIME_MASK), t.sliceValues(),
        t.day());
  }

  /** The index of an attribution context, registering it the first time; -1 when the table of contexts is full. */
  private int contextId(String experiment, String version, String arm, String[] sliceValues, int day) {
    Context c = new Context(experiment, version, arm, Arrays.asList(sliceValues), day);
    Integer id = contextIds.get(c);
    return id != null ? id : register(c, sliceValues);
  }

  private synchronized int register(Context c, String[] sliceValues) {
    Integer id = contextIds.get(c);
    if (id != null) {
      return id;
    }
    if (contextCount == MAX_CONTEXTS) {
      return -1; // 2 million distinct experiment versions x arms x slice values: not kept locally
    }
    Attribution[] a = contexts;
    if (contextCount == a.length) {
      a = Arrays.copyOf(a, a.length * 2);
    }
    a[contextCount] = new Attribution(c.experiment(), c.version(), c.arm(), 0, sliceValues.clone(), c.day());
    contexts = a; // published before the id can be read from contextIds
    contextIds.put(c, contextCount);
    return contextCount++;
  }

  /** Outcome of one event. */
  public record Result(int index, String eventId, String status, int httpStatus, String code, String message) {
    JsonObject json() {
      JsonObject o = new JsonObject().put("index", index).put("eventId", echo(eventId)).put("status", status);
      if (code != null) {
        o.put("code", code).put("message", message);
      }
      return o;
    }
  }

  /** {@link #seen} values: an event id counted (or being checked), or one whose shared check failed. */
  private static final long SEEN = 1;
  private static final long RETRY = 2;

  private static Result rejected(int i, String eventId, int http, String code, String message) {
    return new Result(i, eventId, "rejected", http, code, message);
  }

  /**
   * Ingests a body: one event object, or {@code {"events": [...]}}, or a bare array.
   *
   * @throws IllegalArgumentException when the body's shape is wrong as a whole
   */
  public CompletionStage<List<Result>> ingest(Object body) {
    return ingest(body, null);
  }

  /**
   * Ingests a body as {@link #ingest(Object)}; the stage always completes with one result per event: an event whose
   * processing throws is answered {@code internal} (500) and logged with {@code requestId} (the feedback request's
   * id, for the log only).
   *
   * @throws IllegalArgumentException when the body's shape is wrong as a whole
   */
  public CompletionStage<List<Result>> ingest(Object body, String requestId) {
    JsonArray events;
    if (body instanceof JsonObject o && o.containsKey("events")) {
      Object ev = o.getValue("events");
      if (!(ev instanceof JsonArray arr)) {
        throw new IllegalArgumentException("events: expected a list of event objects");
      }
      events = arr;
    } else if (body instanceof JsonObject o) {
      events = new JsonArray().add(o);
    } else if (body instanceof JsonArray arr) {
      events = arr;
    } else {
      throw new IllegalArgumentException("body: expected an event object or {\"events\": [...]}");
    }
    if (events.size() > MAX_BATCH) {
      throw new IllegalArgumentException("events: " + events.size() + " (expected: at most " + MAX_BATCH + ")");
    }
    List<CompletableFuture<Result>> out = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      int index = i;
      CompletionStage<Result> r;
      try {
        r = one(i, events.getValue(i));
      } catch (RuntimeException e) {
        r = CompletableFuture.failedFuture(e);
      }
      out.add(r.toCompletableFuture().exceptionally(t -> {
        log.error("feedback event {} of request {} failed", index, requestId, t);
        return rejected(index, null, 500, "internal", "internal error while counting this event");
      }));
    }
    return CompletableFuture.allOf(out.toArray(new CompletableFuture[0]))
        .thenApply(v -> {
          List<Result> results = out.stream().map(CompletableFuture::join).toList();
          for (Result r : results) {
            switch (r.status()) {
              case "accepted" -> accepted.increment();
              case "duplicate" -> duplicates.increment();
              default -> rejected.increment();
            }
          }
          return results;
        });
  }

  private CompletionStage<Result> one(int i, Object raw) {
    if (!(raw instanceof JsonObject e)) {
      return done(rejected(i, null, 400, "invalid_event", "event: expected an object"));
    }
    String eventId = str(e, "eventId");
    if (eventId == null || eventId.isEmpty() || eventId.length() > 200) {
      return done(rejected(i, eventId, 400, "invalid_event", eventId == null || eventId.isEmpty()
          ? "eventId: missing (expected: a string of 1..200 characters)"
          : "eventId: " + eventId.length() + " characters (expected: 1..200)"));
    }
    String metric = str(e, "metric");
    if (metric == null) {
      return done(rejected(i, eventId, 400, "invalid_event", "metric: missing (expected: a declared metric name)"));
    }
    Object rawValue = e.getValue("value");
    boolean isBoolean = rawValue instanceof Boolean;
    double value;
    if (rawValue instanceof Boolean b) {
      value = b ? 1 : 0;
    } else if (rawValue instanceof Number n && Double.isFinite(n.doubleValue())) {
      value = n.doubleValue() + 0.0; // -0.0 counts as 0
    } else {
      return done(rejected(i, eventId, 400, "invalid_value", "value: " + echo(describe(rawValue))
          + " (expected: a finite number, or a boolean for a binary metric)"));
    }
    Long eventTime;
    try {
      eventTime = time(e.getValue("timestamp"));
    } catch (IllegalArgumentException ex) {
      return done(rejected(i, eventId, 400, "invalid_event", ex.getMessage()));
    }
    String shownMetric = echo(metric);
    String requestId = str(e, "requestId");
    String unit = str(e, "unitId");
    String experiment = str(e, "experiment");
    if (requestId == null && (unit == null || experiment == null)) {
      return done(rejected(i, eventId, 400, "invalid_event", "expected requestId, or unitId and experiment"));
    }
    Attribution local = local(requestId, experiment, unit);
    CompletionStage<Attribution> found = local != null ? CompletableFuture.completedFuture(local)
        : backend.lookup(requestId != null ? requestKey(requestId) : unitKey(experiment, unit), maxWindow.get())
            .exceptionally(t -> null);
    return found.thenCompose(a -> {
      if (a == null) {
        return done(rejected(i, eventId, 404, requestId != null ? "unknown_request" : "unknown_unit",
            requestId != null ? "no request " + echo(requestId) + " within the attribution window"
                : "no exposure of unit " + echo(unit) + " in experiment " + echo(experiment)
                    + " within the attribution window"));
      }
      if (experiment != null && !experiment.equals(a.experiment())) {
        return done(rejected(i, eventId, 400, "experiment_mismatch", "request " + echo(requestId)
            + " was in experiment " + a.experiment() + ", not " + echo(experiment)));
      }
      ExperimentCounters es = registry.get(a.experiment(), a.version());
      if (es == null) {
        return done(rejected(i, eventId, 410, "unknown_version", "experiment " + a.experiment() + " version "
            + a.version() + " is not served by this instance"));
      }
      Analysis analysis = es.outcomes().analysis();
      Analysis.Metric m = analysis.metric(metric);
      if (m == null) {
        return done(rejected(i, eventId, 404, "unknown_metric", "metric " + shownMetric
            + " is not declared by experiment " + a.experiment()));
      }
      if (m.binary() && value != 0 && value != 1) {
        return done(rejected(i, eventId, 400, "invalid_value", "value: " + echo(describe(rawValue))
            + " (expected: 0, 1, true or false for binary metric " + shownMetric + ")"));
      }
      if (!m.binary() && (isBoolean || !m.accepts(value))) {
        return done(rejected(i, eventId, 400, "invalid_value", "value: " + echo(describe(rawValue))
            + " (expected: a number in " + m.min() + ".." + m.max() + " for metric " + shownMetric + ")"));
      }
      long at = eventTime != null ? eventTime : clock.getAsLong();
      if (at - a.atMillis() > analysis.attributionWindow().toMillis()) {
        return done(rejected(i, eventId, 410, "expired", "the event came " + (at - a.atMillis()) + " ms after its request"
            + " (attribution window " + analysis.attributionWindow().toMillis() + " ms)"));
      }
      if (a.atMillis() - at > MAX_SKEW_MILLIS) {
        return done(rejected(i, eventId, 400, "before_request", "timestamp is before the request it refers to"));
      }
      RecentTable.Hasher dedupe = new RecentTable.Hasher().add("e").add(a.experiment()).add(eventId);
      long h1 = dedupe.h1();
      long h2 = dedupe.h2();
      // SEEN: counted (or being checked) here; RETRY: its shared check failed, the client was told to send it again
      long prior = seen.putIfAbsent(h1, h2, SEEN);
      if (prior == SEEN || (prior == RETRY && !seen.compareAndSet(h1, h2, RETRY, SEEN))) {
        return done(new Result(i, eventId, "duplicate", 200, null, null));
      }
      return backend.firstSeen(a.experiment(), eventId, analysis.attributionWindow())
          .handle((first, failed) -> {
            if (failed != null) {
              // the shared store did not answer: counting now could count the event twice (another instance may
              // get it too), so refuse it for now and let the client retry with the same eventId
              seen.compareAndSet(h1, h2, SEEN, RETRY);
              return done(rejected(i, eventId, 503, "deduplication_unavailable", "the shared store that "
                  + "deduplicates event ids did not answer; send the event again with the same eventId"));
            }
            if (!first) {
              return done(new Result(i, eventId, "duplicate", 200, null, null));
            }
            boolean counted = !m.binary() || value == 1;
            if (counted) {
              es.outcomes().outcome(a.arm(), a.sliceValues(), a.day(), metric, value);
              es.outcomeOverTime(a.arm(), metric, value, a.atMillis());
            }
            listener.accepted(a, eventId, metric, value, counted, at, requestId, unit);
            Result ok = new Result(i, eventId, "accepted", 200, null, null);
            if (counted && m.binary() && requestId != null) {
              return joinCalibration(es, requestId, metric, analysis.attributionWindow()).thenApply(v -> ok);
            }
            return done(ok);
          }).thenCompose(r -> r);
    });
  }

  private static CompletionStage<Result> done(Result r) {
    return CompletableFuture.completedFuture(r);
  }

  private static String str(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Number n) {
      return n.toString();
    }
    return null;
  }

  /**
   * An event's time in epoch milliseconds, null when absent.
   *
   * @throws IllegalArgumentException unless an RFC 3339 string or a number of milliseconds from 1970-01-01 to
   *     9999-12-31 (so that no later arithmetic on it can overflow)
   */
  private static Long time(Object v) {
    if (v == null) {
      return null;
    }
    String expected = " (expected: RFC 3339 or epoch milliseconds, 1970-01-01 to 9999-12-31)";
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (!(d >= 0 && d <= MAX_TIMESTAMP_MILLIS)) {
        throw new IllegalArgumentException("timestamp: " + echo(n.toString()) + expected);
      }
      return n.longValue();
    }
    if (v instanceof String s) {
      Instant t;
      try {
        t = Instant.parse(s);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("timestamp: \"" + echo(s) + "\"" + expected);
      }
      if (t.getEpochSecond() < 0 || t.getEpochSecond() > MAX_TIMESTAMP_MILLIS / 1000) {
        throw new IllegalArgumentException("timestamp: \"" + echo(s) + "\"" + expected);
      }
      return t.toEpochMilli();
    }
    throw new IllegalArgumentException("timestamp: " + echo(describe(v)) + expected);
  }

  /** A JSON value as shown in a message: strings quoted, containers by their kind only. */
  private static String describe(Object v) {
    if (v instanceof String s) {
      return "\"" + s + "\"";
    }
    if (v instanceof JsonObject) {
      return "an object";
    }
    if (v instanceof JsonArray) {
      return "a list";
    }
    return String.valueOf(v);
  }

  /**
   * A client's string as echoed in an answer: at most {@value #ECHO_CHARS} characters, a longer one cut (not inside
   * a surrogate pair) and marked with an ellipsis; null stays null.
   */
  public static String echo(String s) {
    if (s == null || s.length() <= ECHO_CHARS) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(ECHO_CHARS - 1)) ? ECHO_CHARS - 1 : ECHO_CHARS;
    return s.substring(0, end) + "…";
  }

  /** Builds the response body. */
  public static JsonObject response(List<Result> results) {
    int accepted = 0;
    int duplicates = 0;
    int rejected = 0;
    JsonArray arr = new JsonArray();
    for (Result r : results) {
      switch (r.status()) {
        case "accepted" -> accepted++;
        case "duplicate" -> duplicates++;
        default -> rejected++;
      }
      arr.add(r.json());
    }
    return new JsonObject().put("accepted", accepted).put("duplicates", duplicates).put("rejected", rejected)
        .put("results", arr);
  }
}

package dev.vane.gateway.webhook;

import dev.vane.config.Redaction;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rollout's two webhooks: {@code confirmPromotion}, asked before each advance (a step holds unless it answers 2xx
 * in time), and {@code events}, told every decision (queued, delivered in order, retried with {@link Backoff},
 * never blocking the caller).
 *
 * <p>Every call is a {@code POST} of the JSON with these headers:
 * <ul>
 *   <li>{@code Content-Type: application/json}</li>
 *   <li>{@code X-Vane-Event}: the JSON's {@code type} field ({@code confirmPromotion} or {@code event} when it has
 *       none, or one that is not a token of letters, digits and {@code ._:-})</li>
 *   <li>{@code X-Vane-Delivery}: a random UUID per confirmation or event, the same on every retry of one event
 *       (receivers deduplicate on it: delivery is at least once)</li>
 *   <li>{@code X-Vane-Timestamp}: when this attempt was sent, in epoch seconds</li>
 *   <li>{@code X-Vane-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>}, only with a secret (see
 *       {@link WebhookSignature}); receivers recompute it over the raw body, compare in constant time and refuse
 *       old timestamps</li>
 * </ul>
 * A call counts as accepted on a 2xx status (redirects are not followed); it fails on any other status, a refused or
 * broken connection, or no status within the timeout (connect, idle and an overall deadline, each the timeout).
 * Logs show the URLs through {@link Redaction#uri(String)} and never the secret. Thread-safe: every method may be
 * called from any thread; the calls themselves run on one Vert.x context, taken at construction.
 */
public final class Webhooks implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Webhooks.class);
  /** A response body beyond this is not read to its end: the connection is reset instead. */
  static final int MAX_DISCARDED_BYTES = 64 * 1024;
  /** What {@code X-Vane-Event} may carry from a JSON's {@code type}. */
  private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

  private final Vertx vertx;
  private final Context context;
  private final HttpClientAgent client;
  private final Target confirmTarget;
  private final Target eventsTarget;
  private final long timeoutMs;
  private final int maxQueued;
  private final Backoff backoff;
  /** Null: calls go unsigned. Used on {@link #context} only. */
  private final WebhookSignature signature;

  // touched on the context only
  /** Events waiting behind {@link #current}, oldest first. */
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  /** The event being sent or waiting for its retry; null when none is. */
  private Pending current;
  private long retryTimer = -1;
  /** Whether a drop was logged since the last delivery (one warning per run of drops). */
  private boolean dropLogged;

  private volatile boolean closed;
  private final LongAdder delivered = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder abandoned = new LongAdder();
  private final LongAdder confirmed = new LongAdder();
  private final LongAdder failedConfirmations = new LongAdder();
  private final AtomicInteger queued = new AtomicInteger();

  /**
   * Webhooks with {@link Backoff#DEFAULT}.
   *
   * @param confirmPromotionUrl http(s) URL asked before each advance, or null: every advance is confirmed
   * @param eventsUrl           http(s) URL told every event, or null: events are discarded
   * @param secret              HMAC-SHA256 key for {@code X-Vane-Signature}, or null: calls go unsigned
   * @param timeout             per call: to connect, between bytes, and for the whole call until its status
   * @param maxQueued           events that may wait behind the one being delivered, >= 1
   * @throws IllegalArgumentException on a URL that is not absolute http(s), an empty secret, a timeout <= 0 or
   *                                  maxQueued < 1 (the message shows URLs redacted)
   */
  public Webhooks(Vertx vertx, String confirmPromotionUrl, String eventsUrl, String secret, Duration timeout,
      int maxQueued) {
    this(vertx, confirmPromotionUrl, eventsUrl, secret, timeout, maxQueued, Backoff.DEFAULT);
  }

  /** As {@link #Webhooks(Vertx, String, String, String, Duration, int)}, with events retried per {@code backoff}. */
  public Webhooks(Vertx vertx, String confirmPromotionUrl, String eventsUrl, String secret, Duration timeout,
      int maxQueued, Backoff backoff) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(timeout, "timeout");
    this.backoff = Objects.requireNonNull(backoff, "backoff");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
    if (maxQueued < 1) {
      throw new IllegalArgumentException("maxQueued: " + maxQueued + " (expected: >= 1)");
    }
    this.confirmTarget = Target.of("confirmPromotion", confirmPromotionUrl);
    this.eventsTarget = Target.of("events", eventsUrl);
    this.signature = secret == null ? null : new WebhookSignature(secret);
    this.timeoutMs = Math.max(1, timeout.toMillis());
    this.maxQueued = maxQueued;
    this.context = vertx.getOrCreateContext();
    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs))
        .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs)).setIdleTimeoutUnit(TimeUnit.MILLISECONDS));
  }

  /**
   * POSTs {@code decision} to {@code confirmPromotion}. Completes (never fails) with true when the receiver answers
   * 2xx within the timeout, false otherwise (the reason is logged), and true at once without a URL. After
   * {@link #close()}: false.
   */
  public Future<Boolean> confirm(JsonObject decision) {
    Objects.requireNonNull(decision, "decision");
    if (confirmTarget == null) {
      return Future.succeededFuture(true);
    }
    if (closed) {
      failedConfirmations.increment();
      log.warn("webhook confirmPromotion {}: not asked, the webhooks are closed", confirmTarget.shown);
      return Future.succeededFuture(false);
    }
    Pending call = new Pending(UUID.randomUUID().toString(), type(decision, "confirmPromotion"),
        decision.toBuffer(), System.nanoTime());
    Promise<Boolean> answer = Promise.promise();
    context.runOnContext(v -> post(confirmTarget, call).onComplete(ar -> {
      if (ar.succeeded()) {
        confirmed.increment();
        answer.complete(true);
      } else {
        failedConfirmations.increment();
        log.warn("webhook confirmPromotion {}: delivery {} ({}) not confirmed: {}", confirmTarget.shown, call.id,
            call.type, ar.cause().getMessage());
        answer.complete(false);
      }
    }));
    return answer.future();
  }

  /**
   * Queues {@code event} for the {@code events} URL and returns at once (its JSON is encoded now, so later changes
   * to the object are not sent). Events are sent one at a time, oldest first; a failed one is retried per the
   * {@link Backoff} before the next is sent, and given up (counted as abandoned) after its last attempt. When
   * {@code maxQueued} events already wait, the oldest waiting one is dropped (counted). Without a URL, or after
   * {@link #close()}, the event is discarded.
   */
  public void event(JsonObject event) {
    Objects.requireNonNull(event, "event");
    if (eventsTarget == null || closed) {
      return;
    }
    Pending p = new Pending(UUID.randomUUID().toString(), type(event, "event"), event.toBuffer(), System.nanoTime());
    context.runOnContext(v -> enqueue(p));
  }

  /**
   * A snapshot of the counters since construction: {@code delivered} (events a receiver accepted), {@code retried}
   * (attempts after an event's first), {@code dropped} (events pushed out of a full queue), {@code abandoned} (events
   * given up after their last attempt), {@code confirmed} and {@code failedConfirmations} (confirmPromotion calls
   * answered 2xx / not), and {@code queued} (events now waiting or being sent, a gauge).
   */
  public Map<String, Long> counters() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("delivered", delivered.sum());
    m.put("retried", retried.sum());
    m.put("dropped", dropped.sum());
    m.put("abandoned", abandoned.sum());
    m.put("confirmed", confirmed.sum());
    m.put("failedConfirmations", failedConfirmations.sum());
    m.put("queued", (long) queued.get());
    return Collections.unmodifiableMap(m);
  }

  /**
   * Stops at once: no retry or further event is sent, the events still queued are discarded (and not counted), and
   * the calls under way are cut (a confirmation under way completes false). Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    context.runOnContext(v -> {
      if (retryTimer >= 0) {
        vertx.cancelTimer(retryTimer);
        retryTimer = -1;
      }
      int discarded = queue.size() + (current != null ? 1 : 0);
      if (discarded > 0) {
        log.info("webhook events {}: closed with {} undelivered event(s)", eventsTarget.shown, discarded);
      }
      queue.clear();
      current = null;
      queued.set(0);
      client.close();
    });
  }

  // ---- the events queue, on the context ----

  private void enqueue(Pending p) {
    if (closed) {
      return;
    }
    if (queue.size() >= maxQueued) {
      Pending oldest = queue.pollFirst();
      dropped.increment();
      if (!dropLogged) {
        dropLogged = true;
        log.warn("webhook events {}: queue full ({} waiting), dropping the oldest ({} {}) and any more until one "
            + "is delivered", eventsTarget.shown, maxQueued, oldest.type, oldest.id);
      }
    }
    queue.addLast(p);
    queued.set(queue.size() + (current != null ? 1 : 0));
    sendNext();
  }

  private void sendNext() {
    if (closed || current != null) {
      return;
    }
    current = queue.pollFirst();
    queued.set(queue.size() + (current != null ? 1 : 0));
    if (current != null) {
      attempt(current);
    }
  }

  private void attempt(Pending p) {
    p.attempts++;
    post(eventsTarget, p).onComplete(ar -> {
      if (closed || current != p) {
        return;
      }
      if (ar.succeeded()) {
        delivered.increment();
        dropLogged = false;
        current = null;
        sendNext();
      } else {
        failed(p, ar.cause().getMessage());
      }
    });
  }

  private void failed(Pending p, String reason) {
    long delay = backoff.delayMillis(p.attempts);
    long ageAtRetryMs = (System.nanoTime() - p.queuedNanos) / 1_000_000 + delay;
    if (p.attempts >= backoff.maxAttempts() || ageAtRetryMs > backoff.maxAge().toMillis()) {
      abandoned.increment();
      log.warn("webhook events {}: giving up delivery {} ({}) after {} attempt(s): {}", eventsTarget.shown, p.id,
          p.type, p.attempts, reason);
      current = null;
      sendNext();
      return;
    }
    if (p.attempts == 1) {
      log.warn("webhook events {}: delivery {} ({}) failed, retrying with backoff: {}", eventsTarget.shown, p.id,
          p.type, reason);
    } else {
      log.debug("webhook events {}: delivery {} ({}) attempt {} failed, next in {} ms: {}", eventsTarget.shown, p.id,
          p.type, p.attempts, delay, reason);
    }
    retryTimer = vertx.setTimer(delay, id -> {
      retryTimer = -1;
      if (!closed && current == p) {
        retried.increment();
        attempt(p);
      }
    });
  }

  // ---- one call, on the context ----

  /**
   * One POST of {@code p} to {@code t}: succeeds on a 2xx status, fails with a reason fit for the log otherwise.
   * The client's connect and idle timeouts bound each phase; the deadline timer bounds the whole call until the
   * status arrives (RequestOptions' own timeout is not an overall deadline).
   */
  private Future<Void> post(Target t, Pending p) {
    if (closed) {
      return Future.failedFuture("closed");
    }
    long sentAt = System.currentTimeMillis() / 1000;
    RequestOptions ro;
    try {
      ro = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(t.url)
          .setFollowRedirects(false).setConnectTimeout(timeoutMs).setIdleTimeout(timeoutMs)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .putHeader("X-Vane-Event", p.type)
          .putHeader("X-Vane-Delivery", p.id)
          .putHeader("X-Vane-Timestamp", Long.toString(sentAt));
    } catch (RuntimeException e) {
      return Future.failedFuture("not a usable URL");
    }
    if (signature != null) {
      ro.putHeader("X-Vane-Signature", signature.sign(sentAt, p.body.getBytes()));
    }
    Promise<Void> result = Promise.promise();
    HttpClientRequest[] sent = new HttpClientRequest[1];
    long deadline = vertx.setTimer(timeoutMs, id -> {
      if (result.tryFail("no answer within " + timeoutMs + " ms") && sent[0] != null) {
        reset(sent[0]);
      }
    });
    client.request(ro).compose(req -> {
      sent[0] = req;
      if (result.future().isComplete()) {
        reset(req);
        return Future.failedFuture("no answer within " + timeoutMs + " ms");
      }
      return req.send(p.body);
    }).onComplete(ar -> {
      vertx.cancelTimer(deadline);
      if (ar.failed()) {
        result.tryFail(reason(ar.cause()));
        return;
      }
      HttpClientResponse resp = ar.result();
      discardBody(resp);
      int status = resp.statusCode();
      if (status >= 200 && status < 300) {
        result.tryComplete();
      } else {
        result.tryFail("HTTP status " + status);
      }
    });
    return result.future();
  }

  /** Reads the answer's body away (so that its connection can be reused), or resets it when it runs long. */
  private static void discardBody(HttpClientResponse resp) {
    resp.exceptionHandler(ignored -> {});
    int[] read = new int[1];
    resp.handler(b -> {
      read[0] += b.length();
      if (read[0] > MAX_DISCARDED_BYTES) {
        resp.handler(null);
        reset(resp.request());
      }
    });
  }

  private static void reset(HttpClientRequest req) {
    try {
      req.reset();
    } catch (IllegalStateException ended) {
      // the exchange had ended already: nothing to cut
    }
  }

  /** An exception as a log reason: its message with any URI credentials hidden, or its class when it has none. */
  private static String reason(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : Redaction.text(m);
  }

  /** The JSON's {@code type} when it is a short token fit for a header, else {@code otherwise}. */
  private static String type(JsonObject json, String otherwise) {
    Object t = json.getValue("type");
    return t instanceof String s && TYPE.matcher(s).matches() ? s : otherwise;
  }

  /** An event or a confirmation: its delivery id, type and body are fixed when it is made. */
  private static final class Pending {
    final String id;
    final String type;
    final Buffer body;
    final long queuedNanos;
    int attempts;

    Pending(String id, String type, Buffer body, long queuedNanos) {
      this.id = id;
      this.type = type;
      this.body = body;
      this.queuedNanos = queuedNanos;
    }
  }

  /** A webhook's URL, and how logs show it. */
  private record Target(String url, String shown) {
    static Target of(String name, String url) {
      if (url == null) {
        return null;
      }
      String shown = Redaction.uri(url);
      try {
        URI u = new URI(url);
        String scheme = u.getScheme();
        if (("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) && u.getHost() != null) {
          return new Target(url, shown);
        }
      } catch (URISyntaxException e) {
        // refused below
      }
      throw new IllegalArgumentException(name + ": " + shown + " (expected: an absolute http or https URL)");
    }
  }
}

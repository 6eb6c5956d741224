package dev.vane.gateway.webhook;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.SecretWatch;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.IntUnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Webhooks} against real HTTP receivers on loopback; signatures checked with javax.crypto.Mac directly. */
@Timeout(30)
class WebhooksTest {
  static final String SECRET = SecretWatch.secret("hmac");
  static Vertx vertx;
  final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) { // webhooks before their receivers
      toClose.get(i).close();
    }
  }

  @Test
  void aConfirmationAnswered200IsTrueAndCarriesSignedHeaders() {
    Receiver r = receiver(n -> 200);
    Webhooks hooks = hooks(r.url, null, SECRET, Duration.ofSeconds(2), 10);
    JsonObject decision = new JsonObject().put("type", "advance").put("experiment", "fraud").put("toPercent", 25);
    long before = System.currentTimeMillis() / 1000;

    assertTrue(hooks.confirm(decision).await());

    Call c = r.calls.get(0);
    assertEquals(decision, new JsonObject(c.body));
    assertEquals("application/json", c.header("Content-Type"));
    assertEquals("advance", c.header("X-Vane-Event"));
    UUID.fromString(c.header("X-Vane-Delivery"));
    long ts = Long.parseLong(c.header("X-Vane-Timestamp"));
    assertTrue(ts >= before && ts <= System.currentTimeMillis() / 1000 + 1, "timestamp " + ts);
    assertTrue(validSignature(SECRET, c), "signature " + c.header("X-Vane-Signature"));
    assertFalse(validSignature(SECRET + "x", c), "another key must not verify");
    assertEquals(1L, hooks.counters().get("confirmed"));

    hooks.close();
    assertFalse(hooks.confirm(decision).await(), "closed: not confirmed");
    assertEquals(1, r.calls.size());
  }

  @Test
  void aConfirmationAnswered500IsFalseAndLogsNoCredential() {
    Receiver r = receiver(n -> 500);
    String withPassword = r.url.replace("http://", "http://hook:" + SecretWatch.secret("hookpw") + "@");
    Webhooks hooks = hooks(withPassword, null, SECRET, Duration.ofSeconds(2), 10);

    assertFalse(hooks.confirm(new JsonObject().put("type", "promote")).await());
    assertEquals(1, r.calls.size());
    assertEquals(1L, hooks.counters().get("failedConfirmations"));
    // the log line shows the URL as http://hook:***@...; NoSecretLeakedTest fails the suite if the password shows
  }

  @Test
  void aConfirmationNeverAnsweredIsFalseAfterTheTimeout() {
    Receiver r = receiver(n -> -1);
    Webhooks hooks = hooks(r.url, null, SECRET, Duration.ofMillis(300), 10);
    long t0 = System.nanoTime();

    assertFalse(hooks.confirm(new JsonObject().put("type", "advance")).await());

    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms >= 250 && ms < 3000, "answered after " + ms + " ms");
    assertEquals(1L, hooks.counters().get("failedConfirmations"));
  }

  @Test
  void aConfirmationRefusedIsFalse() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Webhooks hooks = hooks("http://127.0.0.1:" + port + "/confirm", null, SECRET, Duration.ofSeconds(2), 10);

    assertFalse(hooks.confirm(new JsonObject().put("type", "advance")).await());
    assertEquals(1L, hooks.counters().get("failedConfirmations"));
  }

  @Test
  void withoutAConfirmationUrlEveryAdvanceIsConfirmed() {
    Webhooks hooks = hooks(null, null, null, Duration.ofSeconds(1), 10);
    assertTrue(hooks.confirm(new JsonObject()).await());
  }

  @Test
  void withoutASecretCallsGoUnsigned() {
    Receiver r = receiver(n -> 204);
    Webhooks hooks = hooks(r.url, null, null, Duration.ofSeconds(2), 10);
    assertTrue(hooks.confirm(new JsonObject()).await());
    assertNull(r.calls.get(0).header("X-Vane-Signature"));
    assertEquals("confirmPromotion", r.calls.get(0).header("X-Vane-Event"));
  }

  @Test
  void eventsArriveInOrderEachSignedWithItsOwnDeliveryId() {
    Receiver r = receiver(n -> 200);
    Webhooks hooks = hooks(null, r.url, SECRET, Duration.ofSeconds(2), 100);

    for (int i = 0; i < 20; i++) {
      hooks.event(new JsonObject().put("type", i % 2 == 0 ? "hold" : "advance").put("seq", i));
    }

    eventually(() -> hooks.counters().get("delivered") == 20, "20 events delivered");
    assertEquals(20, r.calls.size());
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      Call c = r.calls.get(i);
      assertEquals(i, new JsonObject(c.body).getInteger("seq"));
      assertEquals(i % 2 == 0 ? "hold" : "advance", c.header("X-Vane-Event"));
      assertTrue(validSignature(SECRET, c), "signature of event " + i);
      ids.add(c.header("X-Vane-Delivery"));
    }
    assertEquals(20, ids.size());
    assertEquals(0L, hooks.counters().get("retried"));
    assertEquals(0L, hooks.counters().get("queued"));
  }

  @Test
  void aReceiverFailingThreeTimesGetsEachEventOnceAfterRetries() {
    Receiver r = receiver(n -> n < 3 ? 500 : 200);
    Webhooks hooks = hooks(null, r.url, SECRET, Duration.ofSeconds(2), 100); // 100, 200, 400 ms of backoff

    for (int i = 0; i < 3; i++) {
      hooks.event(new JsonObject().put("type", "advance").put("seq", i));
    }

    eventually(() -> hooks.counters().get("delivered") == 3, "3 events delivered");
    assertEquals(6, r.calls.size());
    String first = r.calls.get(0).header("X-Vane-Delivery");
    for (int i = 0; i < 4; i++) {
      assertEquals(first, r.calls.get(i).header("X-Vane-Delivery"), "a retry keeps its delivery id");
      assertTrue(validSignature(SECRET, r.calls.get(i)), "signature of attempt " + i);
    }
    // what a receiver deduplicating on X-Vane-Delivery keeps: each event once, in order
    Set<String> seen = new HashSet<>();
    List<Integer> kept = new CopyOnWriteArrayList<>();
    for (Call c : r.calls) {
      if (c.status / 100 == 2 && seen.add(c.header("X-Vane-Delivery"))) {
        kept.add(new JsonObject(c.body).getInteger("seq"));
      }
    }
    assertEquals(List.of(0, 1, 2), kept);
    assertEquals(3L, hooks.counters().get("retried"));
    assertEquals(0L, hooks.counters().get("abandoned"));
  }

  @Test
  void anEventIsGivenUpAfterItsLastAttemptAndTheNextOneGoesOut() {
    Receiver r = receiver(n -> n < 3 ? 500 : 200);
    Webhooks hooks = hooks(null, r.url, SECRET, Duration.ofSeconds(2), 100,
        new Backoff(Duration.ofMillis(10), Duration.ofMillis(20), 3, Duration.ofMinutes(1)));

    hooks.event(new JsonObject().put("type", "hold").put("seq", 0));
    hooks.event(new JsonObject().put("type", "hold").put("seq", 1));

    eventually(() -> hooks.counters().get("delivered") == 1, "the second event delivered");
    assertEquals(4, r.calls.size());
    assertEquals(1, new JsonObject(r.calls.get(3).body).getInteger("seq"));
    assertEquals(1L, hooks.counters().get("abandoned"));
    assertEquals(2L, hooks.counters().get("retried"));
  }

  @Test
  void theCallerNeverWaitsForAStuckReceiver() throws Exception {
    Receiver r = receiver(n -> -1);
    Webhooks hooks = hooks(null, r.url, SECRET, Duration.ofSeconds(10), 1000);

    long t0 = System.nanoTime();
    for (int i = 0; i < 200; i++) {
      hooks.event(new JsonObject().put("type", "hold").put("seq", i));
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;

    assertTrue(ms < 1000, "200 events took " + ms + " ms to hand over");
    eventually(() -> hooks.counters().get("queued") == 200, "200 events queued");
    Thread.sleep(100);
    assertEquals(1, r.calls.size(), "one event at a time: the rest wait behind the stuck one");
    assertEquals(0, new JsonObject(r.calls.get(0).body).getInteger("seq"));
  }

  @Test
  void aFullQueueDropsTheOldestAndCountsIt() {
    Receiver r = receiver(n -> n == 0 ? -1 : 200);
    Webhooks hooks = hooks(null, r.url, SECRET, Duration.ofSeconds(10), 3);

    for (int i = 0; i < 6; i++) { // 0 is sent (and stuck), 1..3 wait, 4 and 5 push out 1 and 2
      hooks.event(new JsonObject().put("type", "hold").put("seq", i));
    }
    eventually(() -> hooks.counters().get("dropped") == 2 && r.held.size() == 1, "2 dropped, 1 held");
    r.held.get(0).setStatusCode(200).end();

    eventually(() -> hooks.counters().get("delivered") == 4, "4 events delivered");
    List<Integer> seqs = r.calls.stream().map(c -> new JsonObject(c.body).getInteger("seq")).toList();
    assertEquals(List.of(0, 3, 4, 5), seqs);
    assertEquals(2L, hooks.counters().get("dropped"));
  }

  @Test
  void closeStopsRetries() throws Exception {
    Receiver r = receiver(n -> 503);
    Webhooks hooks = hooks(null, r.url, SECRET, Duration.ofSeconds(2), 10,
        new Backoff(Duration.ofMillis(30), Duration.ofMillis(30), 1000, Duration.ofMinutes(1)));

    hooks.event(new JsonObject().put("type", "rollback"));
    eventually(() -> r.calls.size() >= 3, "3 attempts");
    hooks.close();
    Thread.sleep(100); // an attempt under way as close() was called may still land
    int attempts = r.calls.size();
    Thread.sleep(400);

    assertEquals(attempts, r.calls.size(), "no attempt after close()");
    assertEquals(0L, hooks.counters().get("queued"));
    hooks.event(new JsonObject().put("type", "rollback")); // ignored
    Thread.sleep(100);
    assertEquals(attempts, r.calls.size(), "no event sent after close()");
  }

  @Test
  void aBadUrlIsRefusedWithItsPasswordHidden() {
    String pw = SecretWatch.secret("urlpw");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Webhooks(vertx, "ftp://u:" + pw + "@example.com/x", null, null, Duration.ofSeconds(1), 1));
    assertEquals("confirmPromotion: ftp://u:***@example.com/x (expected: an absolute http or https URL)",
        e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new Webhooks(vertx, null, "http://example.com/", "", Duration.ofSeconds(1), 1));
    assertThrows(IllegalArgumentException.class,
        () -> new Webhooks(vertx, null, "http://example.com/", null, Duration.ZERO, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new Webhooks(vertx, null, "http://example.com/", null, Duration.ofSeconds(1), 0));
  }

  @Test
  void backoffDoublesFromTheFirstWaitUpToTheMax() {
    Backoff b = Backoff.DEFAULT;
    assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 3200L, 6400L, 12800L, 25600L, 30000L, 30000L),
        java.util.stream.IntStream.rangeClosed(1, 11).mapToObj(b::delayMillis).toList());
    assertEquals(30000L, b.delayMillis(1000));
  }

  @Test
  void theSignatureIsWhatPythonsHmacComputes() {
    // python3: "sha256=" + hmac.new(b"k", b"1700000000" + b"." + b'{"a":1}', hashlib.sha256).hexdigest()
    assertEquals("sha256=1b6ad1bc9bf48c52ce01939866d5877c6cc4e87ddad27e16673cb8c4964394a3",
        new WebhookSignature("k").sign(1_700_000_000L, "{\"a\":1}".getBytes(UTF_8)));
  }

  // ---- fixtures ----

  /**
   * The receiver's check, as a receiver would write it: HMAC-SHA256 of "timestamp.body" in hex, compared in
   * constant time.
   */
  static boolean validSignature(String secret, Call c) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(UTF_8), "HmacSHA256"));
      String expected = "sha256=" + HexFormat.of().formatHex(
          mac.doFinal((c.header("X-Vane-Timestamp") + "." + c.body).getBytes(UTF_8)));
      String got = c.header("X-Vane-Signature");
      return got != null && MessageDigest.isEqual(expected.getBytes(UTF_8), got.getBytes(UTF_8));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  Webhooks hooks(String confirmUrl, String eventsUrl, String secret, Duration timeout, int maxQueued) {
    return hooks(confirmUrl, eventsUrl, secret, timeout, maxQueued, Backoff.DEFAULT);
  }

  Webhooks hooks(String confirmUrl, String eventsUrl, String secret, Duration timeout, int maxQueued, Backoff b) {
    Webhooks w = new Webhooks(vertx, confirmUrl, eventsUrl, secret, timeout, maxQueued, b);
    toClose.add(w);
    return w;
  }

  Receiver receiver(IntUnaryOperator status) {
    Receiver r = new Receiver(status);
    toClose.add(r);
    return r;
  }

  static void eventually(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 5 s: " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** One request a receiver read, and the status it answered (-1: none). */
  record Call(MultiMap headers, String body, int status) {
    String header(String name) {
      return headers.get(name);
    }
  }

  /** A loopback HTTP receiver that records every request and answers the n-th (from 0) with status(n). */
  static final class Receiver implements AutoCloseable {
    final List<Call> calls = new CopyOnWriteArrayList<>();
    /** Responses of requests left unanswered (status < 0). */
    final List<HttpServerResponse> held = new CopyOnWriteArrayList<>();
    final HttpServer server;
    final String url;

    Receiver(IntUnaryOperator status) {
      server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
        int s = status.applyAsInt(calls.size());
        calls.add(new Call(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), b.toString(UTF_8), s));
        if (s < 0) {
          held.add(req.response());
        } else {
          req.response().setStatusCode(s).end();
        }
      })).listen(0, "127.0.0.1").await();
      url = "http://127.0.0.1:" + server.actualPort() + "/hooks";
    }

    @Override
    public void close() {
      server.close().await();
    }
  }
}

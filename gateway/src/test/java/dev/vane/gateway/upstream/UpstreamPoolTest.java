package dev.vane.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.config.EndpointSettings;
import dev.vane.gateway.http.Errors;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link UpstreamPool} against a real HTTP server on loopback that counts the connections it accepts. */
class UpstreamPoolTest {
  static Vertx vertx;
  static HttpServer server;
  static final AtomicInteger accepted = new AtomicInteger();
  /** The server's connections open now; each test starts with none (see {@link #reset()}). */
  static final Set<HttpConnection> openNow = ConcurrentHashMap.newKeySet();
  /** Per request: how long to wait before answering (ms), and extra response headers. */
  static volatile long sleepMs;
  static volatile String connectionHeader;
  static volatile String keepAliveHeader;
  /** > 0: the server closes the connection this long after answering (without a Connection: close header). */
  static volatile long dropAfterAnswerMs;
  Context ctx;
  final AtomicLong now = new AtomicLong(1_000_000);

  @BeforeAll
  static void startServer() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer(new HttpServerOptions().setIdleTimeout(0))
        .connectionHandler(c -> {
          accepted.incrementAndGet();
          openNow.add(c);
          c.closeHandler(v -> openNow.remove(c));
        })
        .requestHandler(req -> req.body().onSuccess(b -> {
          Runnable answer = () -> {
            var res = req.response();
            if (connectionHeader != null) {
              res.putHeader("Connection", connectionHeader);
            }
            if (keepAliveHeader != null) {
              res.putHeader("Keep-Alive", keepAliveHeader);
            }
            res.end("ok:" + req.uri());
            long drop = dropAfterAnswerMs;
            if (drop > 0) {
              vertx.setTimer(drop, t -> req.connection().close());
            }
          };
          if (sleepMs > 0) {
            vertx.setTimer(sleepMs, t -> answer.run());
          } else {
            answer.run();
          }
        }))
        .listen(0, "127.0.0.1").await();
    // One exchange through a pool before any test: on a cold JVM, loading the HTTP client and server code held an
    // event loop for over 2 s on a loaded machine, past the first test's request timeout.
    Promise<String> warm = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      UpstreamPool pool = new UpstreamPool(vertx, endpoint(1, 1, 30_000), () -> 0L);
      get(pool, "/warm-up", 30_000).onComplete(ar -> {
        pool.close();
        warm.handle(ar);
      });
    });
    warm.future().await(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopServer() {
    vertx.close().await();
  }

  /**
   * The server sees an earlier test's connections close a little after that test closed its pool: a test taking a
   * baseline then could count one of them as open and see it close later. So every test starts with none open (any
   * left are closed here and waited for).
   */
  @BeforeEach
  void reset() throws Exception {
    for (HttpConnection c : openNow) {
      c.close();
    }
    awaitTrue(openNow::isEmpty, "the connections of earlier tests closed");
    sleepMs = 0;
    connectionHeader = null;
    keepAliveHeader = null;
    dropAfterAnswerMs = 0;
    ctx = vertx.getOrCreateContext();
  }

  static EndpointSettings endpoint(int maxConnections, int maxPending, long timeoutMs) {
    return new EndpointSettings("up", URI.create("http://127.0.0.1:" + server.actualPort()),
        Duration.ofMillis(timeoutMs), Duration.ofSeconds(2), maxConnections, 64, maxPending);
  }

  /** Runs {@code c} on the pool's event loop and waits for the future it returns. */
  <T> T on(Callable<Future<T>> c) throws Exception {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> {
      try {
        c.call().onComplete(p);
      } catch (Exception e) {
        p.fail(e);
      }
    });
    return p.future().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** Whether a request through the pool completes, with its body or failure. */
  static Future<String> get(UpstreamPool pool, String uri, long timeoutMs) {
    return pool.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(uri).setIdleTimeout(timeoutMs))
        .compose(req -> req.send())
        .compose(res -> res.body())
        .map(b -> b.toString());
  }

  UpstreamPool pool(EndpointSettings ep) throws Exception {
    return on(() -> Future.succeededFuture(new UpstreamPool(vertx, ep, now::get)));
  }

  void close(UpstreamPool pool) throws Exception {
    on(() -> {
      pool.close();
      return Future.succeededFuture();
    });
  }

  /** A pool figure, read on its loop. */
  int figure(Callable<Integer> read) throws Exception {
    return on(() -> Future.succeededFuture(read.call()));
  }

  static void awaitTrue(Callable<Boolean> cond, String what) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!cond.call()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void sequentialRequestsReuseOneConnection() throws Exception {
    UpstreamPool pool = pool(endpoint(8, 16, 2000));
    int before = accepted.get();
    for (int i = 0; i < 50; i++) {
      int n = i;
      assertEquals("ok:/r" + n, on(() -> get(pool, "/r" + n, 2000)));
    }
    assertEquals(1, accepted.get() - before, "one keep-alive connection for 50 sequential requests");
    assertEquals(1, figure(pool::idle));
    close(pool);
  }

  @Test
  void abandoningAResponseThatArrivedWholeLeavesItsPooledConnectionAlone() throws Exception {
    UpstreamPool pool = pool(endpoint(8, 16, 2000));
    int before = accepted.get();
    // a response read whole: its connection is back in the pool; then its reader gives up on it (a client that left
    // while the response was being written to it), which must not close the connection under the next request
    String first = on(() -> pool.request(new RequestOptions().setMethod(HttpMethod.GET).setURI("/a")
            .setIdleTimeout(2000))
        .compose(req -> req.send())
        .compose(res -> res.body().map(b -> {
          UpstreamCalls.abandon(res);
          return b.toString();
        })));
    assertEquals("ok:/a", first);
    for (int i = 0; i < 5; i++) {
      int n = i;
      assertEquals("ok:/b" + n, on(() -> get(pool, "/b" + n, 2000)));
    }
    assertEquals(1, accepted.get() - before, "the connection stayed open and carried the next requests");
    close(pool);
  }

  @Test
  void atMostMaxConnectionsOpenTheRestWaitThenOverflowIsTooBusy() throws Exception {
    sleepMs = 300;
    UpstreamPool pool = pool(endpoint(2, 2, 5000));
    int before = accepted.get();
    List<Future<String>> calls = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    on(() -> {
      for (int i = 0; i < 5; i++) {
        calls.add(get(pool, "/c" + i, 5000).onFailure(failures::add));
      }
      return Future.succeededFuture();
    });
    // 2 open, 2 waiting, the fifth fails at once
    assertEquals(2, figure(pool::open));
    assertEquals(2, figure(pool::waiting));
    awaitTrue(() -> calls.stream().allMatch(Future::isComplete), "all five calls done");
    long ok = calls.stream().filter(Future::succeeded).count();
    assertEquals(4, ok, "two served at once, two after waiting: " + failures);
    assertEquals(1, failures.size());
    assertInstanceOf(ConnectionPoolTooBusyException.class, failures.get(0));
    assertEquals(503, Errors.statusOf(failures.get(0)));
    assertEquals(2, accepted.get() - before, "the waiters were served on the two connections, none opened beyond");
    close(pool);
  }

  @Test
  void aWaiterGivesUpAfterTheEndpointTimeout() throws Exception {
    sleepMs = 1500;
    UpstreamPool pool = pool(endpoint(1, 4, 300));
    List<Future<String>> calls = new ArrayList<>();
    on(() -> {
      calls.add(get(pool, "/slow", 3000));
      calls.add(get(pool, "/waits", 3000));
      return Future.succeededFuture();
    });
    awaitTrue(() -> calls.get(1).isComplete(), "the waiter gave up");
    assertTrue(calls.get(1).failed());
    assertInstanceOf(ConnectionPoolTooBusyException.class, calls.get(1).cause());
    assertTrue(calls.get(1).cause().getMessage().contains("no connection came free within 300 ms"),
        calls.get(1).cause().getMessage());
    awaitTrue(() -> calls.get(0).isComplete(), "the slow call answered");
    assertEquals("ok:/slow", calls.get(0).result());
    close(pool);
  }

  @Test
  void connectionCloseFromTheServerIsNotReused() throws Exception {
    connectionHeader = "close";
    UpstreamPool pool = pool(endpoint(4, 4, 2000));
    int before = accepted.get();
    for (int i = 0; i < 5; i++) {
      assertEquals("ok:/x", on(() -> get(pool, "/x", 2000)));
    }
    assertEquals(5, accepted.get() - before, "a new connection per request when the server says close");
    awaitTrue(() -> figure(pool::open) == 0, "closed connections leave the pool");
    assertEquals(0, figure(pool::idle));
    close(pool);
  }

  @Test
  void aTimedOutExchangeClosesItsConnectionAndTheNextRequestGetsAFreshOne() throws Exception {
    UpstreamPool pool = pool(endpoint(1, 4, 2000));
    int before = accepted.get();
    sleepMs = 1000;
    try {
      on(() -> get(pool, "/slow", 200));
      throw new AssertionError("expected a timeout");
    } catch (java.util.concurrent.ExecutionException e) {
      assertEquals(504, Errors.statusOf(e.getCause()));
    }
    sleepMs = 0;
    assertEquals("ok:/next", on(() -> get(pool, "/next", 2000)));
    assertEquals(2, accepted.get() - before, "the timed-out connection was not reused");
    assertEquals(1, figure(pool::open));
    close(pool);
  }

  @Test
  void anIdleConnectionPastItsKeepAliveIsClosedNotUsed() throws Exception {
    UpstreamPool pool = pool(endpoint(4, 4, 2000));
    int before = accepted.get();
    assertEquals("ok:/a", on(() -> get(pool, "/a", 2000)));
    now.addAndGet(UpstreamPool.DEFAULT_KEEP_ALIVE_MILLIS - 1);
    assertEquals("ok:/b", on(() -> get(pool, "/b", 2000)));
    assertEquals(1, accepted.get() - before, "still within the keep-alive");
    now.addAndGet(UpstreamPool.DEFAULT_KEEP_ALIVE_MILLIS);
    assertEquals("ok:/c", on(() -> get(pool, "/c", 2000)));
    assertEquals(2, accepted.get() - before, "past the keep-alive: a new connection");
    awaitTrue(() -> figure(pool::open) == 1, "the expired one was closed");
    close(pool);
  }

  @Test
  void idleConnectionsPastTheirKeepAliveAreClosedEvenWhenNoRequestReachesThem() throws Exception {
    sleepMs = 200;
    UpstreamPool pool = pool(endpoint(8, 8, 5000));
    int before = accepted.get();
    // a burst of 6 opens 6 connections; afterwards one request at a time only ever reuses the newest one
    on(() -> Future.all(List.of(get(pool, "/b0", 5000), get(pool, "/b1", 5000), get(pool, "/b2", 5000),
        get(pool, "/b3", 5000), get(pool, "/b4", 5000), get(pool, "/b5", 5000))).map(f -> null));
    assertEquals(6, accepted.get() - before);
    awaitTrue(() -> figure(pool::idle) == 6, "the burst's connections idle");
    sleepMs = 0;
    now.addAndGet(UpstreamPool.DEFAULT_KEEP_ALIVE_MILLIS / 2);
    assertEquals("ok:/x", on(() -> get(pool, "/x", 2000)));
    now.addAndGet(UpstreamPool.DEFAULT_KEEP_ALIVE_MILLIS / 2 + 1);
    // the five untouched since the burst are past the keep-alive; the one used half a keep-alive ago is not
    awaitTrue(() -> figure(pool::open) == 1, "the sweep closed the five the LIFO reuse never reaches");
    assertEquals(1, figure(pool::idle));
    awaitTrue(() -> openNow.size() == 1, "the server saw them closed");
    assertEquals("ok:/y", on(() -> get(pool, "/y", 2000)));
    assertEquals(6, accepted.get() - before, "the fresh one is still reused");
    close(pool);
  }

  @Test
  void aNewerConnectionWithAShorterKeepAliveIsSweptThoughAnOlderOneIsStillFresh() throws Exception {
    sleepMs = 200;
    UpstreamPool pool = pool(endpoint(8, 8, 5000));
    int before = accepted.get();
    // two connections, both with the default keep-alive (no Keep-Alive header)
    on(() -> Future.all(List.of(get(pool, "/a0", 5000), get(pool, "/a1", 5000))).map(f -> null));
    assertEquals(2, accepted.get() - before);
    awaitTrue(() -> figure(pool::idle) == 2, "both idle");
    sleepMs = 0;
    // the newest is reused and its server now announces 5 s: it expires long before the older one
    keepAliveHeader = "timeout=5";
    assertEquals("ok:/b", on(() -> get(pool, "/b", 2000)));
    assertEquals(2, accepted.get() - before, "reused");
    now.addAndGet(4_700);
    awaitTrue(() -> figure(pool::open) == 1, "the sweep closed the short-lived one behind the fresh older one");
    awaitTrue(() -> openNow.size() == 1, "the server saw it closed");
    keepAliveHeader = null;
    assertEquals("ok:/c", on(() -> get(pool, "/c", 2000)));
    assertEquals(2, accepted.get() - before, "the older one, still within its keep-alive, is reused");
    close(pool);
  }

  @Test
  void aPoolIsMadeOnTheLoopThatUsesIt() throws Exception {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new UpstreamPool(vertx, endpoint(4, 4, 2000)));
    assertTrue(e.getMessage().contains("event loop"), e.getMessage());
    // on an event loop, but of another Vert.x: the sweep's timer would run on a thread of neither
    Vertx other = Vertx.vertx();
    try {
      Promise<Void> p = Promise.promise();
      other.runOnContext(v -> {
        try {
          new UpstreamPool(vertx, endpoint(4, 4, 2000));
          p.fail(new AssertionError("made on another Vert.x's loop"));
        } catch (IllegalStateException expected) {
          p.complete();
        }
      });
      p.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      other.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theServersKeepAliveTimeoutIsHonoured() throws Exception {
    keepAliveHeader = "timeout=5, max=1000";
    UpstreamPool pool = pool(endpoint(4, 4, 2000));
    int before = accepted.get();
    assertEquals("ok:/a", on(() -> get(pool, "/a", 2000)));
    now.addAndGet(4_000);
    assertEquals("ok:/b", on(() -> get(pool, "/b", 2000)));
    assertEquals(1, accepted.get() - before, "4 s idle, under the server's 5 s");
    now.addAndGet(4_700);
    assertEquals("ok:/c", on(() -> get(pool, "/c", 2000)));
    assertEquals(2, accepted.get() - before, "4.7 s idle: within half a second of the server's 5 s, not reused");
    assertEquals(5, UpstreamPool.keepAliveTimeoutSeconds("timeout=5, max=1000"));
    assertEquals(7, UpstreamPool.keepAliveTimeoutSeconds("max=3, Timeout = 7"));
    assertEquals(-1, UpstreamPool.keepAliveTimeoutSeconds("max=3"));
    assertEquals(-1, UpstreamPool.keepAliveTimeoutSeconds("timeout=soon"));
    close(pool);
  }

  @Test
  void aConnectionTheServerClosedWhileIdleIsNotHandedOut() throws Exception {
    UpstreamPool pool = pool(endpoint(4, 4, 2000));
    int before = accepted.get();
    dropAfterAnswerMs = 50;
    assertEquals("ok:/a", on(() -> get(pool, "/a", 2000)));
    dropAfterAnswerMs = 0;
    // the server closes the idle connection without having said so, as one with a short idle timeout does
    awaitTrue(() -> figure(pool::open) == 0, "the pool saw the close");
    assertEquals(0, figure(pool::idle));
    assertEquals("ok:/b", on(() -> get(pool, "/b", 2000)));
    assertEquals(2, accepted.get() - before, "a new connection, not the closed one");
    close(pool);
  }

  @Test
  void aRetiredPoolFinishesWhatIsInFlightAndTakesNothingNew() throws Exception {
    sleepMs = 300;
    UpstreamPool pool = pool(endpoint(2, 2, 2000));
    List<Future<String>> calls = new ArrayList<>();
    on(() -> {
      calls.add(get(pool, "/inflight", 2000));
      return Future.succeededFuture();
    });
    awaitTrue(() -> !openNow.isEmpty(), "connected");
    on(() -> {
      pool.retire();
      return Future.succeededFuture();
    });
    awaitTrue(() -> calls.get(0).isComplete(), "in-flight answered");
    assertEquals("ok:/inflight", calls.get(0).result(), "in flight when retired, still answered");
    try {
      on(() -> get(pool, "/new", 2000));
      throw new AssertionError("a retired pool took a request");
    } catch (java.util.concurrent.ExecutionException e) {
      assertTrue(e.getCause().getMessage().contains("closed"), e.getCause().getMessage());
    }
    awaitTrue(() -> figure(pool::open) == 0, "its connection closed after the exchange");
    close(pool);
  }

  /** An endpoint the client library cannot reach by construction (validation refuses it; this is the safety net). */
  @Test
  void anEndpointWithAnImpossiblePortFailsRatherThanHangs() throws Exception {
    EndpointSettings bad = new EndpointSettings("bad", URI.create("http://127.0.0.1:70000"), Duration.ofMillis(500),
        Duration.ofMillis(500), 4, 64, 4);
    long t0 = System.nanoTime();
    try {
      UpstreamPool pool = pool(bad);
      on(() -> get(pool, "/x", 500));
      throw new AssertionError("expected a failure");
    } catch (java.util.concurrent.ExecutionException | IllegalArgumentException e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
      assertTrue(Errors.statusOf(cause) >= 502, cause.toString());
    }
    assertTrue((System.nanoTime() - t0) / 1_000_000 < 5_000, "answered, not hung");
  }
}

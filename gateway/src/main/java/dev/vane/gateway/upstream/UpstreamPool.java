package dev.vane.gateway.upstream;

import dev.vane.config.EndpointSettings;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Keep-alive HTTP/1.1 connections to one endpoint, owned by one event loop and touched only there.
 *
 * <p>Why not the Vert.x client's own pool: for every request it resolves the endpoint, builds a pool key and a new
 * connection context, and composes four futures; on the proxy's hot path that was about 15% of a bare proxy's
 * throughput (bench/README.md). Here a request takes the most recently used idle connection (LIFO: the warmest,
 * and the least likely to have been closed by the server), and the connection comes back when its response has
 * ended.
 *
 * <p>Rules, as the Vert.x pool has them: at most {@code maxConnections} open or opening; beyond that up to
 * {@code maxPending} requests wait, each at most the endpoint's {@code timeout}; a full queue or an expired wait fails
 * with {@link ConnectionPoolTooBusyException} (503). A connection is reused only after a complete response that did
 * not ask to close it ({@code Connection: close}, HTTP/1.0 without keep-alive); a failed, reset or cut-short exchange
 * closes it. An idle connection older than its keep-alive (60 s, or the server's {@code Keep-Alive: timeout}) is
 * closed instead of used, and a sweep once a second closes the idle connections past their keep-alive from the
 * least recently used end (with LIFO reuse those are never reached again, so the connections a burst opened would
 * otherwise stay open until the server closes them). A request whose pooled connection turns out closed before
 * anything was sent is retried once on another connection.
 */
public final class UpstreamPool {
  /** Idle keep-alive when the server does not say (the Vert.x client's default). */
  static final long DEFAULT_KEEP_ALIVE_MILLIS = 60_000;
  /** The largest body chunk the HTTP decoder hands over at once: one socket read (Vert.x's default is 8 KB). */
  public static final int MAX_CHUNK_BYTES = 64 * 1024;
  /** How often idle connections past their keep-alive are looked for. */
  static final long SWEEP_MILLIS = 1_000;

  private final Vertx vertx;
  private final String id;
  private final HttpClientAgent agent;
  private final HttpConnectOptions connect;
  private final int maxConnections;
  private final int maxPending;
  private final long waitMillis;
  private final LongSupplier clock;
  /** Idle connections, most recently used first. */
  private final ArrayDeque<Conn> idle = new ArrayDeque<>();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  /** Connections open or being opened. */
  private int open;
  private boolean closed;
  private final long sweepTimer;

  public UpstreamPool(Vertx vertx, EndpointSettings ep) {
    this(vertx, ep, System::currentTimeMillis);
  }

  public UpstreamPool(Vertx vertx, EndpointSettings ep, LongSupplier clock) {
    Context current = Vertx.currentContext();
    if (current == null || !current.isEventLoopContext() || current.owner() != vertx) {
      // the pool is touched only on its own loop; the sweep's timer runs on the loop that creates it (a loop of
      // another Vert.x would put the timer on a thread of this one, racing the requests)
      throw new IllegalStateException("an upstream pool for " + ep.id() + " must be created on the event loop that uses it");
    }
    // the loop's own context, not a request's duplicate of it: the timer lives as long as the pool
    ContextInternal owner = ((ContextInternal) current).unwrap();
    this.vertx = vertx;
    this.id = ep.id();
    this.clock = clock;
    this.maxConnections = ep.maxConnections();
    this.maxPending = ep.maxPending();
    this.waitMillis = ep.timeout().toMillis();
    HttpClientOptions o = new HttpClientOptions()
        .setKeepAlive(true)
        .setTcpNoDelay(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, ep.connectTimeout().toMillis()))
        .setDecompressionSupported(false)
        // each chunk the decoder hands over is written to the client in a send of its own: 8 KB (the default) made
        // 128 sends per MB; a read's worth (64 KB) makes 16
        .setMaxChunkSize(MAX_CHUNK_BYTES)
        .setSsl(ep.tls())
        .setDefaultHost(ep.host())
        .setDefaultPort(ep.port());
    this.agent = vertx.httpClientBuilder().with(o).build();
    this.connect = new HttpConnectOptions().setHost(ep.host()).setPort(ep.port()).setSsl(ep.tls());
    this.sweepTimer = owner.setPeriodic(SWEEP_MILLIS, t -> sweepIdle());
  }

  /**
   * Closes every idle connection past its keep-alive. All of them are looked at, not only the least recently used
   * end: each connection has the keep-alive its server announced, so a newer connection can expire before an
   * older one.
   */
  private void sweepIdle() {
    long now = clock.getAsLong();
    for (Iterator<Conn> it = idle.descendingIterator(); it.hasNext(); ) {
      Conn c = it.next();
      if (c.dead || now - c.idleSince >= c.keepAliveMillis) {
        it.remove();
        discard(c);
      }
    }
  }

  /** One connection and what the pool knows about it. */
  private static final class Conn {
    final HttpClientConnection c;
    long idleSince;
    long keepAliveMillis = DEFAULT_KEEP_ALIVE_MILLIS;
    boolean dead;

    Conn(HttpClientConnection c) {
      this.c = c;
    }
  }

  private static final class Waiter {
    final Promise<Conn> promise;
    long timer = -1;

    Waiter(Promise<Conn> promise) {
      this.promise = promise;
    }
  }

  /**
   * A request on a pooled connection, like {@code HttpClient.request}: the caller sets headers and sends it; the
   * connection returns to the pool when the response has ended.
   */
  public Future<HttpClientRequest> request(RequestOptions options) {
    Promise<HttpClientRequest> p = Promise.promise();
    long budget = options.getIdleTimeout() > 0 ? options.getIdleTimeout() : waitMillis;
    acquire(options, p, true, clock.getAsLong() + budget);
    return p.future();
  }

  /**
   * @param deadline when the request must have its response head: the request's timeout (its options' idle
   *                 timeout, else the endpoint's) counts from its arrival at the pool, so waiting for a connection,
   *                 connecting and waiting for the head together take at most that timeout
   */
  private void acquire(RequestOptions options, Promise<HttpClientRequest> p, boolean mayRetry, long deadline) {
    Conn c = takeIdle();
    if (c != null) {
      use(c, options, p, mayRetry, deadline);
      return;
    }
    if (closed) {
      p.fail(new IllegalStateException("upstream pool for " + id + " is closed"));
      return;
    }
    if (open < maxConnections) {
      openConnection().onComplete(ar -> {
        if (ar.failed()) {
          p.fail(ar.cause());
        } else {
          use(ar.result(), options, p, false, deadline);
        }
      });
      return;
    }
    if (waiters.size() >= maxPending) {
      p.fail(new ConnectionPoolTooBusyException("upstream " + id + ": all " + maxConnections
          + " connections busy and " + maxPending + " requests waiting"));
      return;
    }
    Waiter w = new Waiter(Promise.promise());
    waiters.addLast(w);
    w.timer = vertx.setTimer(Math.max(1, waitMillis), t -> {
      if (waiters.remove(w)) {
        w.promise.fail(new ConnectionPoolTooBusyException("upstream " + id + ": no connection came free within "
            + waitMillis + " ms"));
      }
    });
    w.promise.future().onComplete(ar -> {
      if (ar.failed()) {
        p.fail(ar.cause());
      } else {
        use(ar.result(), options, p, false, deadline);
      }
    });
  }

  /** The most recently used idle connection that is still usable, closing expired ones on the way. */
  private Conn takeIdle() {
    long now = clock.getAsLong();
    Conn c;
    while ((c = idle.pollFirst()) != null) {
      if (c.dead) {
        continue;
      }
      if (now - c.idleSince >= c.keepAliveMillis) {
        c.dead = true;
        c.c.close();
        continue;
      }
      return c;
    }
    return null;
  }

  private Future<Conn> openConnection() {
    open++;
    return agent.connect(connect).map(hc -> {
      Conn c = new Conn(hc);
      hc.closeHandler(v -> closed(c));
      return c;
    }).onFailure(t -> {
      open--;
      serveWaiter();
    });
  }

  private void use(Conn c, RequestOptions options, Promise<HttpClientRequest> p, boolean mayRetry, long deadline) {
    long left = deadline - clock.getAsLong();
    if (left <= 0) {
      release(c);
      p.fail(new TimeoutException("upstream " + id
          + ": the request's timeout passed while it waited for a connection"));
      return;
    }
    options.setIdleTimeout(left);
    c.c.request(options).onComplete(ar -> {
      if (ar.failed()) {
        discard(c);
        if (mayRetry) {
          // a reused connection that could not start a request (the server closed it while idle): nothing was
          // sent, so another connection may be tried
          acquire(options, p, false, deadline);
        } else {
          p.fail(ar.cause());
        }
        return;
      }
      HttpClientRequest req = ar.result();
      req.response().onComplete(r -> {
        if (r.failed()) {
          discard(c);
          return;
        }
        HttpClientResponse res = r.result();
        res.end().onComplete(e -> {
          if (e.succeeded() && reusable(res, c)) {
            release(c);
          } else {
            discard(c);
          }
        });
      });
      p.complete(req);
    });
  }

  /** Whether the connection may carry another request after {@code res}; reads the server's keep-alive timeout. */
  private static boolean reusable(HttpClientResponse res, Conn c) {
    String connection = res.getHeader("Connection");
    if (connection != null && connection.equalsIgnoreCase("close")) {
      return false;
    }
    if (res.version() == HttpVersion.HTTP_1_0 && (connection == null || !connection.equalsIgnoreCase("keep-alive"))) {
      return false;
    }
    String keepAlive = res.getHeader("Keep-Alive");
    if (keepAlive != null) {
      long t = keepAliveTimeoutSeconds(keepAlive);
      if (t >= 0) {
        // a little under the server's figure, so the server is not the one to close it just as it is reused
        c.keepAliveMillis = Math.max(0, t * 1000 - 500);
      }
    }
    return true;
  }

  /** {@code timeout=N} of a Keep-Alive header, or -1. */
  static long keepAliveTimeoutSeconds(String header) {
    for (String part : header.split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0 && part.substring(0, eq).trim().equalsIgnoreCase("timeout")) {
        try {
          return Long.parseLong(part.substring(eq + 1).trim());
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  private void release(Conn c) {
    if (c.dead) {
      return;
    }
    if (closed) {
      discard(c);
      return;
    }
    Waiter w = waiters.pollFirst();
    if (w != null) {
      vertx.cancelTimer(w.timer);
      w.promise.complete(c);
      return;
    }
    c.idleSince = clock.getAsLong();
    idle.addFirst(c);
  }

  private void discard(Conn c) {
    if (!c.dead) {
      c.dead = true;
      c.c.close();
    }
  }

  /** The connection closed (either side): its slot is free for a waiter. */
  private void closed(Conn c) {
    c.dead = true;
    open--;
    for (Iterator<Conn> it = idle.iterator(); it.hasNext(); ) {
      if (it.next() == c) {
        it.remove();
        break;
      }
    }
    serveWaiter();
  }

  /** A slot came free: open a connection for the first waiter, if any. */
  private void serveWaiter() {
    if (closed || waiters.isEmpty() || open >= maxConnections) {
      return;
    }
    Waiter w = waiters.pollFirst();
    vertx.cancelTimer(w.timer);
    openConnection().onComplete(w.promise);
  }

  /** Connections open or being opened (for tests). */
  int open() {
    return open;
  }

  /** Idle connections (for tests). */
  int idle() {
    return idle.size();
  }

  /** Requests waiting for a connection (for tests). */
  int waiting() {
    return waiters.size();
  }

  /**
   * Takes no more requests: idle connections close now, busy ones when their exchange ends, and waiters fail.
   * Exchanges in flight are not cut short.
   */
  void retire() {
    closed = true;
    vertx.cancelTimer(sweepTimer);
    Conn c;
    while ((c = idle.pollFirst()) != null) {
      discard(c);
    }
    Waiter w;
    while ((w = waiters.pollFirst()) != null) {
      vertx.cancelTimer(w.timer);
      w.promise.tryFail(new IllegalStateException("upstream pool for " + id + " closed"));
    }
  }

  /** {@link #retire()}, and closes the client underneath with any connection still open. */
  void close() {
    retire();
    agent.close();
  }
}

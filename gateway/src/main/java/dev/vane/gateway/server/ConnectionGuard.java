package dev.vane.gateway.server;

import dev.vane.config.ServerSettings;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client connection may take of a listener: a connection budget shared by the listener's event loops, and
 * per connection a header timeout, a keep-alive idle timeout and a body timeout. Vert.x has only an idle timeout over
 * all traffic (which would also cut a long streamed response whose client sends nothing), so the timeouts live here:
 * each event loop keeps its connections in a {@link Loop} and a periodic sweep looks at their state. The request
 * path only writes two fields per request; the sweep reads the request's own ended flags, so nothing is registered
 * per request.
 *
 * <p>A connection's state, and the timeout that applies:
 * <ul>
 *   <li>{@code HEAD}: opened, no complete request head yet: {@code headerTimeout} from the accept, then closed.
 *   <li>{@code BODY}: a request head arrived, its body is still coming: {@code bodyTimeout} from the head, then
 *       408 (when nothing was answered yet) and closed. A slow POST cannot hold a connection longer.
 *   <li>{@code BUSY}: the request is read, its response not yet ended: no timeout here (the endpoint's
 *       {@code timeout} bounds the upstream).
 *   <li>{@code IDLE}: the response ended, the next request head is not complete: {@code idleTimeout}, then closed.
 *       A client dribbling a header into a kept-alive connection is closed at the same point.
 * </ul>
 *
 * <p>Budget: at most {@code maxConnections} connections take requests. Beyond it a small reserve
 * ({@link #RESERVE}) is accepted with a short header timeout ({@link #RESERVE_HEADER_MILLIS}) so that health checks
 * still get an answer: {@code /healthz} and {@code /readyz} are served on them, every other request gets
 * {@code 503 overloaded} with {@code Connection: close}. Beyond the reserve a connection is closed as soon as it is
 * accepted. Every connection the guard closes or refuses is counted.
 */
public final class ConnectionGuard {
  private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);

  /** Connections accepted beyond {@code maxConnections}, for health checks only. */
  public static final int RESERVE = 32;
  /** Header timeout of a connection in the reserve. */
  static final long RESERVE_HEADER_MILLIS = 2_000;

  private final ServerSettings.Limits limits;
  private final AtomicInteger open = new AtomicInteger();
  private final LongAdder headerTimeouts = new LongAdder();
  private final LongAdder idleTimeouts = new LongAdder();
  private final LongAdder bodyTimeouts = new LongAdder();
  private final LongAdder overloaded = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final long sweepMillis;

  public ConnectionGuard(ServerSettings.Limits limits) {
    this.limits = limits;
    long shortest = Math.min(limits.headerTimeout().toMillis(),
        Math.min(limits.idleTimeout().toMillis(), limits.bodyTimeout().toMillis()));
    // a timeout fires at most a fifth of itself late (and at most 1 s)
    this.sweepMillis = Math.max(5, Math.min(1_000, shortest / 5));
  }

  /** How a request on a guarded connection is to be treated. */
  public enum Admission {
    /** Serve it. */
    SERVE,
    /** On a reserve connection: serve it if it is a health check, else answer 503 overloaded; close after. */
    RESERVE
  }

  /** Client connections open now on this listener (all loops). */
  public int open() {
    return open.get();
  }

  /** Counters for /readyz and tests: what the guard closed or refused. */
  public Map<String, Long> counters() {
    return Map.of("open", (long) open.get(), "headerTimeouts", headerTimeouts.sum(), "idleTimeouts",
        idleTimeouts.sum(), "bodyTimeouts", bodyTimeouts.sum(), "overloaded", overloaded.sum(), "refused",
        refused.sum());
  }

  /** The guard of one event loop's connections; created and used on that loop only. */
  public Loop loop(Context context) {
    Loop l = new Loop();
    l.timer = context.owner().setPeriodic(sweepMillis, id -> l.sweep());
    return l;
  }

  private enum State { HEAD, BODY, BUSY, IDLE }

  private static final class Conn {
    State state = State.HEAD;
    /** When the current state began, on the loop's coarse clock (ms). */
    long since;
    HttpServerRequest req;
    final boolean reserve;

    Conn(long since, boolean reserve) {
      this.since = since;
      this.reserve = reserve;
    }
  }

  /** One event loop's connections. */
  public final class Loop {
    private final Map<HttpConnection, Conn> conns = new IdentityHashMap<>();
    /** Coarse clock: refreshed by each sweep and each accept (no clock read per request). */
    private long now = System.currentTimeMillis();
    long timer = -1;

    /** A connection was accepted: admitted, admitted to the reserve, or closed at once. */
    public void opened(HttpConnection c) {
      int n = open.incrementAndGet();
      if (n > limits.maxConnections() + RESERVE) {
        open.decrementAndGet();
        refused.increment();
        if (refused.sum() % 1000 == 1) {
          log.warn("connection limit reached: {} connections open (maxConnections {} + reserve {}); refusing",
              n - 1, limits.maxConnections(), RESERVE);
        }
        c.close();
        return;
      }
      now = System.currentTimeMillis();
      Conn st = new Conn(now, n > limits.maxConnections());
      conns.put(c, st);
      c.closeHandler(v -> {
        if (conns.remove(c) != null) {
          open.decrementAndGet();
        }
      });
    }

    /** A request head arrived: its body is now on the body clock. */
    public Admission admit(HttpServerRequest req) {
      Conn st = conns.get(req.connection());
      if (st == null) {
        return Admission.SERVE; // accepted before the guard knew it (cannot happen with the handler installed)
      }
      st.req = req;
      st.state = State.BODY;
      st.since = now;
      if (st.reserve) {
        overloaded.increment();
        return Admission.RESERVE;
      }
      return Admission.SERVE;
    }

    /** Closes the connections past their state's timeout. */
    void sweep() {
      now = System.currentTimeMillis();
      List<HttpConnection> expired = null;
      for (Map.Entry<HttpConnection, Conn> e : conns.entrySet()) {
        Conn st = e.getValue();
        if (st.state == State.BODY && st.req.isEnded()) {
          st.state = State.BUSY;
        }
        if (st.state == State.BUSY && st.req.response().ended()) {
          st.state = State.IDLE;
          st.since = now;
          st.req = null;
        }
        long limit = switch (st.state) {
          case HEAD -> st.reserve ? Math.min(RESERVE_HEADER_MILLIS, limits.headerTimeout().toMillis())
              : limits.headerTimeout().toMillis();
          case BODY -> limits.bodyTimeout().toMillis();
          case IDLE -> limits.idleTimeout().toMillis();
          case BUSY -> Long.MAX_VALUE;
        };
        if (now - st.since >= limit) {
          if (expired == null) {
            expired = new ArrayList<>();
          }
          expired.add(e.getKey());
        }
      }
      if (expired == null) {
        return;
      }
      for (HttpConnection c : expired) {
        Conn st = conns.get(c);
        switch (st.state) {
          case HEAD -> headerTimeouts.increment();
          case IDLE -> idleTimeouts.increment();
          case BODY -> {
            bodyTimeouts.increment();
            HttpServerResponse res = st.req.response();
            if (!res.headWritten() && !res.ended() && !res.closed()) {
              res.setStatusCode(408).putHeader("Connection", "close").putHeader("Content-Type", "application/json")
                  .end("{\"error\":\"request_timeout\",\"message\":\"the request body did not arrive within "
                      + limits.bodyTimeout().toMillis() + " ms\"}");
            }
          }
          default -> { }
        }
        c.close();
      }
    }

    /** Stops the sweep (the loop's connections are closed by the server). */
    public void stop(Vertx vertx) {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
    }
  }
}

package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.gateway.server.ConnectionGuard;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Slow and greedy clients against a running gateway: the header, idle and body timeouts close what they should, the
 * connection budget refuses clearly when it is full, and health checks are still answered while it is.
 */
class SlowClientTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final RawHttp.Upstream upstream = fx.rawUpstream();
  Gateway gw;
  final List<Socket> sockets = new ArrayList<>();

  Gateway start(String limits) throws Exception {
    gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 2, %s }
        endpoints:
          - { id: up, url: "%s", timeout: 2s }
        routes:
          - { pathPrefix: /m/, endpoint: up }
        """.formatted(limits, upstream.url()));
    return gw;
  }

  Socket open() throws Exception {
    Socket s = fx.own(new Socket());
    s.connect(new InetSocketAddress("127.0.0.1", gw.port()), 2000);
    sockets.add(s);
    return s;
  }

  static void write(Socket s, String text) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAtTheHeaderTimeout() throws Exception {
    start("headerTimeout: 300ms, idleTimeout: 5s, bodyTimeout: 5s");
    Socket s = open();
    assertFalse(RawHttp.closedWithin(s, 100), "open before its header timeout");
    assertTrue(RawHttp.closedWithin(s, 3000), "closed after the 300 ms header timeout");
    assertEquals(1L, gw.connectionCounters().get("headerTimeouts"));
  }

  @Test
  void aClientDribblingAHeaderIsClosedAtTheHeaderTimeout() throws Exception {
    start("headerTimeout: 500ms, idleTimeout: 5s, bodyTimeout: 5s");
    Socket s = open();
    write(s, "GET /m/x HTTP/1.1\r\nHost: a\r\n");
    long t0 = System.nanoTime();
    boolean closed = false;
    for (int i = 0; i < 40 && !closed; i++) {
      try {
        write(s, "X-Slow-" + i + ": y\r\n"); // half a header at a time, never the end of the head
      } catch (java.io.IOException e) {
        closed = true;
        break;
      }
      closed = RawHttp.closedWithin(s, 100);
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(closed, "a head that never completes is cut, however steadily it trickles");
    assertTrue(ms < 3000, "closed after " + ms + " ms, bounded by the header timeout rather than by the trickle");
    assertEquals(0, upstream.heads.stream().filter(h -> h.contains("X-Slow-0")).count());
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAtTheIdleTimeout() throws Exception {
    start("headerTimeout: 5s, idleTimeout: 400ms, bodyTimeout: 5s");
    Socket s = open();
    write(s, "GET /m/x HTTP/1.1\r\nHost: a\r\n\r\n");
    s.setSoTimeout(10_000);
    byte[] buf = new byte[4096];
    int n = s.getInputStream().read(buf);
    assertTrue(new String(buf, 0, n, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200"));
    assertFalse(RawHttp.closedWithin(s, 100), "kept alive after the response");
    assertTrue(RawHttp.closedWithin(s, 3000), "closed after the 400 ms idle timeout");
    assertEquals(1L, gw.connectionCounters().get("idleTimeouts"));
  }

  @Test
  void aSlowBodyGets408AndTheConnectionClosed() throws Exception {
    start("headerTimeout: 5s, idleTimeout: 5s, bodyTimeout: 400ms");
    Socket s = open();
    write(s, "POST /m/x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n");
    StringBuilder got = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      try {
        write(s, "x"); // one byte every 100 ms: the body would take 10 s
      } catch (java.io.IOException e) {
        break;
      }
      Thread.sleep(100);
      if (s.getInputStream().available() > 0) {
        break;
      }
    }
    RawHttp.Exchange x = RawHttp.read(withTimeout(s, 3000));
    got.append(x.text());
    assertEquals(408, x.status(), got.toString());
    assertTrue(got.toString().contains("request_timeout"), got.toString());
    assertTrue(x.closed());
    assertEquals(1L, gw.connectionCounters().get("bodyTimeouts"));
    assertEquals(0, upstream.heads.stream().filter(h -> h.contains("Content-Length: 100")).count(),
        "a body that never arrived is not forwarded");
  }

  static Socket withTimeout(Socket s, int ms) throws Exception {
    s.setSoTimeout(ms);
    return s;
  }

  @Test
  void theConnectionBudgetRefusesClearlyAndHealthChecksAreStillAnswered() throws Exception {
    int max = 16;
    start("headerTimeout: 10s, idleTimeout: 10s, bodyTimeout: 10s, maxConnections: " + max);
    for (int i = 0; i < max; i++) {
      open(); // idle sockets holding the whole budget
    }
    awaitOpen(max);
    // beyond the budget: a health check is answered, anything else gets a clear 503
    RawHttp.Exchange health = RawHttp.send(gw.port(), "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", 5000);
    assertEquals(200, health.status(), health.text());
    assertTrue(health.closed(), "a reserve connection is closed after its answer");
    RawHttp.Exchange ready = RawHttp.send(gw.port(), "GET /readyz HTTP/1.1\r\nHost: a\r\n\r\n", 5000);
    assertEquals(200, ready.status(), ready.text());
    RawHttp.Exchange refused = RawHttp.send(gw.port(), "GET /m/x HTTP/1.1\r\nHost: a\r\n\r\n", 5000);
    assertEquals(503, refused.status(), refused.text());
    assertTrue(refused.text().contains("\"error\":\"overloaded\""), refused.text());
    assertTrue(refused.closed());
    // the reserve full as well: new connections are closed at once (opened in a burst: reserve connections that
    // send nothing are closed after 2 s themselves)
    for (int i = 0; i < ConnectionGuard.RESERVE; i++) {
      open();
    }
    Socket beyond = open();
    assertTrue(RawHttp.closedWithin(beyond, 2000), "beyond the reserve a connection is closed when accepted");
    assertTrue(gw.connectionCounters().get("refused") >= 1, gw.connectionCounters().toString());
    // the hogs leave: service resumes
    for (Socket s : sockets) {
      s.close();
    }
    sockets.clear();
    awaitOpen(0);
    RawHttp.Exchange ok = RawHttp.send(gw.port(), "GET /m/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 2000);
    assertEquals(200, ok.status(), ok.text());
  }

  private void awaitOpen(int n) throws InterruptedException {
    for (int i = 0; i < 200 && gw.connectionCounters().get("open") != n; i++) {
      Thread.sleep(20);
    }
    assertEquals((long) n, gw.connectionCounters().get("open"));
  }
}

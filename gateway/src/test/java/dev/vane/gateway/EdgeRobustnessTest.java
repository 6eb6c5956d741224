package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a hostile or careless client can send, over raw sockets, against a running gateway and an upstream that
 * records every request head it receives byte for byte: request targets (absolute-form, CONNECT, asterisk-form, dot
 * segments, encoded slashes, control bytes), RFC 9112 strictness (Host, chunked bodies, Content-Length and
 * Transfer-Encoding together, whitespace, oversized heads), smuggling, header injection, pipelining and the
 * forwarding headers. Each case states the status the client must get and what the upstream may (or must not) see.
 */
class EdgeRobustnessTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final RawHttp.Upstream upstream = fx.rawUpstream();
  static Gateway gw;

  @BeforeAll
  static void start() throws Exception {
    gw = fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1, maxBodyBytes: 1MB }
        endpoints:
          - { id: up, url: "%s/base", timeout: 2s }
        routes:
          - { pathPrefix: /m/, endpoint: up }
          - { pathPrefix: /direct, endpoint: up }
        """.formatted(upstream.url()));
  }

  /** One probe: the raw request, the status the client must get (-1: none; the connection closed), and a check of the heads the upstream received. */
  record Case(String name, String request, int status, BiConsumer<List<String>, RawHttp.Exchange> check) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final BiConsumer<List<String>, RawHttp.Exchange> NOTHING_UPSTREAM =
      (heads, x) -> assertEquals(List.of(), heads, "nothing may reach the upstream");

  static BiConsumer<List<String>, RawHttp.Exchange> upstreamLine(String line) {
    return (heads, x) -> {
      assertEquals(1, heads.size(), "one request upstream: " + heads);
      assertEquals(line, heads.get(0).substring(0, heads.get(0).indexOf("\r\n")));
    };
  }

  static BiConsumer<List<String>, RawHttp.Exchange> noneContains(String s) {
    return (heads, x) -> heads.forEach(h -> assertFalse(h.contains(s), "the upstream saw " + s + ": " + h));
  }

  static String get(String target) {
    return "GET " + target + " HTTP/1.1\r\nHost: vane.local\r\nConnection: close\r\n\r\n";
  }

  static Stream<Case> cases() {
    String chunkedBad = "POST /m/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + "zz\r\nhello\r\n0\r\n\r\n";
    return Stream.of(
        // request targets
        new Case("absolute-form: only its path and query go upstream, with the upstream's own Host",
            "GET http://admin-model.internal/m/infer?x=1 HTTP/1.1\r\nHost: admin-model.internal\r\nConnection: close\r\n\r\n",
            200, (heads, x) -> {
              upstreamLine("GET /base/m/infer?x=1 HTTP/1.1").accept(heads, x);
              assertEquals("127.0.0.1:" + upstream.port(), header(heads.get(0), "Host"));
            }),
        new Case("absolute-form with https and an empty path", "GET https://h HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
            404, NOTHING_UPSTREAM),
        new Case("CONNECT is refused", "CONNECT admin-model.internal:443 HTTP/1.1\r\nHost: admin-model.internal:443\r\n\r\n",
            400, NOTHING_UPSTREAM),
        new Case("asterisk-form is refused", "OPTIONS * HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 400, NOTHING_UPSTREAM),
        new Case("a target that is not a path", get("m/infer"), 400, NOTHING_UPSTREAM),
        new Case("another scheme", get("ftp://h/m/infer"), 400, NOTHING_UPSTREAM),
        new Case("dot segments climbing out", get("/m/../../../admin/secret"), 400, NOTHING_UPSTREAM),
        new Case("encoded dot segments climbing out", get("/m/%2e%2e/%2e%2e/%2e%2e/admin/secret"), 400, NOTHING_UPSTREAM),
        new Case("mixed-case encoded dots", get("/m/%2E%2e/%2E./%2e%2E/admin"), 400, NOTHING_UPSTREAM),
        new Case("dot segments inside the prefix are normalised", get("/m/./a/../b"), 200,
            upstreamLine("GET /base/m/b HTTP/1.1")),
        new Case("dot segments leaving the prefix route by where they land", get("/m/../direct/x"), 200,
            upstreamLine("GET /base/direct/x HTTP/1.1")),
        new Case("dot segments landing on no route get 404", get("/m/../admin/secret"), 404, NOTHING_UPSTREAM),
        new Case("unreserved escapes are decoded", get("/m/%7Euser"), 200, upstreamLine("GET /base/m/~user HTTP/1.1")),
        new Case("an encoded slash is refused", get("/m/a%2Fb"), 400, NOTHING_UPSTREAM),
        new Case("an encoded slash before dots is refused", get("/m/..%2F..%2Fadmin"), 400, NOTHING_UPSTREAM),
        new Case("an encoded backslash is refused", get("/m/..%5C..%5Cadmin"), 400, NOTHING_UPSTREAM),
        new Case("a backslash is refused", get("/m/..\\..\\admin"), 400, NOTHING_UPSTREAM),
        new Case("an encoded NUL is refused", get("/m/a%00b"), 400, NOTHING_UPSTREAM),
        new Case("a fragment is refused", get("/m/a#frag"), 400, NOTHING_UPSTREAM),
        new Case("a malformed escape is refused", get("/m/a%zz"), 400, NOTHING_UPSTREAM),
        new Case("SOH in the target", get("/m/a\u0001b"), 400, NOTHING_UPSTREAM),
        new Case("DEL in the target", get("/m/a\u007fb"), 400, NOTHING_UPSTREAM),
        new Case("0xff in the target", get("/m/a\u00ffb"), 400, NOTHING_UPSTREAM),
        new Case("NUL in the target", get("/m/a\u0000b"), 400, NOTHING_UPSTREAM),
        new Case("a control byte in the query", get("/m/a?q=\u0001"), 400, NOTHING_UPSTREAM),
        new Case("an over-long target", get("/m/" + "a".repeat(5000)), 414, NOTHING_UPSTREAM),
        // Host
        new Case("HTTP/1.1 without Host", "GET /m/x HTTP/1.1\r\nConnection: close\r\n\r\n", 400, NOTHING_UPSTREAM),
        new Case("two Host headers", "GET /m/x HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n", 400,
            NOTHING_UPSTREAM),
        new Case("HTTP/1.0 without Host is fine", "GET /m/x HTTP/1.0\r\n\r\n", 200, upstreamLine("GET /base/m/x HTTP/1.1")),
        // bodies and smuggling
        new Case("an invalid chunk size", chunkedBad, 400, NOTHING_UPSTREAM),
        new Case("CL.TE: Transfer-Encoding wins and the smuggled request never reaches the upstream",
            "POST /m/x HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                + "GET /m/smuggled HTTP/1.1\r\nHost: a\r\n\r\n", -2, noneContains("smuggled")),
        new Case("TE.CL", "POST /m/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"
            + "5c\r\nGET /m/smuggled HTTP/1.1\r\nHost: a\r\nContent-Length: 15\r\n\r\nx=1\r\n0\r\n\r\n", -2,
            noneContains("GET /m/smuggled")),
        new Case("two different Content-Lengths", "POST /m/x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
            + "Content-Length: 30\r\n\r\nabc", 400, NOTHING_UPSTREAM),
        new Case("a signed Content-Length", "POST /m/x HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc", 400,
            NOTHING_UPSTREAM),
        new Case("an obfuscated Transfer-Encoding", "POST /m/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n"
            + "Content-Length: 3\r\n\r\nabc", 400, NOTHING_UPSTREAM),
        new Case("a coding after chunked", "POST /m/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
            + "3\r\nabc\r\n0\r\n\r\n", -2, NOTHING_UPSTREAM),
        new Case("whitespace before a header colon", "GET /m/x HTTP/1.1\r\nHost: a\r\nX-Foo : b\r\nConnection: close\r\n\r\n",
            400, NOTHING_UPSTREAM),
        new Case("an obsolete line folding is replaced by a space (RFC 9112 §5.2)",
            "GET /m/x HTTP/1.1\r\nHost: a\r\nX-Foo: b\r\n c\r\nConnection: close\r\n\r\n", 200,
            (heads, x) -> {
              noneContains("\r\n c").accept(heads, x);
              assertEquals("b c", header(heads.get(0), "X-Foo"));
            }),
        new Case("two Transfer-Encoding headers", "POST /m/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", -2, NOTHING_UPSTREAM),
        new Case("a chunked body is forwarded whole", "POST /m/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
            + "Connection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 200, (heads, x) -> {
              assertEquals("5", header(heads.get(0), "Content-Length"));
              assertNull(header(heads.get(0), "Transfer-Encoding"));
            }),
        new Case("a bare CR inside a header value", "GET /m/x HTTP/1.1\r\nHost: a\r\nX-Foo: b\rX-Injected: 1\r\n"
            + "Connection: close\r\n\r\n", -2, noneContains("X-Injected")),
        new Case("an oversized header block", "GET /m/x HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(9000)
            + "\r\nConnection: close\r\n\r\n", 431, NOTHING_UPSTREAM),
        new Case("a body over maxBodyBytes", "POST /m/x HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\nabc", 413,
            NOTHING_UPSTREAM),
        new Case("an HTTP/2 preface on the HTTP/1.1 port", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", -2, NOTHING_UPSTREAM),
        new Case("a request line with extra parts", "GET /m/x HTTP/1.1 extra\r\nHost: a\r\n\r\n", -2, NOTHING_UPSTREAM),
        // forwarding
        new Case("pipelined requests are answered in order", "GET /m/one HTTP/1.1\r\nHost: a\r\n\r\n"
            + "GET /m/two HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 200, (heads, x) -> {
              assertEquals(2, x.responses(), x.text());
              assertEquals(200, x.statusAt(1));
              assertEquals(2, heads.size());
              assertTrue(heads.get(0).startsWith("GET /base/m/one "));
              assertTrue(heads.get(1).startsWith("GET /base/m/two "));
            }),
        new Case("a client's X-Forwarded-Host is appended to, not passed on as Vane's",
            "GET /m/x HTTP/1.1\r\nHost: vane.local\r\nX-Forwarded-Host: evil.example\r\nConnection: close\r\n\r\n", 200,
            (heads, x) -> {
              assertEquals("evil.example, vane.local", header(heads.get(0), "X-Forwarded-Host"));
              assertEquals("127.0.0.1", header(heads.get(0), "X-Forwarded-For"));
            }),
        new Case("headers named by Connection are hop-by-hop", "GET /m/x HTTP/1.1\r\nHost: a\r\nX-Secret: s\r\n"
            + "Connection: close, X-Secret\r\nKeep-Alive: 5\r\nProxy-Authorization: Basic eA==\r\n\r\n", 200,
            (heads, x) -> {
              assertNull(header(heads.get(0), "X-Secret"));
              assertNull(header(heads.get(0), "Keep-Alive"));
              assertNull(header(heads.get(0), "Proxy-Authorization"));
            }),
        new Case("a request id with odd bytes is replaced", "GET /m/x HTTP/1.1\r\nHost: a\r\nX-Request-Id: a b<c>\r\n"
            + "Connection: close\r\n\r\n", 200, (heads, x) ->
            assertTrue(header(heads.get(0), "X-Request-Id").matches("[0-9a-f]{32}"), heads.get(0))));
  }

  static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int c = line.indexOf(':');
      if (c > 0 && line.substring(0, c).equalsIgnoreCase(name)) {
        return line.substring(c + 1).trim();
      }
    }
    return null;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void hostileRequests(Case c) throws Exception {
    int before = upstream.heads.size();
    RawHttp.Exchange x = RawHttp.send(gw.port(), c.request(), 1500);
    Thread.sleep(50); // let a smuggled request, if any, reach the upstream
    List<String> heads = List.copyOf(upstream.heads.subList(before, upstream.heads.size()));
    if (c.status() == -2) {
      // refused one way or another: a 4xx/5xx, or a closed connection, never a 2xx
      int s = x.status();
      assertTrue(s == -1 || s >= 400, "expected a refusal, got: " + x.text());
      if (s >= 400 && s < 500) {
        assertTrue(x.closed(), "a refused request closes its connection");
      }
    } else {
      assertEquals(c.status(), x.status(), x.text());
      if (c.status() == 400) {
        assertTrue(x.text().contains("\"error\":\"bad_request\"") || x.text().contains("Bad Request"), x.text());
        assertTrue(x.closed(), "a malformed request closes its connection");
      }
    }
    c.check().accept(heads, x);
  }

  @Test
  void theGatewayKeepsServingAfterTheProbes() throws Exception {
    RawHttp.Exchange x = RawHttp.send(gw.port(), get("/m/after"), 1500);
    assertEquals(200, x.status(), x.text());
  }
}

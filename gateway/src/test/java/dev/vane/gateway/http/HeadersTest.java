package dev.vane.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The allocation-free header filter against a plain reference implementation. */
class HeadersTest {
  private static final Set<String> REFERENCE = Set.of("connection", "keep-alive", "proxy-connection",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
      "content-length");

  @Test
  void theFastFilterAgreesWithTheReferenceSet() {
    List<String> names = List.of("Connection", "KEEP-ALIVE", "Proxy-Connection", "proxy-authenticate",
        "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Content-Length",
        "traceparent", "X-Request-Id", "Content-Type", "Accept", "tE", "hosts", "Trailers", "X-Upgrade",
        "content-lengths", "Authorization", "Cookie", "teh", "upgradE");
    for (String n : names) {
      assertEquals(REFERENCE.contains(n.toLowerCase(Locale.ROOT)), Headers.dropped(n), n);
    }
  }

  @Test
  void headersNamedInConnectionAreDroppedAndOthersKept() {
    // Vert.x's header maps (Netty HttpHeaders underneath: the CharSequence walk) and the server request's adaptor
    // over Netty's DefaultHttpHeaders (the generic MultiMap walk) give the same result
    for (boolean nettyBacked : new boolean[] {true, false}) {
      MultiMap from = map(nettyBacked)
          .add("Connection", "keep-alive, X-Secret , x-other").add("X-Secret", "1").add("X-Other", "2")
          .add("X-Keep", "3").add("Keep-Alive", "timeout=5").add("Accept", "a").add("Accept", "b")
          .add("Transfer-Encoding", "chunked").add("Host", "h");
      MultiMap to = MultiMap.caseInsensitiveMultiMap();
      Headers.copyEndToEnd(from, to);
      String path = nettyBacked ? "netty-backed" : "adaptor";
      assertFalse(to.contains("X-Secret"), path);
      assertFalse(to.contains("X-Other"), path);
      assertFalse(to.contains("Keep-Alive"), path);
      assertFalse(to.contains("Connection"), path);
      assertFalse(to.contains("Transfer-Encoding"), path);
      assertFalse(to.contains("Host"), path);
      assertEquals("3", to.get("X-Keep"), path);
      assertEquals(List.of("a", "b"), to.getAll("Accept"), path);
      assertEquals(3, to.entries().size(), path + ": " + to);
      MultiMap plain = map(nettyBacked).add("Connection", "keep-alive").add("X-A", "1");
      MultiMap out = MultiMap.caseInsensitiveMultiMap();
      Headers.copyEndToEnd(plain, out);
      assertTrue(out.contains("X-A"), path);
      assertEquals(1, out.entries().size(), path);
    }
  }

  private static MultiMap map(boolean nettyBacked) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    if (nettyBacked) {
      assertTrue(m instanceof io.netty.handler.codec.http.HttpHeaders, "Vert.x header maps are Netty HttpHeaders");
      return m;
    }
    return new io.vertx.core.http.impl.headers.HeadersAdaptor(new io.netty.handler.codec.http.DefaultHttpHeaders());
  }
}

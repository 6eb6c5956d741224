package dev.vane.gateway;

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
    MultiMap from = MultiMap.caseInsensitiveMultiMap()
        .add("Connection", "keep-alive, X-Secret , x-other").add("X-Secret", "1").add("X-Other", "2")
        .add("X-Keep", "3").add("Keep-Alive", "timeout=5").add("Accept", "a").add("Accept", "b");
    MultiMap to = MultiMap.caseInsensitiveMultiMap();
    Headers.copyEndToEnd(from, to);
    assertFalse(to.contains("X-Secret"));
    assertFalse(to.contains("X-Other"));
    assertFalse(to.contains("Keep-Alive"));
    assertFalse(to.contains("Connection"));
    assertEquals("3", to.get("X-Keep"));
    assertEquals(List.of("a", "b"), to.getAll("Accept"));
    MultiMap plain = MultiMap.caseInsensitiveMultiMap().add("Connection", "keep-alive").add("X-A", "1");
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    Headers.copyEndToEnd(plain, out);
    assertTrue(out.contains("X-A"));
  }
}

package dev.vane.gateway.response;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SseMeterTest {
  static final long MS = 1_000_000;

  static void feed(SseMeter m, String s, long nanos) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    m.feed(b, 0, b.length, nanos);
  }

  @Test
  void contentEventsTimeTheTokensAndTheLastUsageCounts() {
    SseMeter m = new SseMeter(1000 * MS, 1 << 20);
    feed(m, "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n", 1100 * MS);
    feed(m, ": keep-alive\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"He", 1200 * MS);
    feed(m, "llo\"}}]}\n\n", 1250 * MS); // an event split over two reads takes the time of its end
    feed(m, "data: {\"choices\":[{\"delta\":{\"content\":\" you\"}},{\"delta\":{\"content\":\"x\"}}]}\r\n\r\n", 1300 * MS);
    feed(m, "data:{\"choices\":[{\"text\":\"!\"}]}\n\n", 1450 * MS);
    feed(m, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}\n\n"
        + "data: [DONE]\n\n", 1500 * MS);
    assertEquals(3, m.contentEvents());
    assertEquals(250.0, m.ttftMillis(), 1e-9);
    assertEquals((1450 - 1250) / 2.0, m.interTokenMillis(), 1e-9);
    assertEquals(7, m.promptTokens());
    assertEquals(3, m.completionTokens());
    assertEquals(10, m.totalTokens());
    assertTrue(m.done());
    assertEquals(0, m.badEvents());
  }

  @Test
  void aStreamWithoutUsageOrContentHasNoFigures() {
    SseMeter m = new SseMeter(0, 64);
    feed(m, "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\ndata: not json\n\n", MS);
    feed(m, "data: {\"x\":\"" + "y".repeat(100) + "\"}\n\n", 2 * MS);
    assertEquals(0, m.contentEvents());
    assertTrue(Double.isNaN(m.ttftMillis()));
    assertTrue(Double.isNaN(m.interTokenMillis()));
    assertTrue(Double.isNaN(m.completionTokens()));
    assertEquals(2, m.badEvents(), "a line that is not JSON and one over the line bound");
  }
}

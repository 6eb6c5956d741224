package dev.vane.gateway.response;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamUsage}: the request asks for usage only when it streams and did not ask; the filter takes out exactly
 * the usage event, whatever the line endings and however the stream is cut into chunks, and passes everything else
 * on byte for byte.
 */
class StreamUsageTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static final String[] EVENTS = {
      ": keep-alive comment\n",
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}],\"usage\":null}\n",
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"usage is\"}}],\"usage\":null}\n",
      "event: message\nid: 7\ndata: {\"id\":\"c\",\"choices\":\ndata: [{\"index\":0,\"delta\":{\"content\":\" high\"}}]}\n",
      "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}\n",
      "data: [DONE]\n",
  };
  /** The index of the usage event in {@link #EVENTS}. */
  static final int USAGE = 4;

  static String stream(String eol, boolean withUsage) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < EVENTS.length; i++) {
      if (i != USAGE || withUsage) {
        sb.append(EVENTS[i].replace("\n", eol)).append(eol);
      }
    }
    return sb.toString();
  }

  /** What the client gets of {@code s} cut at {@code cuts} (ascending offsets). */
  static String filtered(String s, int[] cuts, StreamUsage.Filter f) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder();
    int from = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int to = i < cuts.length ? cuts[i] : b.length;
      Buffer chunk = Buffer.buffer().appendBytes(b, from, to - from);
      out.append(f.accept(chunk).toString(StandardCharsets.UTF_8));
      from = to;
    }
    out.append(f.finish().toString(StandardCharsets.UTF_8));
    return out.toString();
  }

  @Test
  void theUsageEventIsTakenOutWhereverTheStreamIsCut() {
    for (String eol : new String[] {"\n", "\r\n", "\r"}) {
      String in = stream(eol, true);
      String want = stream(eol, false);
      int n = in.getBytes(StandardCharsets.UTF_8).length;
      StreamUsage.Filter whole = new StreamUsage.Filter();
      assertEquals(want, filtered(in, new int[0], whole), "one chunk, eol " + eol.replace("\r", "CR").replace("\n", "LF"));
      assertEquals(1, whole.dropped());
      for (int cut = 1; cut < n; cut++) {
        StreamUsage.Filter f = new StreamUsage.Filter();
        assertEquals(want, filtered(in, new int[] {cut}, f), "cut at " + cut + ", eol " + eol.length());
        assertEquals(1, f.dropped());
      }
      int[] everyByte = new int[n - 1];
      for (int i = 1; i < n; i++) {
        everyByte[i - 1] = i;
      }
      assertEquals(want, filtered(in, everyByte, new StreamUsage.Filter()), "byte by byte");
      SplittableRandom rnd = new SplittableRandom(7);
      for (int trial = 0; trial < 200; trial++) {
        int[] cuts = rnd.ints(rnd.nextInt(1, 12), 1, n).sorted().distinct().toArray();
        assertEquals(want, filtered(in, cuts, new StreamUsage.Filter()), "cuts " + java.util.Arrays.toString(cuts));
      }
    }
  }

  @Test
  void aStreamWithoutTheUsageEventPassesUnchangedAndChunksWithWholeEventsGoOutAsTheyCame() {
    String in = stream("\n", false);
    StreamUsage.Filter f = new StreamUsage.Filter();
    Buffer chunk = Buffer.buffer(in);
    // whole events only: the chunk itself goes on, not a copy
    assertTrue(f.accept(chunk) == chunk);
    assertEquals(0, f.finish().length());
    assertEquals(0, f.dropped());
  }

  @Test
  void anEventWithoutItsEmptyLineWaitsAndGoesOutAtTheEnd() {
    StreamUsage.Filter f = new StreamUsage.Filter();
    assertEquals("data: a\n\n", f.accept(Buffer.buffer("data: a\n\ndata: b")).toString());
    assertEquals("", f.accept(Buffer.buffer("c\n")).toString(), "the event is not complete yet");
    assertEquals("data: bc\n", f.finish().toString(), "a stream cut before the empty line: what came goes out");
  }

  @Test
  void onlyAnEventWithAUsageObjectAndNoChoicesIsTheUsageEvent() {
    assertTrue(StreamUsage.Filter.unasked(Buffer.buffer("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1}}\n\n")));
    assertTrue(StreamUsage.Filter.unasked(Buffer.buffer("data:{\"usage\":{},\"choices\":[ ]}\r\n\r\n")));
    assertFalse(StreamUsage.Filter.unasked(Buffer.buffer("data: {\"choices\":[{\"delta\":{}}],\"usage\":{\"a\":1}}\n\n")),
        "vLLM's continuous usage rides on content events: they are the client's");
    assertFalse(StreamUsage.Filter.unasked(Buffer.buffer("data: {\"choices\":[],\"usage\":null}\n\n")));
    assertFalse(StreamUsage.Filter.unasked(Buffer.buffer("data: {\"choices\":[]}\n\n")));
    assertFalse(StreamUsage.Filter.unasked(Buffer.buffer(": usage\n\n")));
    assertFalse(StreamUsage.Filter.unasked(Buffer.buffer("data: usage {\n\n")), "not JSON");
  }

  @Test
  void aStreamedRequestThatDidNotAskForUsageAsksForItAndKeepsEverythingElse() throws Exception {
    String body = "{\"model\":\"gpt\",\"stream\":true,\"temperature\":0.70,\"seed\":12345678901234567890,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"h\\u00e9\"}],\"max_tokens\":5}";
    byte[] asked = StreamUsage.ask(Buffer.buffer(body));
    String text = new String(asked, StandardCharsets.UTF_8);
    JsonNode a = JSON.readTree(asked);
    assertTrue(a.at("/stream_options/include_usage").booleanValue(), text);
    assertTrue(text.contains("\"temperature\":0.70"), "numbers as written: " + text);
    assertTrue(text.contains("\"seed\":12345678901234567890"), text);
    ((com.fasterxml.jackson.databind.node.ObjectNode) a).remove("stream_options");
    assertEquals(JSON.readTree(body), a, "nothing else changes");
    List<String> order = new ArrayList<>();
    a.fieldNames().forEachRemaining(order::add);
    assertEquals(List.of("model", "stream", "temperature", "seed", "messages", "max_tokens"), order);

    JsonNode withOptions = JSON.readTree(StreamUsage.ask(
        Buffer.buffer("{\"stream\":true,\"stream_options\":{\"include_obfuscation\":false}}")));
    assertEquals(JSON.readTree("{\"stream\":true,\"stream_options\":{\"include_obfuscation\":false,\"include_usage\":true}}"),
        withOptions);
    JsonNode saidNo = JSON.readTree(StreamUsage.ask(
        Buffer.buffer("{\"stream\":true,\"stream_options\":{\"include_usage\":false}}")));
    assertTrue(saidNo.at("/stream_options/include_usage").booleanValue(), "asked for Vane; kept from the client");
  }

  @Test
  void requestsThatDoNotStreamOrAlreadyAskGoAsTheyCame() {
    for (String body : new String[] {
        "", "{}", "{\"stream\":false}", "{\"stream\":\"true\"}", "[{\"stream\":true}]", "{\"stream\":true",
        "not json \"stream\"", "{\"messages\":[{\"content\":\"stream\"}]}",
        "{\"stream\":true,\"stream_options\":{\"include_usage\":true}}",
        "{\"stream\":true,\"stream_options\":\"yes\"}",
        "{\"nested\":{\"stream\":true}}", "{\"stream\":true} trailing"}) {
      assertNull(StreamUsage.ask(Buffer.buffer(body)), body);
    }
  }
}

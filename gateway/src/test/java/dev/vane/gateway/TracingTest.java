package dev.vane.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * OpenTelemetry traces as a collector receives them: the real gateway exports over OTLP/HTTP to a loopback receiver
 * that decodes the protobuf, and real upstreams echo the {@code traceparent} they were sent.
 */
class TracingTest {
  @RegisterExtension static final VaneFixtures fx = new VaneFixtures();
  static final Harness h = fx.harness();
  static final TestBackend primary = fx.backend("primary");
  static final TestBackend shadow = fx.backend("shadow");
  static final TestBackend failing = fx.backend("failing", b -> {
    b.mode = TestBackend.Mode.STATUS;
    b.status = 500;
  });

  static final String INCOMING_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String INCOMING_SPAN = "00f067aa0ba902b7";

  OtlpReceiver receiver = fx.own(new OtlpReceiver());

  /** A gateway exporting to the receiver ({@code tracing} null: no tracing section at all). */
  Gateway start(String tracing) throws Exception {
    return fx.gateway("""
        server: { host: 127.0.0.1, port: 0, admin: { port: 0 }, eventLoops: 1 }
        %s
        endpoints:
          - { id: primary, url: "%s", timeout: 2s }
          - { id: shadow, url: "%s", timeout: 2s }
          - { id: failing, url: "%s", timeout: 2s }
        routes:
          - { id: scoring, pathPrefix: /v2/, experiment: e }
          - { id: canary, pathPrefix: /canary/, experiment: c }
          - { id: plain, pathPrefix: /plain/, endpoint: primary }
        experiments:
          - id: e
            champion: { endpoint: primary }
            shadows: [ { id: s1, endpoint: shadow, percent: 100 } ]
          - id: c
            champion: { endpoint: primary }
            canary: { endpoint: failing, percent: 100 }
            fallbackToChampion: true
        """.formatted(tracing == null ? "" : "observability: { tracing: { " + tracing + " } }",
        primary.url(), shadow.url(), failing.url()));
  }

  Gateway traced(double ratio) throws Exception {
    return start("endpoint: \"%s\", samplingRatio: %s, serviceName: vane-test".formatted(receiver.endpoint(), ratio));
  }

  Harness.Reply post(Gateway gw, String path, Map<String, String> headers) {
    Harness.Reply r = h.send(gw.port(), HttpMethod.POST, path, headers, Buffer.buffer("{\"inputs\":[]}"));
    assertEquals(200, r.status(), r.body().toString());
    return r;
  }

  /** The {@code traceparent} the upstream received (the echo backend returns the request's headers). */
  static String[] upstreamTraceparent(Harness.Reply r) {
    JsonObject headers = r.json().getJsonObject("headers");
    String tp = headers.getString("traceparent");
    assertTrue(tp != null, "the upstream got a traceparent: " + headers);
    String[] parts = tp.split("-");
    assertEquals(4, parts.length, tp);
    return parts;
  }

  @Test
  void aRequestHasAServerSpanWhoseClientSpanTheUpstreamIsToldOfAndAShadowSpanLinkedToIt() throws Exception {
    Gateway gw = traced(1);
    Harness.Reply r = post(gw, "/v2/models/m/infer", Map.of("X-User-Id", "u1"));
    String[] tp = upstreamTraceparent(r);
    awaitShadowCompared(gw);
    fx.close(gw); // flushes the batch processor

    OtlpReceiver.Received server = receiver.span("POST scoring");
    OtlpReceiver.Received client = receiver.span("upstream primary");
    OtlpReceiver.Received copy = receiver.span("shadow s1");
    assertEquals(3, receiver.spans().size(), receiver.spans().toString());
    assertEquals(0, receiver.refused());
    assertEquals("vane-test", server.resourceAttr("service.name"));

    assertEquals(Span.SpanKind.SPAN_KIND_SERVER, server.span().getKind());
    assertEquals("", server.parentSpanId().replace("0", ""), "a new trace: the server span is its root");
    assertEquals("scoring", server.attr("vane.route"));
    assertEquals("e", server.attr("vane.experiment"));
    assertEquals(r.header("X-Vane-Variant"), server.attr("vane.arm"));
    assertEquals("assigned", server.attr("vane.assignment"), "the unit's first request stores its arm");
    assertEquals("true", server.attr("vane.unit.sticky"));
    assertEquals("primary", server.attr("vane.endpoint"));
    assertEquals("200", server.attr("http.response.status_code"));
    assertEquals("false", server.attr("vane.fallback"));
    assertEquals("POST", server.attr("http.request.method"));
    assertEquals(r.header("X-Request-Id"), server.attr("vane.request_id"));

    assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, client.span().getKind());
    assertEquals(server.traceId(), client.traceId());
    assertEquals(server.spanId(), client.parentSpanId(), "the client span is the server span's child");
    assertEquals("primary", client.attr("vane.endpoint"));
    assertEquals("200", client.attr("http.response.status_code"));
    assertEquals("127.0.0.1", client.attr("server.address"));

    assertEquals(List.of("00", client.traceId(), client.spanId()), List.of(tp).subList(0, 3),
        "the upstream's traceparent names the client span");
    assertTrue(sampled(tp), tp[3]);

    assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, copy.span().getKind());
    assertEquals(1, copy.span().getLinksCount());
    Span.Link link = copy.span().getLinks(0);
    assertEquals(server.traceId(), hex(link.getTraceId().toByteArray()), "linked to the request's span");
    assertEquals(server.spanId(), hex(link.getSpanId().toByteArray()));
    assertNotEquals(server.traceId(), copy.traceId(), "a trace of its own, not a child");
    assertEquals("s1", copy.attr("vane.shadow"));
    assertEquals("shadow", copy.attr("vane.endpoint"));
    assertEquals("200", copy.attr("http.response.status_code"));
  }

  @Test
  void aFallbackHasAFailedCallAndTheControlsCallUnderOneServerSpan() throws Exception {
    Gateway gw = traced(1);
    Harness.Reply r = post(gw, "/canary/x", Map.of("X-User-Id", "u2"));
    assertEquals("primary", r.header("X-Backend"));
    String[] tp = upstreamTraceparent(r);
    fx.close(gw);

    OtlpReceiver.Received server = receiver.span("POST canary");
    OtlpReceiver.Received first = receiver.span("upstream failing");
    OtlpReceiver.Received retry = receiver.span("upstream primary");
    assertEquals("canary", server.attr("vane.arm"), "the assigned arm");
    assertEquals("true", server.attr("vane.fallback"));
    assertEquals("primary", server.attr("vane.endpoint"), "the control served");
    assertEquals("200", server.attr("http.response.status_code"));
    assertEquals(Status.StatusCode.STATUS_CODE_UNSET, server.span().getStatus().getCode());

    assertEquals(server.spanId(), first.parentSpanId());
    assertEquals("500", first.attr("http.response.status_code"));
    assertEquals(Status.StatusCode.STATUS_CODE_ERROR, first.span().getStatus().getCode());
    assertEquals("false", first.attr("vane.fallback"));
    assertEquals(server.spanId(), retry.parentSpanId());
    assertEquals("true", retry.attr("vane.fallback"));
    assertEquals(retry.spanId(), tp[2], "the control's call carried its own span's id");
  }

  @Test
  void anIncomingSampledTraceparentIsContinuedWhateverTheRatio() throws Exception {
    Gateway gw = traced(0);
    Harness.Reply r = post(gw, "/plain/x",
        Map.of("traceparent", "00-" + INCOMING_TRACE + "-" + INCOMING_SPAN + "-01", "tracestate", "k=v"));
    String[] tp = upstreamTraceparent(r);
    assertEquals("k=v", r.json().getJsonObject("headers").getString("tracestate"), "the trace state goes on");
    fx.close(gw);

    OtlpReceiver.Received server = receiver.span("POST plain");
    OtlpReceiver.Received client = receiver.span("upstream primary");
    assertEquals(INCOMING_TRACE, server.traceId(), "the same trace");
    assertEquals(INCOMING_SPAN, server.parentSpanId(), "the caller's span is the parent");
    assertEquals(INCOMING_TRACE, client.traceId());
    assertEquals(List.of("00", INCOMING_TRACE, client.spanId(), "01"), List.of(tp));
  }

  @Test
  void ratioZeroWithoutATraceparentExportsNothingButStillPropagatesAnUnsampledContext() throws Exception {
    Gateway gw = traced(0);
    java.util.Set<String> traces = new java.util.HashSet<>();
    for (int i = 0; i < 20; i++) {
      String[] tp = upstreamTraceparent(post(gw, "/v2/x", Map.of("X-User-Id", "u" + i)));
      assertTrue(!sampled(tp), "not sampled: " + tp[3]);
      assertTrue(tp[1].matches("[0-9a-f]{32}") && !tp[1].matches("0+"), "a valid trace id: " + tp[1]);
      assertTrue(tp[2].matches("[0-9a-f]{16}") && !tp[2].matches("0+"), "a valid span id: " + tp[2]);
      traces.add(tp[1]);
    }
    assertEquals(20, traces.size(), "a new trace per request");
    awaitShadowCompared(gw);
    fx.close(gw);
    assertEquals(List.of(), receiver.spans());
    assertEquals(0, receiver.exports());
  }

  @Test
  void withTracingOffTheClientsTraceparentReachesTheUpstreamUnchanged() throws Exception {
    Gateway gw = start(null);
    String incoming = "00-" + INCOMING_TRACE + "-" + INCOMING_SPAN + "-01";
    Harness.Reply r = post(gw, "/plain/x", Map.of("traceparent", incoming));
    assertEquals(incoming, String.join("-", upstreamTraceparent(r)));
    fx.close(gw);
    assertEquals(0, receiver.exports());
  }

  /** Waits until the shadow has compared at least one copy (its span has ended then). */
  void awaitShadowCompared(Gateway gw) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      JsonObject f = h.get(gw.adminPort(), "/v1/experiments/e").json().getJsonArray("shadows").getJsonObject(0);
      if (f.getLong("compared", 0L) >= 1) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the shadow compared nothing within 10 s");
  }

  /** The sampled bit of a traceparent's flags (W3C level 2 adds a random-trace-id bit beside it). */
  static boolean sampled(String[] traceparent) {
    return (Integer.parseInt(traceparent[3], 16) & 1) == 1;
  }

  static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
  }
}

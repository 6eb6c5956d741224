package dev.vane.gateway.shadow;

import dev.vane.gateway.counters.ResponseCounters;
import dev.vane.gateway.response.ResponseTap;
import dev.vane.gateway.response.TextSimilarity;
import dev.vane.config.EndpointSettings;
import dev.vane.gateway.upstream.ChunkGaps;
import dev.vane.gateway.upstream.UpstreamCalls;
import dev.vane.gateway.upstream.UpstreamClients;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import java.util.List;

/**
 * Sends a request's planned copies, on the shadow loop; fire-and-forget: a copy's outcome only ever reaches its
 * shadow's counters (an in-flight slot always comes free, whatever happens to the copy). Each answer is compared with
 * the served one.
 */
public final class ShadowSender {
  /** Shadow answers larger than this are not read for comparison (statuses are still compared). */
  public static final int MAX_COMPARE_BYTES = 8 * 1024 * 1024;


  private ShadowSender() {}

  /** Sends every copy of {@code m} with the shadow loop's {@code clients}; call it on the shadow loop. */
  public static void send(MirroredRequest m, UpstreamClients clients) {
    List<ShadowCall> calls = m.calls;
    m.unsent = calls.size();
    for (int i = 0, n = calls.size(); i < n; i++) {
      ShadowCall call = calls.get(i);
      EndpointSettings ep = call.endpoint;
      call.startNanos = System.nanoTime();
      if (m.trace != null) {
        call.span = m.trace.startShadow(call.shadow.id(), ep, m.method.name());
      }
      try {
        // plain callbacks rather than composed futures, as on the request path
        clients.get(m.config, ep).request(UpstreamCalls.options(m.method, m.uri, ep)).onComplete(ar -> {
          MultiMap headers = m.headers;
          Buffer body = m.body;
          m.sent();
          if (ar.failed()) {
            done(m, call, null, true, ar.cause());
            return;
          }
          HttpClientRequest creq = ar.result();
          try {
            creq.headers().addAll(headers);
            creq.putHeader("X-Vane-Shadow", call.shadow.id());
            if (call.span != null) {
              call.span.inject(creq.headers());
            }
          } catch (RuntimeException e) {
            creq.reset();
            done(m, call, null, true, e); // its slot and counters are settled whatever went wrong
            return;
          }
          creq.send(body).onComplete(r -> {
            if (r.failed()) {
              done(m, call, null, true, r.cause());
              return;
            }
            HttpClientResponse resp = r.result();
            call.status = resp.statusCode();
            if (call.span != null) {
              call.span.status(call.status);
            }
            String len = resp.getHeader("Content-Length");
            if (len != null && UpstreamCalls.contentLength(len) > MAX_COMPARE_BYTES) {
              UpstreamCalls.abandon(resp);
              done(m, call, null, false, null);
              return;
            }
            ResponseTap tap = call.responses == null ? null : ResponseTap.of(call.analysis, ep.price(),
                call.responses, call.startNanos, call.status, resp.getHeader("Content-Type"));
            // the endpoint's timeout bounded the wait for the head; from here it bounds each gap in the body, so a
            // shadow that stalls mid-body gives its in-flight slot back
            read(m, call, ChunkGaps.watch(Vertx.currentContext().owner(), resp, ep.timeout().toMillis()), tap);
          });
        });
      } catch (RuntimeException e) {
        m.sent();
        call.inFlight.decrementAndGet();
        call.stats.recordError();
        call.done = true;
        call.failed = true;
        if (call.span != null) {
          call.span.fail(e);
        }
      }
    }
  }

  /**
   * Compares the first choice's text of both answers ({@link TextSimilarity}) into the shadow's response figures;
   * nothing when neither has one, {@code no_text} when only one has.
   */
  private static void texts(byte[] primary, byte[] shadow, boolean identical, ResponseCounters.Target into) {
    String a = TextSimilarity.firstChoiceText(primary);
    // identical bytes hold identical text: read once (the usual case for an agreeing shadow)
    String b = identical ? a : TextSimilarity.firstChoiceText(shadow);
    if (a == null && b == null) {
      return;
    }
    if (a == null || b == null) {
      into.skip(ResponseCounters.TEXT_EDIT, "no_text");
      into.skip(ResponseCounters.TEXT_TOKENS, "no_text");
      return;
    }
    if (a.equals(b)) {
      // equal texts score 1 on both (edit distance 0, equal token sets) without the quadratic edit distance: ~2 ms
      // for two 1,000-character answers (ShadowCompareBenchmark), ~40x a whole copy's exchange
      into.record(ResponseCounters.TEXT_EDIT, 1.0);
      into.record(ResponseCounters.TEXT_TOKENS, 1.0);
      return;
    }
    into.record(ResponseCounters.TEXT_EDIT, TextSimilarity.editSimilarity(a, b));
    into.record(ResponseCounters.TEXT_TOKENS, TextSimilarity.tokenOverlap(a, b));
  }

  /**
   * Reads a copy's body, feeding each chunk to its response metrics ({@code tap}, when any) as it arrives (a
   * stream's time to first token needs the chunks' times); the body is kept only for a compared copy and up to
   * {@link #MAX_COMPARE_BYTES}; a copy that is not compared is drained unread, and its connection goes back to the
   * pool.
   */
  private static void read(MirroredRequest m, ShadowCall call, ChunkGaps resp, ResponseTap tap) {
    Buffer[] acc = {call.compare ? Buffer.buffer() : null};
    resp.exceptionHandler(t -> {
      resp.stop();
      if (tap != null) {
        tap.end(false);
      }
      if (!call.done) {
        done(m, call, null, true, t);
      }
    });
    resp.handler(chunk -> {
      if (tap != null) {
        tap.chunk(chunk, System.nanoTime());
      }
      if (acc[0] != null) {
        acc[0] = acc[0].length() + chunk.length() > MAX_COMPARE_BYTES ? null : acc[0].appendBuffer(chunk);
      }
    });
    resp.endHandler(v -> {
      resp.stop();
      if (tap != null) {
        tap.end(true);
      }
      if (!call.done) {
        done(m, call, acc[0], false, null);
      }
    });
  }

  /** A copy's end: its in-flight slot comes free and, unless it failed, it is compared with the served answer. */
  private static void done(MirroredRequest m, ShadowCall call, Buffer body, boolean failed, Throwable cause) {
    call.inFlight.decrementAndGet();
    if (call.span != null) {
      if (failed) {
        call.span.fail(cause);
      } else {
        call.span.end();
      }
    }
    call.micros = (System.nanoTime() - call.startNanos) / 1000;
    if (failed) {
      call.failed = true;
      call.stats.recordError();
    } else {
      call.body = body == null ? null : body.getBytes();
    }
    call.done = true;
    compareIfReady(m, call);
  }

  private static void compareIfReady(MirroredRequest m, ShadowCall c) {
    if (!c.done || c.compared) {
      return;
    }
    c.compared = true;
    if (c.failed || !m.primaryDone || !c.compare) {
      return;
    }
    ShadowComparison cmp = ShadowComparison.compare(m.primaryStatus, m.primaryBody, c.status, c.body,
        c.shadow.tolerance());
    c.stats.record(cmp.statusMatch(), cmp.bodyEqual(), cmp.maxAbsDiff(), cmp.withinTolerance(), cmp.labelEqual(),
        m.primaryMicros, c.micros);
    if (c.responses != null) {
      texts(m.primaryBody, c.body, cmp.bodyEqual(), c.responses);
    }
  }
}

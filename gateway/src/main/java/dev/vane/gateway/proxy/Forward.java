package dev.vane.gateway.proxy;

import dev.vane.config.EndpointSettings;
import dev.vane.gateway.http.Errors;
import dev.vane.gateway.http.Headers;
import dev.vane.gateway.response.ResponseTap;
import dev.vane.gateway.response.StreamUsage;
import dev.vane.gateway.shadow.ShadowSender;
import dev.vane.gateway.upstream.ChunkGaps;
import dev.vane.gateway.upstream.UpstreamCalls;
import dev.vane.gateway.upstream.UpstreamClients;
import dev.vane.router.Arm;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step: sends the request to its endpoint on this loop's keep-alive pool and writes the answer back. A
 * failure maps to 502/503/504 in {@link Errors}; with {@code fallbackToChampion}, a non-control arm's connect
 * failure, timeout or 5xx is retried once on the control. Small fixed-length answers (and those with a compared
 * shadow copy, whose body the shadow's is compared with) are read whole and written with their head in one write;
 * streams (chunked, e.g. server-sent events) and large bodies are piped through as they arrive. A stream whose usage
 * Vane asked for ({@link MeasureResponse#askForUsage}) reaches the client without the usage event. An upstream body
 * cut short gets 502 when the client has received nothing yet, else the client's connection is closed.
 */
final class Forward implements ProxyStep {
  private static final Logger log = LoggerFactory.getLogger(Forward.class);
  /** Fixed-length responses up to this size are read whole and written with their head in one write. */
  static final int BUFFER_RESPONSES_UP_TO = 64 * 1024;

  private final Vertx vertx;
  private final UpstreamClients clients;

  Forward(Vertx vertx) {
    this.vertx = vertx;
    this.clients = new UpstreamClients(vertx);
  }

  @Override
  public void onRequest(Exchange x) {
    // before anything is sent: the shadows get the body as the served arm got it
    MeasureResponse.askForUsage(x, x.endpoint);
    forward(x, x.endpoint, x.mayFallback);
  }

  private void forward(Exchange x, EndpointSettings ep, boolean mayFallback) {
    x.timeoutMillis = ep.timeout().toMillis();
    x.served = ep;
    if (x.span != null) {
      x.upstreamSpan = x.span.startUpstream(ep, x.fellBack);
      x.upstreamEndpoint = ep;
    }
    Future<HttpClientRequest> pending;
    try {
      pending = clients.get(x.snapshot.config(), ep).request(UpstreamCalls.options(x.method, x.uri, ep));
    } catch (RuntimeException e) {
      // a setup error (an endpoint the client library refuses) must answer, not hang
      x.logged(() -> log.warn("request {}: cannot send to upstream {}: {}", x.requestId, ep.id(), e.toString()));
      failed(x, ep, mayFallback, e);
      return;
    }
    // two plain callbacks instead of a composed future: one fewer future and listener per request
    pending.onComplete(ar -> {
      if (ar.failed()) {
        failed(x, ep, mayFallback, ar.cause());
        return;
      }
      HttpClientRequest creq = ar.result();
      try {
        x.copyRequestHeaders(creq.headers());
        if (x.upstreamSpan != null) {
          x.upstreamSpan.inject(creq.headers()); // the client's traceparent gives way to this call's
        }
      } catch (RuntimeException e) {
        creq.reset();
        failed(x, ep, mayFallback, e);
        return;
      }
      x.sentNanos = System.nanoTime();
      creq.send(x.body).onComplete(r -> {
        if (r.failed()) {
          failed(x, ep, mayFallback, r.cause());
        } else {
          answered(x, r.result(), mayFallback);
        }
      });
    });
  }

  private void failed(Exchange x, EndpointSettings ep, boolean mayFallback, Throwable cause) {
    if (x.upstreamSpan != null) {
      x.upstreamSpan.fail(cause);
    }
    if (x.req.response().closed()) {
      x.end(499, false);
      return;
    }
    int status = Errors.statusOf(cause);
    if (mayFallback) {
      fallback(x);
      return;
    }
    if (x.armCounters != null) {
      x.armCounters.recordUpstreamError();
    }
    x.answer(status, message(status, ep, cause));
  }

  private void answered(Exchange x, HttpClientResponse up, boolean mayFallback) {
    if (x.upstreamSpan != null) {
      x.upstreamSpan.status(up.statusCode());
    }
    if (x.req.response().closed()) {
      UpstreamCalls.abandon(up);
      x.end(499, false);
      return;
    }
    if (mayFallback && up.statusCode() >= 500) {
      if (x.upstreamSpan != null) {
        x.upstreamSpan.end();
      }
      up.exceptionHandler(t -> { });
      up.body(); // drain so the connection is reused
      fallback(x);
      return;
    }
    respond(x, up);
  }

  private static String message(int status, EndpointSettings ep, Throwable t) {
    return switch (status) {
      case 504 -> "upstream " + ep.id() + " did not answer within " + ep.timeout().toMillis() + " ms";
      case 503 -> "upstream " + ep.id() + " has no free connection";
      default -> "upstream " + ep.id() + " failed: " + t.getMessage();
    };
  }

  private void fallback(Exchange x) {
    x.fellBack = true;
    x.armCounters.recordFallback();
    Arm control = x.experiment.control();
    EndpointSettings ep = x.snapshot.config().endpoints().get(control.endpoint());
    MeasureResponse.fallingBackTo(x, ep);
    forward(x, ep, false);
  }

  private void respond(Exchange x, HttpClientResponse up) {
    HttpServerResponse res = x.req.response();
    res.setStatusCode(up.statusCode());
    if (up.statusMessage() != null) {
      res.setStatusMessage(up.statusMessage());
    }
    Headers.copyEndToEnd(up.headers(), res.headers());
    String len = up.getHeader("Content-Length");
    boolean bodyless = x.method == HttpMethod.HEAD || up.statusCode() == 204 || up.statusCode() == 304;
    if (len != null) {
      res.putHeader("Content-Length", len);
    } else if (!bodyless) {
      res.setChunked(true);
    }
    decorate(x, res);
    int status = up.statusCode();
    boolean compare = x.keepServedBody;
    long length = len == null || bodyless ? -1 : UpstreamCalls.contentLength(len);
    // response metrics read the bytes on the side: after the client's write, never before it
    ResponseTap tap = MeasureResponse.open(x, x.served, up);
    StreamUsage.Filter filter = MeasureResponse.usageFilter(x, up);
    boolean whole = compare || (length >= 0 && length <= BUFFER_RESPONSES_UP_TO);
    if (filter != null && len != null && !whole) {
      // a long stream with a length: the bytes taken out would leave it short, so it goes chunked
      res.headers().remove("Content-Length");
      res.setChunked(true);
    }
    if (whole) {
      up.body().onComplete(b -> {
        if (b.failed()) {
          cutShort(x, b.cause());
          if (tap != null) {
            tap.end(false);
          }
          return;
        }
        Buffer buf = b.result();
        Buffer toClient = buf;
        if (filter != null) {
          toClient = filter.accept(buf);
          Buffer rest = filter.finish();
          if (rest.length() > 0) {
            toClient = Buffer.buffer(toClient.length() + rest.length()).appendBuffer(toClient).appendBuffer(rest);
          }
          if (len != null) {
            res.putHeader("Content-Length", Integer.toString(toClient.length()));
          }
        }
        res.end(toClient);
        if (compare) {
          x.primaryBody = buf.length() <= ShadowSender.MAX_COMPARE_BYTES ? buf.getBytes() : null;
        }
        x.end(status, true);
        if (tap != null) {
          tap.untimed();
          tap.chunk(buf, System.nanoTime());
          tap.end(true);
        }
      });
      return;
    }
    // streamed: the endpoint timeout bounded the wait for the head; from here it bounds each gap between chunks
    ChunkGaps gaps = ChunkGaps.watch(vertx, up, x.timeoutMillis);
    ReadStream<Buffer> body = tap == null && filter == null ? gaps : MeasureResponse.tapped(gaps, tap, filter);
    body.pipe().endOnFailure(false).to(res).onComplete(p -> {
      gaps.stop();
      if (tap != null) {
        tap.end(p.succeeded());
      }
      if (p.failed()) {
        cutShort(x, p.cause());
        UpstreamCalls.abandon(up);
      } else {
        x.end(status, true);
      }
    });
  }

  /**
   * The upstream's body ended early (fewer bytes than its Content-Length, a reset, a timeout between chunks): a
   * client that has received nothing yet gets a 502; one that has part of the body has its connection closed, so
   * it cannot take the truncated body for a whole one.
   */
  private static void cutShort(Exchange x, Throwable cause) {
    if (x.upstreamSpan != null) {
      x.upstreamSpan.fail(cause);
    }
    if (x.armCounters != null) {
      x.armCounters.recordUpstreamError();
    }
    HttpServerResponse res = x.req.response();
    if (!res.headWritten() && !res.closed()) {
      res.headers().clear();
      res.setChunked(false);
      x.answer(502, "upstream response was cut short: " + Errors.describe(cause));
      return;
    }
    res.reset();
    x.end(502, false);
  }

  private static void decorate(Exchange x, HttpServerResponse res) {
    res.putHeader(Headers.REQUEST_ID, x.requestId);
    if (x.assignment != null && x.snapshot.config().server().variantHeaders()) {
      res.putHeader(Headers.EXPERIMENT, x.experiment.id());
      res.putHeader(Headers.VARIANT, x.fellBack ? x.experiment.control().id() : x.assignment.arm().id());
      if (x.fellBack) {
        res.putHeader(Headers.FALLBACK, x.assignment.arm().id());
      }
    }
  }
}

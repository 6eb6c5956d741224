package dev.vane.gateway.proxy;

import dev.vane.gateway.api.ApiHandler;
import dev.vane.gateway.http.Errors;
import dev.vane.gateway.http.Headers;
import dev.vane.gateway.http.RequestIds;
import dev.vane.gateway.runtime.GatewayCore;
import dev.vane.gateway.runtime.Snapshot;
import dev.vane.gateway.upstream.UpstreamClients;
import dev.vane.gateway.upstream.UpstreamPool;

import dev.vane.config.Analysis;
import dev.vane.config.EndpointSettings;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.counters.ArmStats;
import dev.vane.gateway.counters.ExperimentStats;
import dev.vane.gateway.counters.OutcomeStats;
import dev.vane.gateway.counters.ShadowComparison;
import dev.vane.gateway.counters.ShadowStats;
import dev.vane.router.Arm;
import dev.vane.router.Assignment;
import dev.vane.router.Experiment;
import dev.vane.router.ModelNames;
import dev.vane.router.Route;
import dev.vane.router.Shadow;
import dev.vane.router.UnknownArmException;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import dev.vane.gateway.server.ConnectionGuard;
import dev.vane.gateway.server.RequestTarget;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request path, one instance per event loop: read body → resolve route → identify unit → assign → forward
 * (with fallback) → record → mirror to shadows (sent once the client has its response). Everything runs on this
 * handler's event loop; an assignment that completes elsewhere (a remote sticky store) hops back before continuing. Shadow copies are fire-and-forget: their
 * outcome only ever reaches {@link ShadowStats}.
 */
public final class ProxyHandler implements Handler<HttpServerRequest> {
  private static final Logger log = LoggerFactory.getLogger(ProxyHandler.class);
  /** Responses larger than this are not buffered for shadow comparison (statuses are still compared). */
  private static final int MAX_COMPARE_BYTES = 8 * 1024 * 1024;
  /** Fixed-length responses up to this size are read whole and written with their head in one write. */
  static final int BUFFER_RESPONSES_UP_TO = 64 * 1024;

  private final Vertx vertx;
  private final Context context;
  private final GatewayCore core;
  private final ApiHandler api;
  private final UpstreamClients clients;
  private final ConnectionGuard.Loop guard;

  public ProxyHandler(Vertx vertx, Context context, GatewayCore core, ApiHandler api, ConnectionGuard.Loop guard) {
    this.vertx = vertx;
    this.context = context;
    this.core = core;
    this.api = api;
    this.guard = guard;
    this.clients = new UpstreamClients(vertx);
  }

  @Override
  public void handle(HttpServerRequest req) {
    ConnectionGuard.Admission admission = guard.admit(req);
    RequestTarget target;
    try {
      target = RequestTarget.parse(req.method().name(), req.uri());
      checkHost(req);
    } catch (RequestTarget.Invalid e) {
      refuse(req, 400, "bad_request", e.getMessage());
      return;
    }
    String path = target.path();
    if (admission == ConnectionGuard.Admission.RESERVE) {
      // a connection beyond the listener's budget: health checks are answered, nothing else
      req.response().putHeader("Connection", "close");
      if (path.equals("/healthz") || path.equals("/readyz")) {
        req.response().endHandler(v -> req.connection().close());
        api.handle(req, path);
      } else {
        refuse(req, 503, "overloaded", "the gateway is at its connection limit ("
            + core.snapshot().config().server().limits().maxConnections() + "); retry later");
      }
      return;
    }
    if (api.handles(path)) {
      api.handle(req, path);
      return;
    }
    Exchange x = new Exchange(req, core.snapshot(), System.nanoTime(), target);
    String rid = req.getHeader(Headers.REQUEST_ID);
    x.requestId = RequestIds.fromClient(rid);
    long max = x.snapshot.config().server().maxBodyBytes();
    String cl = req.getHeader("Content-Length");
    if (cl != null) {
      long len;
      try {
        len = Long.parseLong(cl.trim());
      } catch (NumberFormatException e) {
        len = -1;
      }
      if (len < 0) {
        rejectAndClose(x, 400, "invalid Content-Length: " + cl);
        return;
      }
      if (len > max) {
        rejectAndClose(x, 413, "request body of " + len + " bytes exceeds the limit of " + max + " bytes");
        return;
      }
    }
    BodyReader body = new BodyReader();
    req.handler(chunk -> {
      if (x.rejected) {
        return;
      }
      if ((long) body.length + chunk.length() > max) {
        rejectAndClose(x, 413, "request body exceeds the limit of " + max + " bytes");
        return;
      }
      body.add(chunk);
    });
    req.exceptionHandler(t -> {
      if (!x.rejected) {
        // a malformed chunked body or a connection lost mid-body: answer 400 if the client can still hear it
        rejectAndClose(x, 400, "the request body could not be read: " + Errors.describe(t));
      }
    });
    req.endHandler(v -> {
      if (!x.rejected) {
        x.body = body.result();
        route(x);
      }
    });
  }

  /**
   * Collects a request body. The usual inference request arrives in one chunk, which is kept as it is (Vert.x hands
   * each handler its own heap copy of the bytes); only a second chunk starts an aggregate.
   */
  static final class BodyReader {
    private Buffer first;
    private Buffer aggregate;
    int length;

    void add(Buffer chunk) {
      length += chunk.length();
      if (first == null && aggregate == null) {
        first = chunk;
        return;
      }
      if (aggregate == null) {
        aggregate = Buffer.buffer(Math.max(first.length() * 2, length));
        aggregate.appendBuffer(first);
        first = null;
      }
      aggregate.appendBuffer(chunk);
    }

    Buffer result() {
      return aggregate != null ? aggregate : first != null ? first : Buffer.buffer();
    }
  }

  /**
   * RFC 9112 §3.2: an HTTP/1.1 request carries exactly one {@code Host} (HTTP/1.0 may omit it).
   *
   * @throws RequestTarget.Invalid when it does not
   */
  private static void checkHost(HttpServerRequest req) {
    if (req.version() == HttpVersion.HTTP_1_0) {
      return;
    }
    String host = req.getHeader("Host");
    if (host == null) {
      throw new RequestTarget.Invalid("HTTP/1.1 request without a Host header");
    }
    if (req.headers().getAll("Host").size() > 1) {
      throw new RequestTarget.Invalid("more than one Host header");
    }
    String te = req.getHeader("Transfer-Encoding");
    if (te != null && (!te.trim().equalsIgnoreCase("chunked") || req.headers().getAll("Transfer-Encoding").size() > 1)) {
      // RFC 9112 §6.1: a body whose final coding is not chunked has no reliable length (a smuggling vector)
      throw new RequestTarget.Invalid("Transfer-Encoding: only chunked is accepted");
    }
  }

  /** Answers a request Vane will not serve, and closes its connection (what follows on it cannot be trusted). */
  private void refuse(HttpServerRequest req, int status, String code, String message) {
    HttpServerResponse res = req.response();
    if (res.headWritten() || res.ended()) {
      return;
    }
    res.putHeader("Connection", "close");
    Errors.send(res, status, code, message, RequestIds.next());
    // what follows on this connection cannot be trusted (and Vert.x keeps a CONNECT's connection open)
    vertx.setTimer(50, id -> req.connection().close());
  }

  private void rejectAndClose(Exchange x, int status, String message) {
    x.rejected = true;
    HttpServerResponse res = x.req.response();
    if (res.headWritten()) {
      x.req.connection().close();
      return;
    }
    res.putHeader("Connection", "close");
    Errors.send(res, status, message, x.requestId);
    res.closeHandler(null);
    vertx.setTimer(50, id -> x.req.connection().close());
  }

  private void route(Exchange x) {
    HttpServerRequest req = x.req;
    VaneConfig cfg = x.snapshot.config();
    String path = x.target.path();
    String model = ModelNames.fromPath(path);
    if (model == null && cfg.routing().hasModelRoutes() && ModelNames.modelInBody(path) && x.body.length() > 0) {
      try {
        model = ModelBody.model(x.body.getBytes());
      } catch (IllegalArgumentException e) {
        Errors.send(req.response(), 400, e.getMessage(), x.requestId);
        return;
      }
    }
    x.view.model = model;
    Route route = cfg.routing().resolve(path, model);
    if (route == null) {
      String dflt = cfg.routing().defaultEndpoint();
      if (dflt == null) {
        Errors.send(req.response(), 404, "no route for " + req.method() + " " + path
            + (model != null ? " (model " + model + ")" : ""), x.requestId);
        return;
      }
      forward(x, cfg.endpoints().get(dflt), false);
      return;
    }
    if (route.endpoint() != null) {
      forward(x, cfg.endpoints().get(route.endpoint()), false);
      return;
    }
    Experiment exp = cfg.routing().experiment(route.experiment());
    x.experiment = exp;
    x.stats = x.snapshot.stats().get(exp.id());
    String unit = cfg.server().unitId().unitOf(x.view);
    CompletableFuture<Assignment> f;
    try {
      f = core.assigner().assign(exp, x.view, unit).toCompletableFuture();
    } catch (UnknownArmException e) {
      Errors.send(req.response(), 400, e.getMessage(), x.requestId);
      return;
    }
    if (f.isDone()) {
      assigned(x, f.getNow(null));
    } else {
      f.whenComplete((a, t) -> context.runOnContext(v -> {
        if (t != null) {
          log.warn("assignment failed for experiment {}: {}", exp.id(), t.toString());
          assigned(x, new Assignment(exp, exp.control(), Assignment.Reason.NOT_COVERED, unit));
        } else {
          assigned(x, a);
        }
      }));
    }
  }

  private void assigned(Exchange x, Assignment a) {
    x.assignment = a;
    ExperimentStats es = x.stats;
    ArmStats as = es.arm(a.arm().id());
    x.armStats = as;
    as.requests.increment();
    switch (a.reason()) {
      case OVERRIDE -> es.overrides.increment();
      case NOT_TARGETED -> es.notTargeted.increment();
      case NOT_COVERED -> es.notCovered.increment();
      case ASSIGNED -> {
        as.exposures.increment();
        as.newUnits.increment();
      }
      case RANDOM -> {
        as.exposures.increment();
        as.nonSticky.increment();
      }
      default -> as.exposures.increment();
    }
    core.recordUnit(es, a);
    if (a.exposure()) {
      analyse(x, es, a);
    }
    planShadows(x);
    forward(x, x.snapshot.config().endpoints().get(a.arm().endpoint()),
        x.experiment.fallbackToControl() && a.arm() != x.experiment.control());
  }

  /** Slice exposure counts, and the attribution feedback will join to (experiments that declare metrics). */
  private void analyse(Exchange x, ExperimentStats es, Assignment a) {
    OutcomeStats outcomes = es.outcomes();
    Analysis analysis = outcomes.analysis();
    String[] slices = NO_SLICES;
    if (outcomes.hasSlices()) {
      List<Analysis.Slice> dims = analysis.slices();
      slices = new String[dims.size()];
      for (int i = 0; i < slices.length; i++) {
        Analysis.Slice d = dims.get(i);
        String raw;
        if (d.header() != null) {
          raw = x.req.getHeader(d.header());
        } else {
          try {
            raw = ModelBody.field(x.body.getBytes(), d.bodyField());
          } catch (IllegalArgumentException e) {
            raw = null;
          }
        }
        slices[i] = outcomes.sliceValue(i, raw);
      }
      outcomes.exposure(a.arm().id(), slices);
    }
    if (!analysis.metrics().isEmpty()) {
      core.feedback().exposed(es, a.arm().id(), x.requestId, a.unit(), slices);
    }
  }

  private static final String[] NO_SLICES = new String[0];

  // ---- forwarding ----

  /** Method, path and timeout; host, port and TLS come with the pooled connection (its authority is the Host). */
  private static RequestOptions options(HttpMethod method, String uri, EndpointSettings ep) {
    return new RequestOptions()
        .setMethod(method)
        .setURI(ep.basePath() + uri)
        .setIdleTimeout(ep.timeout().toMillis());
  }

  /**
   * The client's end-to-end headers, the request id, and the forwarding headers: {@code X-Forwarded-Host} and
   * {@code X-Forwarded-For} are appended to (what the client or earlier proxies sent stays in front, Vane's view is
   * the last element: the {@code Host} it received, and the client address it saw).
   */
  private void copyRequestHeaders(Exchange x, io.vertx.core.MultiMap to) {
    Headers.copyEndToEnd(x.req.headers(), to);
    to.set(Headers.REQUEST_ID, x.requestId);
    String host = x.req.getHeader("Host");
    if (host != null) {
      Headers.append(to, Headers.FORWARDED_HOST, host);
    }
    if (x.clientAddress != null) {
      Headers.append(to, Headers.FORWARDED_FOR, x.clientAddress);
    }
  }

  private void forward(Exchange x, EndpointSettings ep, boolean mayFallback) {
    x.timeoutMillis = ep.timeout().toMillis();
    UpstreamPool pool;
    Future<HttpClientRequest> pending;
    try {
      pool = clients.get(x.snapshot.config(), ep);
      pending = pool.request(options(x.method, x.uri, ep));
    } catch (RuntimeException e) {
      // a setup error (an endpoint the client library refuses) must answer, not hang
      log.warn("request {}: cannot send to upstream {}: {}", x.requestId, ep.id(), e.toString());
      upstreamFailed(x, ep, mayFallback, e);
      return;
    }
    // two plain callbacks instead of a composed future: one fewer future and listener per request
    pending.onComplete(ar -> {
      if (ar.failed()) {
        upstreamFailed(x, ep, mayFallback, ar.cause());
        return;
      }
      HttpClientRequest creq = ar.result();
      try {
        copyRequestHeaders(x, creq.headers());
      } catch (RuntimeException e) {
        creq.reset();
        upstreamFailed(x, ep, mayFallback, e);
        return;
      }
      creq.send(x.body).onComplete(r -> {
        if (r.failed()) {
          upstreamFailed(x, ep, mayFallback, r.cause());
        } else {
          upstreamAnswered(x, r.result(), mayFallback);
        }
      });
    });
  }

  private void upstreamFailed(Exchange x, EndpointSettings ep, boolean mayFallback, Throwable cause) {
    if (x.req.response().closed()) {
      finish(x, 499, false);
      return;
    }
    int status = Errors.statusOf(cause);
    if (mayFallback) {
      fallback(x);
      return;
    }
    if (x.armStats != null) {
      x.armStats.upstreamErrors.increment();
    }
    Errors.send(x.req.response(), status, upstreamMessage(status, ep, cause), x.requestId);
    finish(x, status, false);
  }

  private void upstreamAnswered(Exchange x, HttpClientResponse up, boolean mayFallback) {
    if (x.req.response().closed()) {
      abandon(up);
      finish(x, 499, false);
      return;
    }
    if (mayFallback && up.statusCode() >= 500) {
      up.exceptionHandler(t -> { });
      up.body(); // drain so the connection is reused
      fallback(x);
      return;
    }
    respond(x, up);
  }

  private static String upstreamMessage(int status, EndpointSettings ep, Throwable t) {
    return switch (status) {
      case 504 -> "upstream " + ep.id() + " did not answer within " + ep.timeout().toMillis() + " ms";
      case 503 -> "upstream " + ep.id() + " has no free connection";
      default -> "upstream " + ep.id() + " failed: " + t.getMessage();
    };
  }

  private void fallback(Exchange x) {
    x.fellBack = true;
    x.armStats.fallbacks.increment();
    Arm control = x.experiment.control();
    forward(x, x.snapshot.config().endpoints().get(control.endpoint()), false);
  }

  private void respond(Exchange x, HttpClientResponse up) {
    HttpServerResponse res = x.req.response();
    res.setStatusCode(up.statusCode());
    if (up.statusMessage() != null) {
      res.setStatusMessage(up.statusMessage());
    }
    Headers.copyEndToEnd(up.headers(), res.headers());
    String len = up.getHeader("Content-Length");
    boolean bodyless = x.req.method() == HttpMethod.HEAD || up.statusCode() == 204 || up.statusCode() == 304;
    if (len != null) {
      res.putHeader("Content-Length", len);
    } else if (!bodyless) {
      res.setChunked(true);
    }
    decorate(x, res);
    int status = up.statusCode();
    boolean compare = x.shadowCalls != null;
    long length = len == null || bodyless ? -1 : parseLong(len);
    if (compare || (length >= 0 && length <= BUFFER_RESPONSES_UP_TO)) {
      // Buffered: a mirrored request's body is compared with the shadows'; a small fixed-length body is
      // written with the head in one go (no pipe, one write). Streams (chunked, e.g. server-sent events) and
      // large bodies are piped through as they arrive.
      up.body().onComplete(b -> {
        if (b.failed()) {
          cutShort(x, up, b.cause());
          return;
        }
        Buffer buf = b.result();
        res.end(buf);
        if (compare) {
          x.primaryBody = buf.length() <= MAX_COMPARE_BYTES ? buf.getBytes() : null;
        }
        finish(x, status, true);
      });
      return;
    }
    // streamed: the endpoint timeout bounded the wait for the head; from here it bounds each gap between chunks
    up.request().idleTimeout(x.timeoutMillis);
    up.pipe().endOnFailure(false).to(res).onComplete(p -> {
      if (p.failed()) {
        cutShort(x, up, p.cause());
        abandon(up);
      } else {
        finish(x, status, true);
      }
    });
  }

  /**
   * The upstream's body ended early (fewer bytes than its Content-Length, a reset, a timeout between chunks): a
   * client that has received nothing yet gets a 502; one that has part of the body has its connection closed, so
   * it cannot take the truncated body for a whole one.
   */
  private void cutShort(Exchange x, HttpClientResponse up, Throwable cause) {
    if (x.armStats != null) {
      x.armStats.upstreamErrors.increment();
    }
    HttpServerResponse res = x.req.response();
    if (!res.headWritten() && !res.closed()) {
      res.headers().clear();
      res.setChunked(false);
      Errors.send(res, 502, "upstream response was cut short: " + Errors.describe(cause), x.requestId);
      finish(x, 502, false);
      return;
    }
    res.reset();
    finish(x, 502, false);
  }

  /** Drops an upstream response nobody will read: its connection is reset rather than returned to the pool. */
  private static void abandon(HttpClientResponse up) {
    up.exceptionHandler(t -> { });
    try {
      up.request().reset();
    } catch (RuntimeException e) {
      // already closed: nothing to reset
    }
  }

  private void decorate(Exchange x, HttpServerResponse res) {
    res.putHeader(Headers.REQUEST_ID, x.requestId);
    if (x.assignment != null && x.snapshot.config().server().variantHeaders()) {
      res.putHeader(Headers.EXPERIMENT, x.experiment.id());
      res.putHeader(Headers.VARIANT, x.fellBack ? x.experiment.control().id() : x.assignment.arm().id());
      if (x.fellBack) {
        res.putHeader(Headers.FALLBACK, x.assignment.arm().id());
      }
    }
  }

  private void finish(Exchange x, int status, boolean primaryResponded) {
    if (x.finished) {
      return;
    }
    x.finished = true;
    long micros = (System.nanoTime() - x.startNanos) / 1000;
    if (x.armStats != null) {
      x.armStats.recordStatus(status);
      x.armStats.latency.recordMicros(micros);
    }
    if (x.shadowCalls != null) {
      // the copies go out from the shadow event loop: their connections, timers and comparisons never take this
      // loop's time from clients. They carry only what the copies and the comparison need, so that nothing of
      // the client's request and response (headers, connection state) is kept alive while a shadow answers.
      MultiMap headers = MultiMap.caseInsensitiveMultiMap();
      copyRequestHeaders(x, headers);
      Mirror m = new Mirror(x.snapshot.config(), x.method, x.uri, headers, x.body, x.shadowCalls, status, micros,
          primaryResponded, x.primaryBody);
      core.mirror(clients -> sendShadows(m, clients));
    }
  }

  // ---- shadows ----

  /**
   * Decides which shadows get a copy of this request and reserves their in-flight slots; the copies are sent once
   * the client has its response ({@link #sendShadows}), so mirroring work never delays it.
   */
  private void planShadows(Exchange x) {
    List<Shadow> shadows = x.experiment.shadows();
    if (shadows.isEmpty()) {
      return;
    }
    for (int i = 0, n = shadows.size(); i < n; i++) {
      Shadow s = shadows.get(i);
      if (s.percentBps() < 10_000 && ThreadLocalRandom.current().nextInt(10_000) >= s.percentBps()) {
        continue;
      }
      ShadowStats stats = x.stats.shadow(s.id());
      EndpointSettings ep = x.snapshot.config().endpoints().get(s.endpoint());
      AtomicInteger inFlight = core.shadowInFlight(ep.id());
      if (inFlight.incrementAndGet() > ep.maxShadowInFlight()) {
        inFlight.decrementAndGet();
        stats.dropped.increment();
        continue;
      }
      stats.mirrored.increment();
      if (x.shadowCalls == null) {
        x.shadowCalls = new ArrayList<>(n);
      }
      x.shadowCalls.add(new ShadowCall(s, stats, ep, inFlight));
    }
  }

  /**
   * Sends the planned copies, on the shadow event loop; fire-and-forget: their outcome only reaches the shadow's
   * figures. Only this loop touches {@code x} from here on.
   */
  private static void sendShadows(Mirror x, UpstreamClients shadowClients) {
    List<ShadowCall> calls = x.calls;
    x.unsent = calls.size();
    for (int i = 0, n = calls.size(); i < n; i++) {
      ShadowCall call = calls.get(i);
      EndpointSettings ep = call.endpoint;
      call.startNanos = System.nanoTime();
      try {
        // plain callbacks rather than composed futures, as on the request path
        shadowClients.get(x.config, ep).request(options(x.method, x.uri, ep)).onComplete(ar -> {
          MultiMap headers = x.headers;
          Buffer body = x.body;
          x.sent();
          if (ar.failed()) {
            shadowDone(x, call, null, true);
            return;
          }
          HttpClientRequest creq = ar.result();
          try {
            creq.headers().addAll(headers);
            creq.putHeader("X-Vane-Shadow", call.shadow.id());
          } catch (RuntimeException e) {
            creq.reset();
            shadowDone(x, call, null, true); // its slot and figures are settled whatever went wrong
            return;
          }
          creq.send(body).onComplete(r -> {
            if (r.failed()) {
              shadowDone(x, call, null, true);
              return;
            }
            HttpClientResponse resp = r.result();
            call.status = resp.statusCode();
            String len = resp.getHeader("Content-Length");
            if (len != null && parseLong(len) > MAX_COMPARE_BYTES) {
              abandon(resp);
              shadowDone(x, call, null, false);
              return;
            }
            resp.body().onComplete(b -> shadowDone(x, call, b.succeeded() ? b.result() : null, b.failed()));
          });
        });
      } catch (RuntimeException e) {
        x.sent();
        call.inFlight.decrementAndGet();
        call.stats.errors.increment();
        call.done = true;
        call.failed = true;
      }
    }
  }

  /** A shadow call's end: its in-flight slot comes free and, unless it failed, it is compared with the answer. */
  private static void shadowDone(Mirror x, ShadowCall call, Buffer body, boolean failed) {
    call.inFlight.decrementAndGet();
    call.micros = (System.nanoTime() - call.startNanos) / 1000;
    if (failed) {
      call.failed = true;
      call.stats.errors.increment();
    } else {
      call.body = body == null ? null : body.getBytes();
    }
    call.done = true;
    compareIfReady(x, call);
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static void compareIfReady(Mirror x, ShadowCall c) {
    if (!c.done || c.compared) {
      return;
    }
    c.compared = true;
    if (c.failed || !x.primaryDone) {
      return;
    }
    ShadowComparison cmp = ShadowComparison.compare(x.primaryStatus, x.primaryBody, c.status, c.body,
        c.shadow.tolerance());
    c.stats.record(cmp, x.primaryMicros, c.micros);
  }

  /**
   * One proxied request's state, read and written only on this handler's event loop. Mirroring never hands it to
   * the shadow loop: {@link #finish} copies what the shadows need into a {@link Mirror}.
   */
  private static final class Exchange {
    final HttpServerRequest req;
    final Snapshot snapshot;
    final long startNanos;
    final HttpRequestView view;
    final HttpMethod method;
    final RequestTarget target;
    /** Origin-form: the normalised path and the query, appended to the endpoint's base path. */
    final String uri;
    final String clientAddress;
    /** The timeout of the endpoint now serving (for the gaps of a streamed response). */
    long timeoutMillis;
    String requestId;
    Buffer body;
    boolean rejected;
    Experiment experiment;
    ExperimentStats stats;
    Assignment assignment;
    ArmStats armStats;
    boolean fellBack;
    boolean finished;
    /** The served body, kept for the shadow comparison (mirrored requests only). */
    byte[] primaryBody;
    List<ShadowCall> shadowCalls;

    Exchange(HttpServerRequest req, Snapshot snapshot, long startNanos, RequestTarget target) {
      this.req = req;
      this.snapshot = snapshot;
      this.startNanos = startNanos;
      this.target = target;
      this.view = new HttpRequestView(req, target.path());
      this.method = req.method();
      this.uri = target.uri();
      io.vertx.core.net.SocketAddress a = req.remoteAddress();
      this.clientAddress = a == null ? null : a.hostAddress();
    }
  }

  /**
   * What a request's shadow copies need, handed to the shadow loop once the client has its response: the request
   * (method, URI, end-to-end headers, body), the config it was routed on, the planned calls and the served answer to
   * compare with. Once handed over, only the shadow loop touches it.
   */
  private static final class Mirror {
    final VaneConfig config;
    final HttpMethod method;
    final String uri;
    /** The request's headers and body, until every copy has been sent (then dropped: only the comparison waits). */
    MultiMap headers;
    Buffer body;
    final List<ShadowCall> calls;
    final int primaryStatus;
    final long primaryMicros;
    final boolean primaryDone;
    final byte[] primaryBody;
    /** Copies not yet handed to a connection. */
    int unsent;

    Mirror(VaneConfig config, HttpMethod method, String uri, MultiMap headers, Buffer body, List<ShadowCall> calls,
        int primaryStatus, long primaryMicros, boolean primaryDone, byte[] primaryBody) {
      this.config = config;
      this.method = method;
      this.uri = uri;
      this.headers = headers;
      this.body = body;
      this.calls = calls;
      this.primaryStatus = primaryStatus;
      this.primaryMicros = primaryMicros;
      this.primaryDone = primaryDone;
      this.primaryBody = primaryBody;
    }

    void sent() {
      if (--unsent == 0) {
        headers = null;
        body = null;
      }
    }
  }

  private static final class ShadowCall {
    final Shadow shadow;
    final ShadowStats stats;
    final EndpointSettings endpoint;
    final AtomicInteger inFlight;
    boolean done;
    boolean failed;
    boolean compared;
    int status;
    long startNanos;
    long micros;
    byte[] body;

    ShadowCall(Shadow shadow, ShadowStats stats, EndpointSettings endpoint, AtomicInteger inFlight) {
      this.shadow = shadow;
      this.stats = stats;
      this.endpoint = endpoint;
      this.inFlight = inFlight;
    }
  }
}

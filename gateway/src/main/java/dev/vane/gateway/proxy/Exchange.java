package dev.vane.gateway.proxy;

import dev.vane.config.EndpointSettings;
import dev.vane.gateway.counters.ArmCounters;
import dev.vane.gateway.counters.ExperimentCounters;
import dev.vane.gateway.http.Errors;
import dev.vane.gateway.http.Headers;
import dev.vane.gateway.http.RequestLogs;
import dev.vane.gateway.http.RequestTarget;
import dev.vane.gateway.observability.tracing.RequestSpan;
import dev.vane.gateway.observability.tracing.UpstreamSpan;
import dev.vane.gateway.runtime.Snapshot;
import dev.vane.gateway.shadow.ShadowCall;
import dev.vane.router.Assignment;
import dev.vane.router.Experiment;
import dev.vane.router.Route;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied request as it goes through the steps: what arrived, what each step decided, and how it ended. Read
 * and written only on its event loop (an assignment answered elsewhere hops back first); mirroring never hands it to
 * the shadow loop, which gets a copy of what it needs.
 */
final class Exchange {
  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  final HttpServerRequest req;
  final Snapshot snapshot;
  final long startNanos;
  final RequestTarget target;
  final HttpRequestView view;
  final HttpMethod method;
  /** Origin-form: the normalised path and the query, appended to the endpoint's base path. */
  final String uri;
  final String clientAddress;
  final String requestId;

  // Trace: the request's span, or null when tracing is off
  RequestSpan span;
  // ReadBody
  Buffer body;
  /** The request was refused while its body was read (nothing further may answer it). */
  boolean rejected;
  // ResolveRoute, then Assign: where the request goes (route: null for the default endpoint)
  Route route;
  EndpointSettings endpoint;
  Experiment experiment;
  ExperimentCounters counters;
  // IdentifyUnit
  String unit;
  // Assign
  Assignment assignment;
  ArmCounters armCounters;
  /** A failure of the assigned arm may be retried on the control. */
  boolean mayFallback;
  // Forward
  boolean fellBack;
  /** The bounded slice values counted for the exposure, or null (the exposure event's slices). */
  String[] sliceValues;
  /** The timeout of the endpoint now serving (for the gaps of a streamed response). */
  long timeoutMillis;
  /** When the request now serving was sent upstream ({@link System#nanoTime()}): time to first token starts here. */
  long sentNanos;
  /**
   * Vane added {@code stream_options.include_usage} to the body ({@link MeasureResponse#askForUsage}): the usage
   * event of the answer is measured and kept from the client.
   */
  boolean usageAsked;
  /** The body as the client sent it, while {@link #body} is the one that asks for usage (else null). */
  Buffer clientBody;
  /** The endpoint now serving (the control's after a fallback). */
  EndpointSettings served;
  /** With tracing on: the span of the upstream call now serving, and its endpoint. */
  UpstreamSpan upstreamSpan;
  EndpointSettings upstreamEndpoint;
  // Mirror
  List<ShadowCall> shadowCalls;
  /** Whether a copy of this request is compared, so the served body is kept ({@link #primaryBody}). */
  boolean keepServedBody;
  /** The served body, kept for the shadow comparison (requests with a compared copy only). */
  byte[] primaryBody;

  private final ProxyStep[] steps;
  private int next;
  private boolean ended;
  private int status;
  private boolean responded;
  private long micros;

  Exchange(HttpServerRequest req, Snapshot snapshot, long startNanos, RequestTarget target, String requestId,
      ProxyStep[] steps) {
    this.req = req;
    this.snapshot = snapshot;
    this.startNanos = startNanos;
    this.target = target;
    this.requestId = requestId;
    this.steps = steps;
    this.view = new HttpRequestView(req, target.path());
    this.method = req.method();
    this.uri = target.uri();
    SocketAddress a = req.remoteAddress();
    this.clientAddress = a == null ? null : a.hostAddress();
  }

  /** Runs the next step. A step that throws gets the request answered 500 (logged), never left hanging. */
  void proceed() {
    if (next >= steps.length || ended) {
      return;
    }
    ProxyStep step = steps[next++];
    try {
      step.onRequest(this);
    } catch (RuntimeException e) {
      logged(() -> log.error("request {}: step {} failed", requestId, step.getClass().getSimpleName(), e));
      answer(500, "internal", "internal error; logged with this request id");
    }
  }

  /** Answers the client with one of Vane's own JSON errors and ends the exchange. */
  void answer(int status, String message) {
    answer(status, Errors.codeOf(status), message);
  }

  void answer(int status, String code, String message) {
    Errors.send(req.response(), status, code, message, requestId);
    end(status, false);
  }

  /**
   * The exchange is over: every step's {@link ProxyStep#onEnd} runs once, in order.
   *
   * @param responded whether the response came from the upstream (shadows are compared only then)
   */
  void end(int status, boolean responded) {
    if (ended) {
      return;
    }
    ended = true;
    this.status = status;
    this.responded = responded;
    this.micros = (System.nanoTime() - startNanos) / 1000;
    for (ProxyStep s : steps) {
      try {
        s.onEnd(this);
      } catch (RuntimeException e) {
        logged(() -> log.error("request {}: step {} failed after the exchange ended", requestId,
            s.getClass().getSimpleName(), e));
      }
    }
  }

  /** Runs a logging call about this request with its request id and trace id in the MDC. */
  void logged(Runnable logCall) {
    RequestLogs.log(req, requestId, logCall);
  }

  /** The final status (499 when the client left first); set once the exchange ended. */
  int status() {
    return status;
  }

  /** Whether the upstream answered (rather than Vane answering for it). */
  boolean responded() {
    return responded;
  }

  /** Time from the request's arrival to its end, in microseconds. */
  long micros() {
    return micros;
  }

  boolean ended() {
    return ended;
  }

  /**
   * The client's end-to-end headers, the request id, and the forwarding headers: {@code X-Forwarded-Host} and
   * {@code X-Forwarded-For} are appended to (what the client or earlier proxies sent stays in front, Vane's view is
   * the last element: the {@code Host} it received, and the client address it saw).
   */
  void copyRequestHeaders(MultiMap to) {
    Headers.copyEndToEnd(req.headers(), to);
    to.set(Headers.REQUEST_ID, requestId);
    String host = req.getHeader("Host");
    if (host != null) {
      Headers.append(to, Headers.FORWARDED_HOST, host);
    }
    if (clientAddress != null) {
      Headers.append(to, Headers.FORWARDED_FOR, clientAddress);
    }
  }
}

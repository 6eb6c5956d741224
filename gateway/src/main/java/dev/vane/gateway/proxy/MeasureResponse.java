package dev.vane.gateway.proxy;

import dev.vane.config.Analysis;
import dev.vane.config.EndpointSettings;
import dev.vane.gateway.counters.CalibrationCounters;
import dev.vane.gateway.counters.ReferenceSketches;
import dev.vane.gateway.counters.ResponseCounters;
import dev.vane.gateway.response.ResponseTap;
import dev.vane.gateway.response.StreamUsage;
import dev.vane.gateway.upstream.ObservedStream;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.streams.ReadStream;

/**
 * Where {@link Forward} hands the upstream's answer to the response metrics ({@link ResponseTap}): the tap of an
 * exposure's response when its experiment declares response metrics or its endpoint a price, and the stream that
 * feeds the tap each chunk after passing it on to the client.
 */
final class MeasureResponse {
  private MeasureResponse() {}

  /** The tap of this exchange's answer, or null when nothing is measured. */
  static ResponseTap open(Exchange x, EndpointSettings served, HttpClientResponse up) {
    if (x.counters == null || x.assignment == null || !x.assignment.exposure()) {
      return null;
    }
    String arm = x.assignment.arm().id();
    ResponseCounters.Target target = x.counters.responses().arm(arm);
    ResponseTap tap = ResponseTap.of(x.snapshot.config().analysis(x.experiment.id()), served.price(), target,
        x.sentNanos, up.statusCode(), up.getHeader("Content-Type"));
    CalibrationCounters calibration = x.counters.calibration();
    ReferenceSketches references = x.counters.references();
    if (tap != null && (calibration.active() || references.active())) {
      // a prediction waits under the request id for its outcome (FeedbackService joins it)
      String requestId = x.requestId;
      tap.observer((metric, v) -> {
        calibration.predict(arm, requestId, metric, v);
        references.record(arm, metric, v);
      });
    }
    return tap;
  }

  /**
   * Asks the upstream for a stream's usage when the client did not and the answer is measured for tokens or cost
   * ({@link StreamUsage}): the body gets {@code stream_options.include_usage} and {@link Exchange#usageAsked} is set.
   */
  static void askForUsage(Exchange x, EndpointSettings ep) {
    if (x.counters == null || x.assignment == null || !x.assignment.exposure() || !ep.askStreamUsage()
        || !(ep.price() != null || countsUsage(x.snapshot.config().analysis(x.experiment.id())))) {
      return;
    }
    byte[] asked = StreamUsage.ask(x.body);
    if (asked != null) {
      x.clientBody = x.body;
      x.body = Buffer.buffer(asked);
      x.usageAsked = true;
    }
  }

  /**
   * A fallback goes to {@code ep}: when it says {@code streamUsage: leave}, the request goes as the client sent it
   * and its answer as it comes.
   */
  static void fallingBackTo(Exchange x, EndpointSettings ep) {
    if (x.usageAsked && !ep.askStreamUsage()) {
      x.body = x.clientBody;
      x.clientBody = null;
      x.usageAsked = false;
    }
  }

  private static boolean countsUsage(Analysis analysis) {
    for (Analysis.ResponseMetric m : analysis.responseMetrics()) {
      if (m.builtin() != null && !m.builtin().timing()) {
        return true;
      }
    }
    return false;
  }

  /** The filter that keeps the usage event Vane asked for from the client, or null when Vane did not ask. */
  static StreamUsage.Filter usageFilter(Exchange x, HttpClientResponse up) {
    String type = up.getHeader("Content-Type");
    if (!x.usageAsked || type == null || !type.regionMatches(true, 0, "text/event-stream", 0, 17)) {
      return null;
    }
    return new StreamUsage.Filter();
  }

  /**
   * {@code up} as the client is to get it ({@code filter}: without the usage event Vane asked for; null for as it
   * came), each chunk also fed whole to {@code tap} (null for none) once the client's handler has taken it.
   */
  static ReadStream<Buffer> tapped(ReadStream<Buffer> up, ResponseTap tap, StreamUsage.Filter filter) {
    return new ObservedStream(up) {
      @Override
      protected void deliver(Buffer chunk, Handler<Buffer> next) {
        Buffer out = filter == null ? chunk : filter.accept(chunk);
        if (out.length() > 0) {
          next.handle(out); // the client first
        }
        if (tap != null) {
          tap.chunk(chunk, System.nanoTime());
        }
      }

      @Override
      protected void finish(Handler<Buffer> next) {
        if (filter != null) {
          Buffer rest = filter.finish();
          if (rest.length() > 0) {
            next.handle(rest);
          }
        }
      }
    };
  }
}

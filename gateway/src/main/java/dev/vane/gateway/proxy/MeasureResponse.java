package dev.vane.gateway.proxy;

import dev.vane.config.EndpointSettings;
import dev.vane.gateway.counters.CalibrationCounters;
import dev.vane.gateway.counters.ReferenceSketches;
import dev.vane.gateway.counters.ResponseCounters;
import dev.vane.gateway.response.ResponseTap;
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

  /** {@code up}, with each chunk also fed to {@code tap} once the client's handler has taken it. */
  static ReadStream<Buffer> tapped(ReadStream<Buffer> up, ResponseTap tap) {
    return new ObservedStream(up) {
      @Override
      protected void deliver(Buffer chunk, Handler<Buffer> next) {
        next.handle(chunk); // the client first
        tap.chunk(chunk, System.nanoTime());
      }
    };
  }
}

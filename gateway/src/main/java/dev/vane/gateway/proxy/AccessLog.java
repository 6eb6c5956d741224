package dev.vane.gateway.proxy;

import dev.vane.config.ObservabilitySettings;
import dev.vane.gateway.http.RequestLogs;
import dev.vane.gateway.logs.LogSetup;
import dev.vane.router.Arm;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The access log: at the end of a request, when the config asks for it ({@code observability.logs.accessLog}) and
 * the request is sampled ({@code accessLogSampleRatio}), one line to {@value LogSetup#ACCESS_LOGGER} whose
 * key-value pairs are the request id, method, route, experiment, arm, status, upstream endpoint, latency in
 * milliseconds and trace id (those the request has). Off, it costs a few field reads per request. The line is only
 * built here: {@link LogSetup#accessLog} has it written out by a thread of its own.
 */
final class AccessLog implements ProxyStep {
  private static final Logger log = LoggerFactory.getLogger(LogSetup.ACCESS_LOGGER);

  /** Draws the sample; used on this step's event loop only. */
  private final RandomGenerator random;

  AccessLog(RandomGenerator random) {
    this.random = random;
  }

  @Override
  public void onEnd(Exchange x) {
    ObservabilitySettings.Logs settings = x.snapshot.config().observability().logs();
    if (!settings.accessLog() || !sampled(settings.accessLogSampleRatio()) || !log.isInfoEnabled()) {
      return;
    }
    Arm arm = null;
    String upstream = x.endpoint == null ? null : x.endpoint.id();
    if (x.assignment != null) {
      arm = x.fellBack ? x.experiment.control() : x.assignment.arm();
      upstream = arm.endpoint();
    }
    LoggingEventBuilder line = log.atInfo()
        .addKeyValue("requestId", x.requestId)
        .addKeyValue("method", x.method.name());
    put(line, "route", x.route == null ? null : x.route.id());
    put(line, "experiment", x.experiment == null ? null : x.experiment.id());
    put(line, "arm", arm == null ? null : arm.id());
    line.addKeyValue("status", x.status());
    put(line, "upstream", upstream);
    line.addKeyValue("latencyMs", x.micros() / 1000.0);
    put(line, "traceId", RequestLogs.traceId(x.req.getHeader(RequestLogs.TRACEPARENT)));
    line.log("request");
  }

  /** A field the request has (a request that matched no route has no route, experiment, arm or upstream). */
  private static void put(LoggingEventBuilder line, String key, String value) {
    if (value != null) {
      line.addKeyValue(key, value);
    }
  }

  private boolean sampled(double ratio) {
    return ratio >= 1 || (ratio > 0 && random.nextDouble() < ratio);
  }
}

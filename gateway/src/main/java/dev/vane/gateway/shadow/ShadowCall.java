package dev.vane.gateway.shadow;

import dev.vane.config.Analysis;
import dev.vane.gateway.counters.ResponseCounters;
import dev.vane.config.EndpointSettings;
import dev.vane.gateway.counters.ShadowCounters;
import dev.vane.gateway.observability.tracing.UpstreamSpan;
import dev.vane.router.Shadow;
import java.util.concurrent.atomic.AtomicInteger;

/** One planned copy of a request to one shadow: its reserved in-flight slot, then what came back. */
public final class ShadowCall {
  final Shadow shadow;
  final ShadowCounters stats;
  final EndpointSettings endpoint;
  final AtomicInteger inFlight;
  /**
   * Whether this copy's answer is read and compared with the served one (the shadow's {@code comparePercent}, by
   * the request id); a copy left out is sent, counted as mirrored and its failures as errors, and its answer is
   * drained unread.
   */
  final boolean compare;
  boolean done;
  boolean failed;
  boolean compared;
  int status;
  long startNanos;
  long micros;
  byte[] body;
  /** Where the copy's response metrics go, and what they are (null: none measured). */
  ResponseCounters.Target responses;
  Analysis analysis;
  /** The copy's span, linked to its request's (traced requests only). */
  UpstreamSpan span;

  ShadowCall(Shadow shadow, ShadowCounters stats, EndpointSettings endpoint, AtomicInteger inFlight, boolean compare) {
    this.shadow = shadow;
    this.compare = compare;
    this.stats = stats;
    this.endpoint = endpoint;
    this.inFlight = inFlight;
  }
}

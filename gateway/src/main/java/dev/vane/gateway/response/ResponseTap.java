package dev.vane.gateway.response;

import dev.vane.config.Analysis;
import dev.vane.config.EndpointSettings;
import dev.vane.gateway.counters.ResponseCounters;
import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * Measures one response on the side of its forwarding: the proxy writes each chunk to the client first and then
 * hands a reference to it here ({@link #chunk}); nothing here can hold up or fail the response. A server-sent-event
 * stream ({@code text/event-stream}) is measured as it goes ({@link SseMeter}, only the current line kept); any
 * other body is kept up to the largest {@code maxBodyBytes} of the metrics and read once it has ended
 * ({@link BodyValues}). At the end ({@link #end}) every metric gets a value or a skip reason in its target's cells,
 * and, when the endpoint has a price, {@link ResponseCounters#COST} gets the response's cost.
 */
public final class ResponseTap {
  private static final String[] PROMPT = {"usage", "prompt_tokens"};
  private static final String[] COMPLETION = {"usage", "completion_tokens"};
  private static final String[] TOTAL = {"usage", "total_tokens"};

  private final List<Analysis.ResponseMetric> metrics;
  private final EndpointSettings.Price price;
  private final ResponseCounters.Target target;
  private final boolean ok;
  private final SseMeter sse;
  private final long keepBytes;
  private Buffer body;
  private boolean owned;
  private long seen;
  private boolean ended;
  private boolean timed = true;
  /** Told each value read (metric, value), after it is counted; null for none. */
  private java.util.function.ObjDoubleConsumer<String> observer;

  private ResponseTap(List<Analysis.ResponseMetric> metrics, EndpointSettings.Price price,
      ResponseCounters.Target target, long sentNanos, int status, boolean eventStream) {
    this.metrics = metrics;
    this.price = price;
    this.target = target;
    this.ok = status >= 200 && status < 300;
    long keep = price == null ? 0 : Analysis.ResponseMetric.DEFAULT_MAX_BODY_BYTES;
    for (Analysis.ResponseMetric m : metrics) {
      keep = Math.max(keep, m.maxBodyBytes());
    }
    this.keepBytes = keep;
    this.sse = ok && eventStream ? new SseMeter(sentNanos, (int) Math.min(keep, Integer.MAX_VALUE - 8)) : null;
  }

  /**
   * A tap for one response, or null when there is nothing to measure (no response metrics and no price, or no
   * target).
   *
   * @param sentNanos   when the request went upstream ({@link System#nanoTime()})
   * @param contentType the response's Content-Type, or null
   */
  public static ResponseTap of(Analysis analysis, EndpointSettings.Price price, ResponseCounters.Target target,
      long sentNanos, int status, String contentType) {
    if (target == null || (analysis.responseMetrics().isEmpty() && price == null)) {
      return null;
    }
    boolean eventStream = contentType != null && contentType.regionMatches(true, 0, "text/event-stream", 0, 17);
    return new ResponseTap(analysis.responseMetrics(), price, target, sentNanos, status, eventStream);
  }

  /**
   * The body is handed over whole once it has ended (the proxy read it whole: small fixed-length answers, and
   * mirrored requests' answers, which the shadows compare with): a stream's chunk times are lost, so the timing
   * builtins are skipped as {@code buffered} rather than reporting the time of the last byte.
   */
  public void untimed() {
    timed = false;
  }

  /** A chunk of the body, received at {@code nanos}; the buffer is only read. */
  public void chunk(Buffer chunk, long nanos) {
    if (!ok || ended) {
      return;
    }
    seen += chunk.length();
    if (sse != null) {
      sse.feed(chunk.getBytes(), 0, chunk.length(), nanos); // one copy: Buffer's bytes are not exposed
      return;
    }
    if (seen > keepBytes) {
      body = null;
      return;
    }
    if (body == null) {
      body = chunk; // the usual case: the whole body in one buffer, not copied
    } else {
      if (!owned) { // never append to a chunk the client's write may still hold
        body = Buffer.buffer(body.length() + chunk.length() * 2).appendBuffer(body);
        owned = true;
      }
      body.appendBuffer(chunk);
    }
  }

  /** The response is over: records every metric. {@code complete}: false when the body was cut short. */
  public void end(boolean complete) {
    if (ended) {
      return;
    }
    ended = true;
    if (!ok || !complete) {
      String why = !ok ? "status" : "cut_short";
      for (Analysis.ResponseMetric m : metrics) {
        target.skip(m.name(), why);
      }
      if (price != null) {
        target.skip(ResponseCounters.COST, why);
      }
      return;
    }
    byte[] bytes = null;
    for (Analysis.ResponseMetric m : metrics) {
      String name = m.name();
      if (m.builtin() != null && m.builtin().timing()) {
        if (sse == null) {
          target.skip(name, "not_stream");
        } else if (!timed) {
          target.skip(name, "buffered");
        } else {
          double v = m.builtin() == Analysis.Builtin.TTFT ? sse.ttftMillis() : sse.interTokenMillis();
          record(name, v, "no_content");
        }
        continue;
      }
      if (sse != null) {
        if (m.builtin() != null) {
          record(name, usage(m.builtin()), "usage_missing");
        } else {
          target.skip(name, "not_json");
        }
        continue;
      }
      if (seen > m.maxBodyBytes()) {
        target.skip(name, "too_large");
        continue;
      }
      if (bytes == null) {
        bytes = body == null ? new byte[0] : body.getBytes();
      }
      BodyValues.Reading r = m.builtin() != null
          ? BodyValues.read(bytes, bytes.length, usagePath(m.builtin()), Analysis.Aggregate.FIRST)
          : BodyValues.read(bytes, bytes.length, BodyValues.tokens(m.pointer()), m.aggregate());
      if (r.ok()) {
        record(name, r.value(), "missing");
      } else {
        target.skip(name, m.builtin() != null && r.reason().equals("missing") ? "usage_missing" : r.reason());
      }
    }
    if (price != null) {
      double prompt;
      double completion;
      if (sse != null) {
        prompt = sse.promptTokens();
        completion = sse.completionTokens();
      } else if (seen > keepBytes) {
        target.skip(ResponseCounters.COST, "too_large");
        return;
      } else {
        if (bytes == null) {
          bytes = body == null ? new byte[0] : body.getBytes();
        }
        prompt = value(BodyValues.read(bytes, bytes.length, PROMPT, Analysis.Aggregate.FIRST));
        completion = value(BodyValues.read(bytes, bytes.length, COMPLETION, Analysis.Aggregate.FIRST));
      }
      record(ResponseCounters.COST, Double.isNaN(prompt) || Double.isNaN(completion) ? Double.NaN
          : price.cost(prompt, completion), "usage_missing");
    }
  }

  private void record(String name, double v, String reasonIfNaN) {
    if (Double.isNaN(v)) {
      target.skip(name, reasonIfNaN);
    } else {
      target.record(name, v);
      if (observer != null) {
        observer.accept(name, v);
      }
    }
  }

  /** Tells {@code observer} each value read from this response (metric name, value), after counting it. */
  public ResponseTap observer(java.util.function.ObjDoubleConsumer<String> observer) {
    this.observer = observer;
    return this;
  }

  private static double value(BodyValues.Reading r) {
    return r.ok() ? r.value() : Double.NaN;
  }

  private double usage(Analysis.Builtin b) {
    return switch (b) {
      case PROMPT_TOKENS -> sse.promptTokens();
      case COMPLETION_TOKENS -> sse.completionTokens();
      case TOTAL_TOKENS -> sse.totalTokens();
      default -> Double.NaN;
    };
  }

  private static String[] usagePath(Analysis.Builtin b) {
    return switch (b) {
      case PROMPT_TOKENS -> PROMPT;
      case COMPLETION_TOKENS -> COMPLETION;
      default -> TOTAL;
    };
  }
}

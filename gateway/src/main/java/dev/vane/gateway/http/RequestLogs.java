package dev.vane.gateway.http;

import io.vertx.core.http.HttpServerRequest;
import org.slf4j.MDC;

/**
 * The MDC of a log line that concerns one request: its request id ({@value #REQUEST_ID}) and, when the request
 * came with a W3C {@code traceparent}, its trace id ({@value #TRACE_ID}). Event loops serve many requests in turn,
 * so the keys are set just around the logging call and cleared after it; requests that log nothing pay nothing.
 */
public final class RequestLogs {
  /** MDC key of the request id. */
  public static final String REQUEST_ID = "requestId";
  /** MDC key of the trace id: 32 lowercase hex digits. */
  public static final String TRACE_ID = "traceId";
  /** The W3C trace context header. */
  public static final String TRACEPARENT = "traceparent";

  private RequestLogs() {}

  /** Runs {@code logCall} with {@code req}'s request id {@code requestId} and trace id in the MDC. */
  public static void log(HttpServerRequest req, String requestId, Runnable logCall) {
    log(requestId, traceId(req.getHeader(TRACEPARENT)), logCall);
  }

  /** Runs {@code logCall} with {@code requestId} and {@code traceId} (each may be null: left out) in the MDC. */
  public static void log(String requestId, String traceId, Runnable logCall) {
    if (requestId != null) {
      MDC.put(REQUEST_ID, requestId);
    }
    if (traceId != null) {
      MDC.put(TRACE_ID, traceId);
    }
    try {
      logCall.run();
    } finally {
      MDC.remove(REQUEST_ID);
      MDC.remove(TRACE_ID);
    }
  }

  /**
   * The trace id of a W3C {@code traceparent} ({@code version-traceid-parentid-flags}: 2, 32, 16 and 2 lowercase
   * hex digits, the trace id not all zeros), or null when there is none or it is malformed.
   */
  public static String traceId(String traceparent) {
    if (traceparent == null || traceparent.length() < 55 || traceparent.charAt(2) != '-'
        || traceparent.charAt(35) != '-' || traceparent.charAt(52) != '-') {
      return null;
    }
    boolean zero = true;
    for (int i = 3; i < 35; i++) {
      char c = traceparent.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return null;
      }
      zero &= c == '0';
    }
    return zero ? null : traceparent.substring(3, 35);
  }
}

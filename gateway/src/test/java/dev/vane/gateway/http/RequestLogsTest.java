package dev.vane.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class RequestLogsTest {
  @Test
  void theRequestIdAndTraceIdAreInTheMdcDuringTheCallOnlyAndAnAbsentOneIsLeftOut() {
    Map<String, String> seen = new HashMap<>();
    RequestLogs.log("rid-1", "4bf92f3577b34da6a3ce929d0e0e4736", () -> seen.putAll(MDC.getCopyOfContextMap()));
    assertEquals(Map.of("requestId", "rid-1", "traceId", "4bf92f3577b34da6a3ce929d0e0e4736"), seen);
    assertNull(MDC.get(RequestLogs.REQUEST_ID));
    assertNull(MDC.get(RequestLogs.TRACE_ID));

    seen.clear();
    RequestLogs.log("rid-2", null, () -> seen.putAll(MDC.getCopyOfContextMap()));
    assertEquals(Map.of("requestId", "rid-2"), seen);
  }

  @Test
  void theMdcIsClearedWhenTheCallThrows() {
    try {
      RequestLogs.log("rid-3", null, () -> {
        throw new IllegalStateException("from the log call");
      });
    } catch (IllegalStateException expected) {
      // the call's own failure goes on
    }
    assertNull(MDC.get(RequestLogs.REQUEST_ID));
  }

  @Test
  void aTraceIdIsTakenFromAWellFormedTraceparentOnly() {
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736",
        RequestLogs.traceId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    assertNull(RequestLogs.traceId(null));
    assertNull(RequestLogs.traceId(""));
    assertNull(RequestLogs.traceId("00-00000000000000000000000000000000-00f067aa0ba902b7-01"), "all zeros: invalid");
    assertNull(RequestLogs.traceId("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"), "upper case");
    assertNull(RequestLogs.traceId("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"), "31 digits");
    assertNull(RequestLogs.traceId("00-4bf92f3577b34da6a3ce929d0e0e4736x00f067aa0ba902b7-01"));
    assertNull(RequestLogs.traceId("00-4bf92f3577b34da6a3ce929d0e0e47zz-00f067aa0ba902b7-01"), "not hex");
  }
}

package dev.vane.gateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vane.gateway.http.RequestLogs;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class AnswersTest {
  @Test
  void aFailureIsAnswered500AndLoggedWithItsRequestIdAndTraceIdInTheMdc() throws Exception {
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    Logger log = (Logger) LoggerFactory.getLogger(Answers.class);
    log.addAppender(lines);
    Vertx vertx = Vertx.vertx();
    AtomicReference<Map<String, String>> mdcAfter = new AtomicReference<>();
    try {
      HttpServer server = vertx.createHttpServer().requestHandler(req -> {
        Answers.failed(req, "rid-7", new IllegalStateException("boom"));
        mdcAfter.set(MDC.getCopyOfContextMap());
      }).listen(0, "127.0.0.1").await();
      HttpClient client = vertx.createHttpClient();
      int status = client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
              .setPort(server.actualPort()).setURI("/v1/x")
              .putHeader("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
          .compose(r -> r.send()).map(r -> r.statusCode()).await();
      assertEquals(500, status);
    } finally {
      log.detachAppender(lines);
      vertx.close().await();
    }
    assertEquals(1, lines.list.size());
    ILoggingEvent e = lines.list.get(0);
    assertEquals("GET /v1/x failed (request id rid-7)", e.getFormattedMessage());
    assertEquals(Map.of(RequestLogs.REQUEST_ID, "rid-7", RequestLogs.TRACE_ID, "4bf92f3577b34da6a3ce929d0e0e4736"),
        e.getMDCPropertyMap());
    assertTrue(mdcAfter.get() == null || mdcAfter.get().isEmpty(), "cleared on the event loop: " + mdcAfter.get());
    assertNull(MDC.get(RequestLogs.REQUEST_ID));
  }
}

package dev.vane.gateway.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import dev.vane.gateway.http.RequestLogs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The log formats and the access log's way out, on a Logback context of the test's own (the suite's logging stays
 * as it is), writing to a {@code System.err} that the test replaces for a moment: the console looks it up at each
 * write. What is written still reaches the stream it replaced (the suite's secret watch).
 */
class LogSetupTest {
  private final LoggerContext ctx = new LoggerContext();
  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  /** Threads that wrote to standard error meanwhile. */
  private final Set<String> writers = ConcurrentHashMap.newKeySet();
  private PrintStream stderr;

  @BeforeEach
  void capture() {
    ctx.setMDCAdapter(MDC.getMDCAdapter());
    ctx.start();
    stderr = System.err;
    System.setErr(new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        writers.add(Thread.currentThread().getName());
        written.write(b, off, len);
        stderr.write(b, off, len);
      }
    }, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    ctx.stop();
    System.setErr(stderr);
  }

  private List<String> lines() {
    System.err.flush();
    return written.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void jsonLinesAreObjectsWithTimeLevelThreadLoggerMessageAndTheRequestOfAnErrorInTheMdc() {
    LogSetup.console(ctx, LogFormat.JSON);
    Logger log = ctx.getLogger("dev.vane.test");
    long before = System.currentTimeMillis();
    log.info("started on port {}", 8080);
    RequestLogs.log("rid-1", "4bf92f3577b34da6a3ce929d0e0e4736",
        () -> log.error("request {} failed", "rid-1", new IllegalStateException("boom \"quoted\"")));
    log.warn("after");

    List<String> lines = lines();
    assertEquals(3, lines.size(), String.join("\n", lines));
    JsonObject info = new JsonObject(lines.get(0));
    assertEquals("INFO", info.getString("level"));
    assertEquals("dev.vane.test", info.getString("loggerName"));
    assertEquals(Thread.currentThread().getName(), info.getString("threadName"));
    assertEquals("started on port 8080", info.getString("formattedMessage"));
    long t = info.getLong("timestamp");
    assertTrue(t >= before && t <= System.currentTimeMillis(), "milliseconds since the epoch: " + t);

    JsonObject error = new JsonObject(lines.get(1));
    assertEquals("ERROR", error.getString("level"));
    assertEquals("request rid-1 failed", error.getString("formattedMessage"));
    assertEquals("rid-1", error.getJsonObject("mdc").getString(RequestLogs.REQUEST_ID));
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", error.getJsonObject("mdc").getString(RequestLogs.TRACE_ID));
    JsonObject thrown = error.getJsonObject("throwable");
    assertEquals(IllegalStateException.class.getName(), thrown.getString("className"));
    assertEquals("boom \"quoted\"", thrown.getString("message"));
    assertFalse(thrown.getJsonArray("stepArray").isEmpty());

    // cleared after the call: the next line on this thread is about no request
    JsonObject after = new JsonObject(lines.get(2));
    assertTrue(after.getJsonObject("mdc").isEmpty(), after.encode());
  }

  @Test
  void textLinesLookAsSlf4jSimplePrintedThem() {
    LogSetup.console(ctx, LogFormat.TEXT);
    ctx.getLogger("dev.vane.test").warn("disk {} full", "/var");
    assertEquals(List.of("[" + Thread.currentThread().getName() + "] WARN dev.vane.test - disk /var full"), lines());
  }

  @Test
  void switchingTheFormatReplacesTheConsoleAndKeepsOneLinePerCall() {
    LogSetup.console(ctx, LogFormat.TEXT);
    LogSetup.console(ctx, LogFormat.JSON);
    ctx.getLogger("dev.vane.test").info("once");
    List<String> lines = lines();
    assertEquals(1, lines.size(), String.join("\n", lines));
    assertEquals("once", new JsonObject(lines.get(0)).getString("formattedMessage"));
  }

  @Test
  void theAccessLogIsWrittenByAThreadOfItsOwnThroughABoundedQueueThatNeverBlocks() throws Exception {
    LogSetup.console(ctx, LogFormat.JSON);
    LogSetup.accessLog(ctx, LogFormat.JSON);
    Logger access = ctx.getLogger(LogSetup.ACCESS_LOGGER);
    AsyncAppender async = assertInstanceOf(AsyncAppender.class, access.getAppender(LogSetup.ACCESS));
    assertTrue(async.isNeverBlock());
    assertEquals(LogSetup.ACCESS_QUEUE, async.getQueueSize());
    assertEquals(0, async.getDiscardingThreshold(), "INFO lines are not dropped before the queue is full");
    assertFalse(access.isAdditive(), "its lines are not written a second time by the root's console");

    access.atInfo().addKeyValue("requestId", "rid-2").addKeyValue("status", 200).log("request");
    long deadline = System.currentTimeMillis() + 5_000;
    while (lines().isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    List<String> lines = lines();
    assertEquals(1, lines.size(), String.join("\n", lines));
    JsonObject line = new JsonObject(lines.get(0));
    assertEquals(LogSetup.ACCESS_LOGGER, line.getString("loggerName"));
    assertEquals(Thread.currentThread().getName(), line.getString("threadName"), "the thread that logged it");
    JsonArray kvp = line.getJsonArray("kvpList");
    assertEquals(new JsonArray().add(new JsonObject().put("requestId", "rid-2")).add(new JsonObject().put("status",
        "200")), kvp);
    assertFalse(writers.contains(Thread.currentThread().getName()), "written by another thread: " + writers);
  }

  @Test
  void theAccessLogsTextIsItsFieldsAsKeyValuePairs() throws Exception {
    LogSetup.accessLog(ctx, LogFormat.TEXT);
    ctx.getLogger(LogSetup.ACCESS_LOGGER).atInfo().addKeyValue("requestId", "rid-3").addKeyValue("status", 502)
        .log("request");
    ctx.stop(); // writes out what the queue holds
    assertEquals(List.of("[" + Thread.currentThread().getName() + "] INFO vane.access - request requestId=rid-3 "
        + "status=502"), lines());
  }

  @Test
  void theShippedLogbackXmlPrintsTheTextFormat() throws Exception {
    try (InputStream in = LogSetup.class.getResourceAsStream("/logback.xml")) {
      String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(xml.contains("<pattern>" + LogSetup.TEXT_PATTERN + "</pattern>"), xml);
      assertTrue(xml.contains("<target>System.err</target>"), xml);
    }
  }

  @Test
  void aFormatIsTextOrJsonInAnyCase() {
    assertEquals(LogFormat.JSON, LogFormat.of("JSON"));
    assertEquals(LogFormat.TEXT, LogFormat.of("text"));
    assertEquals("json", LogFormat.JSON.toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogFormat.of("xml"));
    assertEquals("log format: xml (expected: text or json)", e.getMessage());
  }
}

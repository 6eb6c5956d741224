package dev.vane.gateway.logs;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/**
 * Where log lines go and how they look, set in code on Logback's {@link LoggerContext} by {@code vane serve} (before
 * that, and for the other commands, {@code logback.xml} prints text). Every line goes to the console, standard error,
 * looked up at each write (so whoever replaces {@code System.err} sees every line), as text or JSON. The access log
 * ({@value #ACCESS_LOGGER}) goes through a bounded queue written out by a thread of its own: the event loop that
 * records a request neither encodes nor writes its line, and never waits for the queue (a full queue drops lines).
 */
public final class LogSetup {
  /** The access log's logger: one line per proxied request. */
  public static final String ACCESS_LOGGER = "vane.access";
  /** Lines the access log's queue holds before it drops new ones. */
  public static final int ACCESS_QUEUE = 8192;
  /** The text format, as slf4j-simple printed it. */
  static final String TEXT_PATTERN = "[%thread] %level %logger - %msg%n";
  /** The access log's text: its fields are key-value pairs. */
  static final String ACCESS_TEXT_PATTERN = "[%thread] %level %logger - %msg %kvp{NONE}%n";
  static final String CONSOLE = "CONSOLE";
  static final String ACCESS = "ACCESS";

  private LogSetup() {}

  /** The process's Logback context (Logback is the SLF4J provider Vane ships with). */
  public static LoggerContext context() {
    return (LoggerContext) LoggerFactory.getILoggerFactory();
  }

  /** Every line of {@code ctx} to the console in {@code format} (levels stay as {@code logback.xml} set them). */
  public static void console(LoggerContext ctx, LogFormat format) {
    replace(ctx.getLogger(Logger.ROOT_LOGGER_NAME), consoleAppender(ctx, CONSOLE, encoder(ctx, format, TEXT_PATTERN)));
  }

  /**
   * The access log's lines to the console in {@code format}, written off the caller's thread: a queue of
   * {@value #ACCESS_QUEUE} lines that never blocks (full: the line is dropped) and never discards early. Whether a
   * request is logged is the config's to say ({@code observability.logs.accessLog}); this only gives its lines a
   * way out.
   */
  public static void accessLog(LoggerContext ctx, LogFormat format) {
    Logger access = ctx.getLogger(ACCESS_LOGGER);
    access.setLevel(Level.INFO);
    access.setAdditive(false);
    AsyncAppender async = new AsyncAppender();
    async.setContext(ctx);
    async.setName(ACCESS);
    async.setQueueSize(ACCESS_QUEUE);
    async.setDiscardingThreshold(0);
    async.setNeverBlock(true);
    async.addAppender(consoleAppender(ctx, ACCESS + "-" + CONSOLE, encoder(ctx, format, ACCESS_TEXT_PATTERN)));
    async.start();
    replace(access, async);
  }

  /** Writes out what the access log's queue holds (up to a second) and stops every appender; at exit. */
  public static void stop(LoggerContext ctx) {
    ctx.stop();
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext ctx, LogFormat format, String pattern) {
    if (format == LogFormat.JSON) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(ctx);
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      json.setWithMessage(false); // the pattern; the formatted message is what a reader wants
      json.setWithArguments(false);
      json.setWithFormattedMessage(true);
      json.start();
      return json;
    }
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(ctx);
    text.setPattern(pattern);
    text.start();
    return text;
  }

  private static ConsoleAppender<ILoggingEvent> consoleAppender(LoggerContext ctx, String name,
      Encoder<ILoggingEvent> encoder) {
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(ctx);
    console.setName(name);
    console.setTarget("System.err");
    console.setEncoder(encoder);
    console.start();
    return console;
  }

  /** Adds {@code appender} to {@code logger}, then takes away (and stops) the one it replaces, so no line is lost. */
  private static void replace(Logger logger, Appender<ILoggingEvent> appender) {
    Appender<ILoggingEvent> old = logger.getAppender(appender.getName());
    logger.addAppender(appender);
    if (old != null) {
      logger.detachAppender(old);
      old.stop();
    }
  }
}

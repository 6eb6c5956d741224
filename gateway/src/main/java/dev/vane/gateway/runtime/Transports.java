package dev.vane.gateway.runtime;

import dev.vane.config.ServerSettings;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;

/** Builds Vert.x instances on the transport {@code server.transport} asks for. */
public final class Transports {
  private Transports() {}

  /**
   * A Vert.x with {@code options} on {@code choice}. {@code auto} is what Vert.x prefers (epoll where it loads, else
   * NIO); an explicit native transport that cannot load is an error, not a silent fallback.
   *
   * @throws IllegalStateException naming the setting and the reason, if the transport cannot load here
   */
  public static Vertx vertx(VertxOptions options, ServerSettings.Transport choice) {
    Transport t = switch (choice) {
      case AUTO -> null;
      case EPOLL -> Transport.EPOLL;
      case IO_URING -> Transport.IO_URING;
      case NIO -> Transport.NIO;
    };
    if (t == null) {
      return Vertx.vertx(new VertxOptions(options).setPreferNativeTransport(true));
    }
    if (!t.available()) {
      Throwable why = t.unavailabilityCause();
      throw new IllegalStateException("server.transport: " + choice.id() + " is not available here ("
          + (why == null ? "no reason given" : why) + "); use auto or nio", why);
    }
    return Vertx.builder().with(options).withTransport(t).build();
  }

  /** The transport {@code vertx} runs on, for the startup line. */
  public static String describe(Vertx vertx, ServerSettings.Transport choice) {
    if (!vertx.isNativeTransportEnabled()) {
      return "nio";
    }
    return choice == ServerSettings.Transport.AUTO ? Transport.nativeTransport().name().toLowerCase() : choice.id();
  }
}

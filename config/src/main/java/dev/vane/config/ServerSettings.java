package dev.vane.config;

import dev.vane.router.UnitIdSource;
import java.time.Duration;

/**
 * The gateway's own listener and request handling.
 *
 * @param host            listen address
 * @param port            listen port (0 = any free port)
 * @param maxBodyBytes    request bodies above this get 413
 * @param variantHeaders  whether responses carry X-Vane-Experiment / X-Vane-Variant
 * @param unitId          where unit ids come from
 * @param overrideHeader  QA header that forces an arm, where overrides are allowed
 * @param allowOverride   whether experiments honour the override header unless they say otherwise (default false)
 * @param eventLoops      event-loop threads (0 = number of cores)
 * @param reloadInterval  how often the config file is checked for changes (0 = never)
 * @param transport       the network transport the gateway's event loops use
 * @param limits          what a client connection may take: timeouts and the connection budget
 * @param shutdownGrace   how long a stopping gateway lets in-flight requests finish before it closes
 * @param tls             TLS of the traffic port, or null for plain HTTP
 * @param admin           the control-plane listener
 */
public record ServerSettings(String host, int port, long maxBodyBytes, boolean variantHeaders, UnitIdSource unitId,
    String overrideHeader, boolean allowOverride, int eventLoops, Duration reloadInterval, Transport transport,
    Limits limits, Duration shutdownGrace, Tls tls, Admin admin) {

  /** A PEM certificate chain and private key, by file path (read when the listener starts). */
  public record Tls(String cert, String key) {}

  /**
   * The control-plane listener: experiments, results, feedback, config and operations.
   *
   * @param host listen address (default 127.0.0.1)
   * @param port listen port (default 9090; 0 = any free port)
   * @param tls  TLS, or null for plain HTTP
   */
  public record Admin(String host, int port, Tls tls) {

    /** Whether {@code host} is a loopback address, the only place {@code admin.auth: none} is allowed. */
    public boolean loopback() {
      return ServerSettings.loopback(host);
    }
  }

  /** Whether {@code host} names the loopback interface: {@code localhost}, 127.0.0.0/8 or ::1. */
  public static boolean loopback(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return h.equalsIgnoreCase("localhost") || h.matches("127(\\.\\d{1,3}){3}") || h.equals("::1")
        || h.equals("0:0:0:0:0:0:0:1");
  }

  /**
   * What one client connection may hold of the listener.
   *
   * @param headerTimeout  a new connection must deliver a complete request head within this (else closed)
   * @param idleTimeout    a keep-alive connection between requests must deliver the next complete request head
   *                       within this (else closed)
   * @param bodyTimeout    a request body must arrive whole within this after its head (else 408 and closed)
   * @param maxConnections client connections open at once on the listener; beyond it a connection is refused
   *                       (see README: health checks keep a small reserve)
   */
  public record Limits(Duration headerTimeout, Duration idleTimeout, Duration bodyTimeout, int maxConnections) {}

  /** The settings of a config without a {@code server} section: the defaults of {@code vane.schema.json}. */
  public static ServerSettings defaults() {
    return ConfigAssembly.server(ConfigAssembly.bind(ConfigSchema.get().defaults("/properties/server",
        ConfigSpec.MAPPER.createObjectNode()), ConfigSpec.Server.class));
  }

  /** Which network transport Vert.x runs on. */
  public enum Transport {
    /** epoll where it loads (Linux x86_64, the jar carries it), else NIO: what Vert.x itself prefers. */
    AUTO("auto"),
    /** Linux epoll; fails at startup if it cannot load. */
    EPOLL("epoll"),
    /** Linux io_uring (kernel 5.14+); fails at startup if it cannot load (old kernel, seccomp). */
    IO_URING("io_uring"),
    /** Java NIO: works everywhere. */
    NIO("nio");

    private final String id;

    Transport(String id) {
      this.id = id;
    }

    /** The name used in the config file. */
    public String id() {
      return id;
    }
  }
}

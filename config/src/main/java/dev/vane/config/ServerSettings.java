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
 * @param overrideHeader  QA header that forces an arm (per experiment it can be disabled)
 * @param eventLoops      event-loop threads (0 = number of cores)
 * @param reloadInterval  how often the config file is checked for changes (0 = never)
 * @param transport       the network transport the gateway's event loops use
 */
public record ServerSettings(String host, int port, long maxBodyBytes, boolean variantHeaders, UnitIdSource unitId,
    String overrideHeader, int eventLoops, Duration reloadInterval, Transport transport) {

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

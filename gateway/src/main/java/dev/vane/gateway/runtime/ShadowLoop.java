package dev.vane.gateway.runtime;

import dev.vane.config.ServerSettings;
import dev.vane.gateway.upstream.UpstreamClients;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import java.util.function.Consumer;

/**
 * The event loop shadow copies go out from: a one-loop Vert.x of its own, started with the first mirrored request
 * (or at startup when the config has shadows), holding the shadow endpoints' connection pools, timers and
 * comparisons, so mirroring never takes time from the loops serving clients.
 */
public final class ShadowLoop {
  /** The shadow loop's thread name ({@code /proc/<pid>/task/<tid>/comm} shows its first 15 characters). */
  public static final String THREAD_NAME = "vane-shadow-loop";
  private final ServerSettings.Transport transport;
  private volatile Loop loop;
  private boolean closed; // guarded by this

  private record Loop(Vertx vertx, Context context, UpstreamClients clients) {}

  ShadowLoop(ServerSettings.Transport transport) {
    this.transport = transport;
  }

  /** Runs {@code job} on the shadow loop, with that loop's upstream clients (starting the loop if need be). */
  public void run(Consumer<UpstreamClients> job) {
    Loop l = loop;
    if (l == null) {
      l = start();
    }
    UpstreamClients clients = l.clients();
    l.context().runOnContext(v -> job.accept(clients));
  }

  /** Starts the loop now, if it is not running. */
  synchronized Loop start() {
    if (closed) {
      throw new IllegalStateException("gateway closed: no shadow loop");
    }
    if (loop == null) {
      Vertx v = Transports.vertx(new VertxOptions().setEventLoopPoolSize(1)
          .setWorkerPoolSize(1).setInternalBlockingPoolSize(1), transport);
      Context context = ((VertxInternal) v).createEventLoopContext();
      // its own thread name (the kernel's too), so per-thread CPU figures (/proc, top -H, JFR) tell it from the
      // request loops, whose Vert.x names it would otherwise share
      context.runOnContext(x -> Thread.currentThread().setName(THREAD_NAME));
      loop = new Loop(v, context, new UpstreamClients(v));
    }
    return loop;
  }

  /** Stops the loop, if one was started (copies in flight are dropped). */
  void close() {
    Loop l;
    synchronized (this) {
      l = loop;
      loop = null;
      closed = true;
    }
    if (l != null) {
      l.vertx().close();
    }
  }
}

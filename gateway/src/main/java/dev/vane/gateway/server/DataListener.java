package dev.vane.gateway.server;

import dev.vane.config.ServerSettings;
import dev.vane.gateway.api.ApiRouter;
import dev.vane.gateway.proxy.ProxyHandler;
import dev.vane.gateway.runtime.GatewayCore;
import dev.vane.gateway.upstream.UpstreamPool;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The data port: one HTTP server per event loop (deploy one instance per loop), its connections under the
 * listener's {@link ConnectionGuard}, each request through the {@link EdgeHandler}. Undeploying it drains: the
 * server stops accepting and the requests in flight get {@code shutdownGrace} to finish.
 */
public final class DataListener extends VerticleBase {
  private final GatewayCore core;
  private final ServerSettings settings;
  private final AtomicInteger port;
  private final ConnectionGuard guard;
  private HttpServer server;
  private ConnectionGuard.Loop loop;

  /**
   * @param port where the bound port is written (with {@code server.port: 0} Vert.x binds one free port for every
   *             instance of the deployment)
   */
  public DataListener(GatewayCore core, ServerSettings settings, AtomicInteger port, ConnectionGuard guard) {
    this.core = core;
    this.settings = settings;
    this.port = port;
    this.guard = guard;
  }

  /** The server options of the data port: plain HTTP/1.1, no compression, no upgrades, strict thread mode. */
  static HttpServerOptions options(ServerSettings s, int port) {
    return tls(new HttpServerOptions(), s.tls())
        .setHost(s.host())
        .setPort(port)
        .setTcpNoDelay(true)
        .setDecompressionSupported(false)
        .setCompressionSupported(false)
        // a request body arrives in chunks of up to one socket read, not Vert.x's default 8 KB
        .setMaxChunkSize(UpstreamPool.MAX_CHUNK_BYTES)
        // client timeouts are the connection guard's: Vert.x's idle timeout would also cut long streamed responses
        .setIdleTimeout(0)
        // plain HTTP/1.1 proxy: no h2c upgrade or WebSocket extension handlers in the pipeline
        .setHttp2ClearTextEnabled(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        // every interaction with a request happens on its event loop (remote completions hop back first)
        .setStrictThreadMode(true);
  }

  /** {@code o} with TLS from PEM files when {@code tls} is given. */
  static HttpServerOptions tls(HttpServerOptions o, ServerSettings.Tls tls) {
    if (tls == null) {
      return o;
    }
    return o.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.cert()).setKeyPath(tls.key()));
  }

  @Override
  public Future<?> start() {
    loop = guard.loop(context);
    EdgeHandler edge = new EdgeHandler(vertx, core, loop, ApiRouter.data(vertx, core), new ProxyHandler(vertx, context, core));
    server = vertx.createHttpServer(options(settings, settings.port())).connectionHandler(loop::opened)
        .requestHandler(edge);
    return server.listen()
        .map(HttpServer::actualPort)
        .onSuccess(port::set);
  }

  /** Stops accepting and lets the requests in flight finish, within the grace period. */
  @Override
  public Future<?> stop() {
    loop.stop(vertx);
    return server.shutdown(settings.shutdownGrace());
  }
}

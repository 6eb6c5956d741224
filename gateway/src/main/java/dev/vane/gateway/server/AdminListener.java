package dev.vane.gateway.server;

import dev.vane.config.ServerSettings;
import dev.vane.gateway.api.ApiRouter;
import dev.vane.gateway.runtime.GatewayCore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The admin listener ({@code server.admin}): experiments, results, feedback, the versioned config and operations,
 * behind authentication, on its own address and port (default 127.0.0.1:9090), with the same request-head checks,
 * timeouts and connection budget as the traffic port ({@link EdgeHandler}, {@link ConnectionGuard}).
 */
public final class AdminListener extends VerticleBase {
  private final GatewayCore core;
  private final ServerSettings settings;
  private final AtomicInteger port;
  private final ConnectionGuard guard;
  private final Supplier<ApiRouter> api;
  private HttpServer server;
  private ConnectionGuard.Loop loop;

  /**
   * @param api  builds this instance's router (one per event loop)
   * @param port where the bound port is written
   */
  public AdminListener(GatewayCore core, ServerSettings settings, AtomicInteger port, ConnectionGuard guard,
      Supplier<ApiRouter> api) {
    this.core = core;
    this.settings = settings;
    this.port = port;
    this.guard = guard;
    this.api = api;
  }

  static HttpServerOptions options(ServerSettings s, int port) {
    return DataListener.tls(new HttpServerOptions(), s.admin().tls())
        .setHost(s.admin().host())
        .setPort(port)
        .setTcpNoDelay(true)
        .setDecompressionSupported(false)
        .setCompressionSupported(true)
        .setIdleTimeout(0)
        .setHttp2ClearTextEnabled(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false);
  }

  @Override
  public Future<?> start() {
    loop = guard.loop(context);
    EdgeHandler edge = new EdgeHandler(vertx, core, loop, api.get(), null);
    server = vertx.createHttpServer(options(settings, settings.admin().port())).connectionHandler(loop::opened)
        .requestHandler(edge);
    return server.listen().map(HttpServer::actualPort).onSuccess(port::set);
  }

  @Override
  public Future<?> stop() {
    loop.stop(vertx);
    return server.shutdown(settings.shutdownGrace());
  }
}

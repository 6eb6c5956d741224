import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.transport.Transport;
import java.util.ArrayDeque;

/**
 * The framework floor for the benchmark: the least a Vert.x 5 reverse proxy can do with the same HTTP server and
 * client settings as Vane (keep-alive connections reused most-recent-first outside the Vert.x client pool, as
 * Vane's UpstreamPool does; TCP_NODELAY, native transport, one event loop per worker), and nothing
 * else: no routing, assignment, recording, hop-by-hop filtering or error mapping. Vane's distance from this row is
 * what Vane's own code costs; this row's distance from nginx is what the framework costs.
 *
 * <p>Compiled and run by bench/run.sh against vane.jar (which carries Vert.x): {@code java -cp vane.jar:DIR
 * BareVertxProxy PORT UPSTREAM_PORT EVENT_LOOPS [auto|epoll|io_uring|nio]}.
 */
public final class BareVertxProxy {
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int upstream = Integer.parseInt(args[1]);
    int loops = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    String transport = args.length > 3 ? args[3] : "auto";
    Vertx vertx = switch (transport) {
      case "auto" -> Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
      case "epoll" -> Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(loops)).withTransport(Transport.EPOLL)
          .build();
      case "io_uring" -> Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(loops))
          .withTransport(Transport.IO_URING).build();
      case "nio" -> Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(loops)).withTransport(Transport.NIO)
          .build();
      default -> throw new IllegalArgumentException("transport: " + transport);
    };
    for (int i = 0; i < loops; i++) {
      vertx.deployVerticle(new io.vertx.core.VerticleBase() {
        @Override
        public io.vertx.core.Future<?> start() {
          // like Vane's UpstreamPool: keep-alive connections taken most-recent-first, not the Vert.x client pool
          HttpClientAgent client = vertx.httpClientBuilder()
              .with(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setDecompressionSupported(false))
              .build();
          HttpConnectOptions connect = new HttpConnectOptions().setHost("127.0.0.1").setPort(upstream);
          ArrayDeque<HttpClientConnection> idle = new ArrayDeque<>();
          return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setHttp2ClearTextEnabled(false))
              .requestHandler(req -> req.body().onSuccess(body -> {
                HttpClientConnection pooled = idle.pollFirst();
                Future<HttpClientConnection> conn = pooled != null ? Future.succeededFuture(pooled)
                    : client.connect(connect);
                conn.onComplete(car -> {
                  if (car.failed()) {
                    req.response().setStatusCode(502).end();
                    return;
                  }
                  HttpClientConnection c = car.result();
                  c.request(new RequestOptions().setMethod(req.method()).setURI(req.uri())).compose(creq -> {
                    creq.headers().addAll(req.headers()).remove("Host");
                    return creq.send(body);
                  }).onComplete(ar -> {
                    HttpServerResponse res = req.response();
                    if (ar.failed()) {
                      c.close();
                      res.setStatusCode(502).end();
                      return;
                    }
                    HttpClientResponse up = ar.result();
                    res.setStatusCode(up.statusCode());
                    res.headers().addAll(up.headers());
                    up.body().onComplete(b -> {
                      if (b.failed()) {
                        c.close();
                        res.setStatusCode(502).end();
                        return;
                      }
                      idle.addFirst(c);
                      res.end(b.result());
                    });
                  });
                });
              })).listen(port, "127.0.0.1");
        }
      }).await();
    }
    System.err.println("bare Vert.x proxy on 127.0.0.1:" + port + " -> " + upstream + ", " + loops
        + " event loop(s), transport " + transport + ", native " + vertx.isNativeTransportEnabled());
  }
}

package dev.vane.gateway;

import dev.vane.config.EndpointSettings;
import dev.vane.config.VaneConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One HTTP client (keep-alive pool) per endpoint, owned by one event loop and touched only there. On a new config,
 * clients whose endpoint settings did not change are kept; the others are closed two minutes later, once their
 * in-flight requests have ended.
 */
final class UpstreamClients {
  private final Vertx vertx;
  private VaneConfig boundTo;
  private Map<EndpointSettings, HttpClient> clients = new IdentityHashMap<>();

  UpstreamClients(Vertx vertx) {
    this.vertx = vertx;
  }

  HttpClient get(VaneConfig cfg, EndpointSettings ep) {
    if (cfg != boundTo) {
      rebind(cfg);
    }
    HttpClient c = clients.get(ep);
    if (c == null) {
      c = newClient(ep);
      clients.put(ep, c);
    }
    return c;
  }

  private void rebind(VaneConfig cfg) {
    Map<EndpointSettings, HttpClient> next = new IdentityHashMap<>();
    Map<EndpointSettings, HttpClient> byValue = new HashMap<>();
    clients.forEach(byValue::put);
    for (EndpointSettings ep : cfg.endpoints().values()) {
      HttpClient c = byValue.remove(ep);
      if (c != null) {
        next.put(ep, c);
      }
    }
    for (HttpClient stale : byValue.values()) {
      vertx.setTimer(120_000, id -> stale.close());
    }
    clients = next;
    boundTo = cfg;
  }

  private HttpClient newClient(EndpointSettings ep) {
    HttpClientOptions o = new HttpClientOptions()
        .setKeepAlive(true)
        .setTcpNoDelay(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, ep.connectTimeout().toMillis()))
        .setDecompressionSupported(false)
        .setSsl(ep.tls())
        .setDefaultHost(ep.host())
        .setDefaultPort(ep.port());
    PoolOptions p = new PoolOptions().setHttp1MaxSize(ep.maxConnections()).setMaxWaitQueueSize(ep.maxPending());
    return vertx.httpClientBuilder().with(o).with(p).build();
  }
}

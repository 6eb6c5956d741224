package dev.vane.gateway.upstream;

import dev.vane.config.EndpointSettings;
import dev.vane.config.VaneConfig;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One {@link UpstreamPool} (keep-alive connections) per endpoint, owned by one event loop and touched only there. On a new config,
 * pools whose endpoint settings did not change are kept; the others take no new requests, close their idle
 * connections at once and the busy ones as their exchanges end, and are closed for good two minutes later.
 */
public final class UpstreamClients {
  private final Vertx vertx;
  private VaneConfig boundTo;
  private Map<EndpointSettings, UpstreamPool> clients = new IdentityHashMap<>();

  public UpstreamClients(Vertx vertx) {
    this.vertx = vertx;
  }

  public UpstreamPool get(VaneConfig cfg, EndpointSettings ep) {
    if (cfg != boundTo) {
      rebind(cfg);
    }
    UpstreamPool c = clients.get(ep);
    if (c == null) {
      c = new UpstreamPool(vertx, ep);
      clients.put(ep, c);
    }
    return c;
  }

  private void rebind(VaneConfig cfg) {
    Map<EndpointSettings, UpstreamPool> next = new IdentityHashMap<>();
    Map<EndpointSettings, UpstreamPool> byValue = new HashMap<>();
    clients.forEach(byValue::put);
    for (EndpointSettings ep : cfg.endpoints().values()) {
      UpstreamPool c = byValue.remove(ep);
      if (c != null) {
        next.put(ep, c);
      }
    }
    for (UpstreamPool stale : byValue.values()) {
      stale.retire();
      vertx.setTimer(120_000, id -> stale.close());
    }
    clients = next;
    boundTo = cfg;
  }
}

package dev.vane.gateway.proxy;

import dev.vane.gateway.runtime.GatewayCore;
import dev.vane.gateway.shadow.MirroredRequest;
import dev.vane.gateway.shadow.ShadowPlanner;
import dev.vane.gateway.shadow.ShadowSender;
import io.vertx.core.MultiMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Shadows. On the way in, decides which shadows get a copy and reserves their in-flight slots (so the forward step
 * knows to keep the served body for the comparison). At the end, hands the copies to the shadow loop: they go out
 * once the client has its response, from a loop of their own, carrying only what they need (method, URI,
 * end-to-end headers, body, the served answer), so nothing of the client's exchange is kept alive while a shadow
 * answers, and no shadow can delay or fail the client.
 */
final class Mirror implements ProxyStep {
  private final GatewayCore core;

  Mirror(GatewayCore core) {
    this.core = core;
  }

  @Override
  public void onRequest(Exchange x) {
    if (x.experiment != null && !x.experiment.shadows().isEmpty()) {
      x.shadowCalls = core.shadows().plan(x.experiment, x.counters, x.snapshot.config(), ThreadLocalRandom.current(),
          x.requestId);
      x.keepServedBody = ShadowPlanner.anyCompared(x.shadowCalls);
    }
    x.proceed();
  }

  @Override
  public void onEnd(Exchange x) {
    if (x.shadowCalls == null) {
      return;
    }
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    x.copyRequestHeaders(headers);
    MirroredRequest m = new MirroredRequest(x.snapshot.config(), x.method, x.uri, headers, x.body, x.shadowCalls,
        x.status(), x.micros(), x.responded(), x.primaryBody, x.span == null ? null : x.span.link());
    core.mirror(clients -> ShadowSender.send(m, clients));
  }
}

package dev.vane.gateway.proxy;

/**
 * Finds the request's unit (user) id for an experiment: the first of {@code server.unitId}'s header, cookie and
 * query parameter that is present, or none (then the request is assigned at random and nothing is stored).
 */
final class IdentifyUnit implements ProxyStep {
  @Override
  public void onRequest(Exchange x) {
    if (x.experiment != null) {
      x.unit = x.snapshot.config().server().unitId().unitOf(x.view);
    }
    x.proceed();
  }
}

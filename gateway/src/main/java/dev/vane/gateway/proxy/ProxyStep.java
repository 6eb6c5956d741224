package dev.vane.gateway.proxy;

/**
 * One concern of the request path. The proxy handler runs its steps in order over one {@link Exchange}: each step
 * does its part of the request and passes it on with {@link Exchange#proceed()} (at once, or later from a
 * callback), or answers the client itself and stops there. Once the exchange has ended (answered, failed, or the
 * client left), every step's {@link #onEnd} runs, in order, once. Steps are created once per event loop and keep
 * no per-request state: that lives in the exchange, so a step costs no allocation per request.
 *
 * <p>The shape is vertx-http-proxy's {@code ProxyInterceptor} ({@code handleProxyRequest} /
 * {@code handleProxyResponse}), without its futures.
 */
interface ProxyStep {
  /** Does this step's part of the request; the default passes it on. */
  default void onRequest(Exchange x) {
    x.proceed();
  }

  /** After the exchange ended ({@link Exchange#status()}, {@link Exchange#micros()} are set); the default does nothing. */
  default void onEnd(Exchange x) {
  }
}

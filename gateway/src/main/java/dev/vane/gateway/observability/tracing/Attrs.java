package dev.vane.gateway.observability.tracing;

import dev.vane.config.EndpointSettings;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;

/**
 * The attribute keys of Vane's spans: OpenTelemetry's HTTP semantic conventions where one fits, {@code vane.*} for
 * the routing decision.
 */
final class Attrs {
  static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("vane.request_id");
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("vane.route");
  static final AttributeKey<String> EXPERIMENT = AttributeKey.stringKey("vane.experiment");
  static final AttributeKey<String> ARM = AttributeKey.stringKey("vane.arm");
  static final AttributeKey<String> ASSIGNMENT = AttributeKey.stringKey("vane.assignment");
  static final AttributeKey<Boolean> STICKY = AttributeKey.booleanKey("vane.unit.sticky");
  static final AttributeKey<String> ENDPOINT = AttributeKey.stringKey("vane.endpoint");
  static final AttributeKey<Boolean> FALLBACK = AttributeKey.booleanKey("vane.fallback");
  static final AttributeKey<String> SHADOW = AttributeKey.stringKey("vane.shadow");

  private Attrs() {}

  /** An upstream call's endpoint: its id, host and port (never its URL, which may hold a password), and method. */
  static void endpoint(Span s, EndpointSettings ep, String method) {
    s.setAttribute(ENDPOINT, ep.id());
    s.setAttribute(SERVER_ADDRESS, ep.url().getHost());
    int port = ep.url().getPort();
    s.setAttribute(SERVER_PORT, port >= 0 ? port : "https".equalsIgnoreCase(ep.url().getScheme()) ? 443 : 80);
    s.setAttribute(HTTP_METHOD, method);
  }
}

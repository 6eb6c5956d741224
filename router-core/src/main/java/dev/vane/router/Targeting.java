package dev.vane.router;

import java.util.List;
import java.util.Map;

/**
 * Conditions a request must meet to enter an experiment. Requests that fail them are served by the control arm
 * and are not exposures.
 *
 * @param headers    header name (case-insensitive) to the accepted values; every listed header must match one
 * @param pathPrefix the request path must start with this, or {@code null} for any path
 */
public record Targeting(Map<String, List<String>> headers, String pathPrefix) {
  public static final Targeting NONE = new Targeting(Map.of(), null);

  public Targeting {
    headers = Map.copyOf(headers);
  }

  public boolean matches(RequestView request) {
    if (pathPrefix != null && !request.path().startsWith(pathPrefix)) {
      return false;
    }
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      String v = request.header(e.getKey());
      if (v == null || !e.getValue().contains(v)) {
        return false;
      }
    }
    return true;
  }
}

package dev.vane.router;

import java.util.Objects;

/**
 * Maps requests to an experiment or to a single endpoint.
 *
 * @param id          route id (for logs and figures)
 * @param pathPrefix  matches requests whose path starts with this, or null
 * @param model       matches requests naming this model (KServe v2 path or OpenAI-style body), or null
 * @param experiment  experiment id served by this route, or null
 * @param endpoint    endpoint id served by this route when it has no experiment, or null
 */
public record Route(String id, String pathPrefix, String model, String experiment, String endpoint) {
  public Route {
    Objects.requireNonNull(id, "id");
    if ((pathPrefix == null) == (model == null)) {
      throw new IllegalArgumentException("route " + id + ": exactly one of pathPrefix or model is required");
    }
    if ((experiment == null) == (endpoint == null)) {
      throw new IllegalArgumentException("route " + id + ": exactly one of experiment or endpoint is required");
    }
  }
}

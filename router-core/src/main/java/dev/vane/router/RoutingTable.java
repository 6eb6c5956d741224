package dev.vane.router;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable routing snapshot: routes, experiments and the default upstream. Built away from the request path
 * and swapped whole on reload; requests only read it.
 *
 * <p>Resolution: a request that names a model (KServe v2 path or OpenAI-style body) is matched against model routes
 * first; otherwise, or when no model route matches, the path-prefix route with the longest prefix wins; otherwise
 * the default upstream serves it, if configured.
 */
public final class RoutingTable {
  private final String version;
  private final List<Route> routes;
  private final Map<String, Experiment> experiments;
  private final Map<String, Route> byModel;
  private final List<Route> byPrefix;
  private final String defaultEndpoint;

  public RoutingTable(String version, List<Route> routes, List<Experiment> experiments, String defaultEndpoint) {
    this.version = Objects.requireNonNull(version, "version");
    this.routes = List.copyOf(routes);
    Map<String, Experiment> ex = new HashMap<>();
    for (Experiment e : experiments) {
      if (ex.put(e.id(), e) != null) {
        throw new IllegalArgumentException("experiment id: " + e.id() + " (expected: unique)");
      }
    }
    this.experiments = Map.copyOf(ex);
    Map<String, Route> models = new HashMap<>();
    List<Route> prefixes = new ArrayList<>();
    for (Route r : this.routes) {
      if (r.experiment() != null && !ex.containsKey(r.experiment())) {
        throw new IllegalArgumentException("route " + r.id() + ": unknown experiment " + r.experiment());
      }
      if (r.model() != null) {
        models.putIfAbsent(r.model(), r);
      } else {
        prefixes.add(r);
      }
    }
    prefixes.sort(Comparator.comparingInt((Route r) -> r.pathPrefix().length()).reversed());
    this.byModel = Map.copyOf(models);
    this.byPrefix = List.copyOf(prefixes);
    this.defaultEndpoint = defaultEndpoint;
  }

  /** Configuration version this table was built from. */
  public String version() {
    return version;
  }

  public List<Route> routes() {
    return routes;
  }

  /** All experiments, keyed by id. */
  public Map<String, Experiment> experiments() {
    return experiments;
  }

  public Experiment experiment(String id) {
    return experiments.get(id);
  }

  /** The endpoint serving unmatched requests, or null when they get 404. */
  public String defaultEndpoint() {
    return defaultEndpoint;
  }

  /** Whether any route is keyed by model name (so OpenAI-style bodies must be read before routing). */
  public boolean hasModelRoutes() {
    return !byModel.isEmpty();
  }

  /** The route for a request, or null when none matches (the default upstream or a 404 applies). */
  public Route resolve(String path, String model) {
    if (model != null) {
      Route r = byModel.get(model);
      if (r != null) {
        return r;
      }
    }
    for (int i = 0, n = byPrefix.size(); i < n; i++) {
      Route r = byPrefix.get(i);
      if (path.startsWith(r.pathPrefix())) {
        return r;
      }
    }
    return null;
  }
}

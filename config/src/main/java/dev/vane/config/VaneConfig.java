package dev.vane.config;

import dev.vane.router.RoutingTable;
import java.util.Map;

/**
 * A validated configuration: immutable, built whole, swapped whole.
 *
 * @param source    where it came from (file path or "demo")
 * @param version   content hash of the file (short hex)
 * @param server    listener settings (changes need a restart, except where noted in README)
 * @param endpoints upstreams by id
 * @param routing   routes and experiments
 * @param state     sticky store and figures
 * @param analysis  per experiment id: metrics, slices, attribution window, bandit settings
 * @param admin     the control plane: authentication, where the routing config comes from, history and audit
 * @param observability metrics, tracing and logs
 * @param timeseries how long per-arm minute and hour rows are kept
 * @param events     the exposure and feedback event sinks (none: off)
 */
public record VaneConfig(String source, String version, ServerSettings server, Map<String, EndpointSettings> endpoints,
    RoutingTable routing, StateSettings state, Map<String, Analysis> analysis, AdminSettings admin,
    ObservabilitySettings observability, TimeSeriesSettings timeseries, EventSettings events) {

  public VaneConfig {
    endpoints = Map.copyOf(endpoints);
    analysis = Map.copyOf(analysis);
    timeseries = timeseries == null ? TimeSeriesSettings.defaults() : timeseries;
    events = events == null ? EventSettings.defaults() : events;
  }

  /** A configuration without event sinks. */
  public VaneConfig(String source, String version, ServerSettings server, Map<String, EndpointSettings> endpoints,
      RoutingTable routing, StateSettings state, Map<String, Analysis> analysis, AdminSettings admin,
      ObservabilitySettings observability, TimeSeriesSettings timeseries) {
    this(source, version, server, endpoints, routing, state, analysis, admin, observability, timeseries, null);
  }

  /** The analysis settings of an experiment ({@link Analysis#NONE} when it declares none). */
  public Analysis analysis(String experiment) {
    return analysis.getOrDefault(experiment, Analysis.NONE);
  }
}

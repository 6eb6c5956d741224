package dev.vane.gateway.runtime;

import dev.vane.config.VaneConfig;
import dev.vane.gateway.counters.ExperimentCounters;
import java.util.Map;

/**
 * What one request reads: the config and the figures bound to its experiment versions. Published whole through
 * one reference; a request keeps the snapshot it started with until it ends.
 */
public record Snapshot(VaneConfig config, Map<String, ExperimentCounters> counters) {}

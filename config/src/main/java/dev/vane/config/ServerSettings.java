package dev.vane.config;

import dev.vane.router.UnitIdSource;
import java.time.Duration;

/**
 * The gateway's own listener and request handling.
 *
 * @param host            listen address
 * @param port            listen port (0 = any free port)
 * @param maxBodyBytes    request bodies above this get 413
 * @param variantHeaders  whether responses carry X-Vane-Experiment / X-Vane-Variant
 * @param unitId          where unit ids come from
 * @param overrideHeader  QA header that forces an arm (per experiment it can be disabled)
 * @param eventLoops      event-loop threads (0 = number of cores)
 * @param reloadInterval  how often the config file is checked for changes (0 = never)
 */
public record ServerSettings(String host, int port, long maxBodyBytes, boolean variantHeaders, UnitIdSource unitId,
    String overrideHeader, int eventLoops, Duration reloadInterval) {}

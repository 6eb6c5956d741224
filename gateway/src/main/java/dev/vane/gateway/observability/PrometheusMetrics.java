package dev.vane.gateway.observability;

import dev.vane.gateway.feedback.FeedbackService;
import dev.vane.gateway.rollout.RolloutDriver;
import dev.vane.gateway.runtime.GatewayCore;
import dev.vane.gateway.state.redis.RedisStickyStore;
import dev.vane.router.StickyStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * What {@code GET /metrics} serves: Micrometer's Prometheus registry with the JVM and process binders, gauges and
 * function counters over the gateway's own counters, and {@link ExperimentCollector} for the per-experiment
 * families. Everything is read when scraped; the request path records nothing for it.
 */
public final class PrometheusMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** The content types of the two text formats (what Micrometer's writers answer with). */
  static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
  static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private final JvmGcMetrics gc = new JvmGcMetrics();

  /**
   * Where the figures come from.
   *
   * @param core        counters, config, sticky store, feedback
   * @param listeners   per listener name ({@code data}, {@code admin}): its connection guard's counters
   * @param denied401   admin calls answered 401
   * @param denied403   admin calls answered 403
   * @param rollouts    the rollout driver, or null before it starts
   */
  public record Sources(GatewayCore core, Map<String, Supplier<Map<String, Long>>> listeners, LongSupplier denied401,
      LongSupplier denied403, Supplier<RolloutDriver> rollouts) {}

  /** One exposition: its body and the content type to answer it with. */
  public record Exposition(String contentType, String body) {}

  public PrometheusMetrics(Sources s) {
    this.sources = s; // Micrometer holds function counters' and gauges' objects weakly: these stay reachable here
    // two of Micrometer's binder names fail `promtool check metrics` (an abbreviated unit, a gauge ending in
    // _count): process_cpu_time_ns_total gives way to Prometheus's usual process_cpu_seconds_total (below), and
    // system_cpu_count is exposed as system_cpu_cores
    registry.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return id.getName().equals("system.cpu.count") ? id.withName("system.cpu.cores") : id;
      }
    });
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu.seconds", os, o -> o.getProcessCpuTime() / 1e9)
          .description("CPU time the process used, in seconds").register(registry);
    }
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    GatewayCore core = s.core();

    MultiGauge configInfo = MultiGauge.builder("vane.config.info")
        .description("1, labelled with the version of the config this instance serves").register(registry);
    Gauge.builder("vane.config.last.reload.timestamp", core, c -> c.lastReloadAt().toEpochMilli() / 1000.0)
        .baseUnit("seconds").description("When the serving config was applied (Unix time)").register(registry);
    FunctionCounter.builder("vane.config.reload.failures", core, GatewayCore::reloadFailures)
        .description("Config versions that could not be applied (the previous one kept serving)").register(registry);
    // its version label changes with the config: the one row is overwritten at each scrape
    this.configInfo = configInfo;
    this.core = core;

    FunctionCounter.builder("vane.admin.denied", s.denied401(), LongSupplier::getAsLong)
        .tag("status", "401").description("Admin API calls refused: 401 no or unknown token, 403 role missing")
        .register(registry);
    FunctionCounter.builder("vane.admin.denied", s.denied403(), LongSupplier::getAsLong)
        .tag("status", "403").description("Admin API calls refused: 401 no or unknown token, 403 role missing")
        .register(registry);

    s.listeners().forEach((listener, counters) -> {
      Gauge.builder("vane.connections.open", counters, c -> c.get().getOrDefault("open", 0L))
          .tag("listener", listener).description("Client connections open now").register(registry);
      for (String[] reason : new String[][] {{"headerTimeouts", "header_timeout"}, {"idleTimeouts", "idle_timeout"},
          {"bodyTimeouts", "body_timeout"}, {"overloaded", "overloaded"}, {"refused", "refused"}}) {
        FunctionCounter.builder("vane.connections.closed", counters, c -> c.get().getOrDefault(reason[0], 0L))
            .tags("listener", listener, "reason", reason[1])
            .description("Connections the gateway closed or refused: timeouts, over the budget (overloaded: "
                + "answered 503 from the reserve; refused: closed at accept)")
            .register(registry);
      }
    });

    FeedbackService fb = core.feedback();
    for (String status : new String[] {"accepted", "duplicate", "rejected"}) {
      ToDoubleFunction<FeedbackService> f = switch (status) {
        case "accepted" -> x -> x.counts().accepted();
        case "duplicate" -> x -> x.counts().duplicate();
        default -> x -> x.counts().rejected();
      };
      FunctionCounter.builder("vane.feedback.events", fb, f).tag("status", status)
          .description("Feedback events answered, by result").register(registry);
    }

    StickyStore store = core.store();
    Gauge.builder("vane.sticky.store.up", store, st -> st.healthy() ? 1 : 0)
        .tag("store", store instanceof RedisStickyStore ? "redis" : "memory")
        .description("1 while the sticky store is reachable (always 1 in memory)").register(registry);
    if (store instanceof RedisStickyStore redis) {
      FunctionCounter.builder("vane.sticky.lookups", redis, r -> r.stats().hits()).tag("result", "hit")
          .description("Sticky lookups answered from the local cache (hit) or not found there (miss)")
          .register(registry);
      FunctionCounter.builder("vane.sticky.lookups", redis, r -> r.stats().misses()).tag("result", "miss")
          .description("Sticky lookups answered from the local cache (hit) or not found there (miss)")
          .register(registry);
      FunctionCounter.builder("vane.sticky.redis.claims", redis, r -> r.stats().claims())
          .description("First-write-wins claim scripts sent to Redis (round trips)").register(registry);
      FunctionCounter.builder("vane.sticky.provisional.answers", redis, r -> r.stats().provisionalAnswers())
          .description("Claims answered without Redis's verdict (Redis down, slow or failing)").register(registry);
      FunctionCounter.builder("vane.sticky.redis.timeouts", redis, r -> r.stats().timeouts())
          .description("Provisional answers given because a connected Redis did not answer in time")
          .register(registry);
      FunctionCounter.builder("vane.sticky.overruled", redis, r -> r.stats().overruled())
          .description("Provisional answers Redis later overruled (the unit changed arm once)").register(registry);
      FunctionCounter.builder("vane.sticky.dropped", redis, r -> r.stats().dropped())
          .description("Claims dropped because the outage queue was full").register(registry);
      FunctionCounter.builder("vane.sticky.redis.reconnects", redis, r -> r.stats().reconnects())
          .description("Times the connection to Redis was re-established").register(registry);
      Gauge.builder("vane.sticky.pending.writes", redis, RedisStickyStore::pendingWrites)
          .description("Claims waiting in the outage queue for Redis").register(registry);
      Gauge.builder("vane.sticky.cache.entries", redis, RedisStickyStore::cacheSize)
          .description("Assignments held in the local sticky cache").register(registry);
    }

    EventMetrics.bind(registry, core.events());
    registry.getPrometheusRegistry().register(new ExperimentCollector(core, s.rollouts()));
  }

  private final Sources sources;
  private final MultiGauge configInfo;
  private final GatewayCore core;

  /**
   * Scrapes now: OpenMetrics text when {@code accept} asks for it ({@code application/openmetrics-text}), else the
   * Prometheus text format 0.0.4. Reads every counter once; call it off the event loop.
   */
  public Exposition scrape(String accept) {
    String version = core.snapshot().config().version();
    configInfo.register(List.of(MultiGauge.Row.of(Tags.of("version", version == null ? "" : version), 1)), true);
    String type = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : TEXT;
    return new Exposition(type, registry.scrape(type));
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}

package dev.vane.gateway.metrics;

import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import dev.vane.router.Shadow;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Figures of one version of one experiment: per arm, per shadow, and requests outside the experiment. */
public final class ExperimentStats {
  private final String experimentId;
  private final String version;
  private final Instant since;
  private final Map<String, ArmStats> arms;
  private final Map<String, ShadowStats> shadows;
  /** Requests forced by the override header. */
  public final LongAdder overrides = new LongAdder();
  /** Requests that failed targeting (served by the control, not exposures). */
  public final LongAdder notTargeted = new LongAdder();
  /** Requests outside coverage (served by the control, not exposures). */
  public final LongAdder notCovered = new LongAdder();

  public ExperimentStats(Experiment e, Instant since) {
    this.experimentId = e.id();
    this.version = e.version();
    this.since = since;
    Map<String, ArmStats> a = new LinkedHashMap<>();
    for (Arm arm : e.arms()) {
      a.put(arm.id(), new ArmStats());
    }
    Map<String, ShadowStats> s = new LinkedHashMap<>();
    for (Shadow sh : e.shadows()) {
      s.put(sh.id(), new ShadowStats());
    }
    this.arms = Map.copyOf(a);
    this.shadows = Map.copyOf(s);
  }

  public String experimentId() {
    return experimentId;
  }

  public String version() {
    return version;
  }

  public Instant since() {
    return since;
  }

  public ArmStats arm(String id) {
    return arms.get(id);
  }

  public ShadowStats shadow(String id) {
    return shadows.get(id);
  }
}

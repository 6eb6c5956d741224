package dev.vane.gateway.results;

import dev.vane.config.Analysis;
import dev.vane.gateway.counters.Figures;
import dev.vane.gateway.counters.NoveltyDays;
import dev.vane.gateway.counters.OutcomeCounters;
import dev.vane.router.Arm;
import dev.vane.router.Experiment;
import dev.vane.router.Policy;
import dev.vane.stats.BinaryStats;
import dev.vane.stats.ContinuousStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Turns an experiment's figures (local or summed in Redis) into the results calculator's input. */
public final class ResultsInputs {
  private ResultsInputs() {}

  public static ResultsInput from(Experiment e, Analysis analysis, Figures.Experiment f, ResultsInput.BanditView bandit) {
    List<ResultsInput.MetricDef> metrics = new ArrayList<>();
    for (Analysis.Metric m : analysis.metrics()) {
      metrics.add(new ResultsInput.MetricDef(m.name(), m.binary(), m.higherIsBetter(), m.primary(), m.guardrail()));
    }
    List<String> arms = e.arms().stream().map(Arm::id).toList();
    Map<String, Integer> weights = new LinkedHashMap<>();
    if (e.policy() == Policy.HASH) { // a bandit's allocation moves on purpose: no sample-ratio check
      for (Arm a : e.arms()) {
        weights.put(a.id(), a.weightBps());
      }
    }
    List<ResultsInput.ArmData> pooled = new ArrayList<>();
    for (Arm a : e.arms()) {
      Figures.Arm fa = f.arms().get(a.id());
      Map<String, OutcomeCounters.Sums> sums = f.outcomes().pooled().getOrDefault(a.id(), Map.of());
      pooled.add(armData(a.id(), fa.exposures(), fa.units(), fa.requests(), fa.status5xx(), fa.latency(), sums,
          analysis));
    }
    Map<String, Map<String, List<ResultsInput.ArmData>>> slices = new LinkedHashMap<>();
    Map<Integer, List<ResultsInput.ArmData>> days = new TreeMap<>();
    f.outcomes().slices().forEach((dim, values) -> {
      Map<String, List<ResultsInput.ArmData>> byValue = new LinkedHashMap<>();
      values.forEach((value, cells) -> {
        List<ResultsInput.ArmData> list = new ArrayList<>();
        for (Arm a : e.arms()) {
          OutcomeCounters.SliceCell c = cells.get(a.id());
          long exposures = c == null ? 0 : c.exposures();
          list.add(armData(a.id(), exposures, exposures, exposures, 0, null, c == null ? Map.of() : c.metrics(),
              analysis));
        }
        byValue.put(value, list);
      });
      if (dim.equals(NoveltyDays.DIMENSION)) {
        byValue.forEach((label, list) -> {
          if (NoveltyDays.day(label) >= 0) {
            days.put(NoveltyDays.day(label), list);
          }
        });
      } else {
        slices.put(dim, byValue);
      }
    });
    Map<String, Long> assigned = new LinkedHashMap<>();
    for (Arm a : e.arms()) {
      assigned.put(a.id(), f.arms().get(a.id()).assigned());
    }
    return new ResultsInput(e.id(), e.version(), e.control().id(), arms, weights, metrics, pooled, slices, bandit,
        days, assigned);
  }

  public static ResultsInput.ArmData armData(String arm, long exposures, long units, long requests, long errors,
      org.HdrHistogram.Histogram latency, Map<String, OutcomeCounters.Sums> sums, Analysis analysis) {
    Map<String, BinaryStats> binary = new LinkedHashMap<>();
    Map<String, ContinuousStats> continuous = new LinkedHashMap<>();
    for (Analysis.Metric m : analysis.metrics()) {
      OutcomeCounters.Sums s = sums.getOrDefault(m.name(), OutcomeCounters.Sums.ZERO);
      if (m.binary()) {
        binary.put(m.name(), BinaryStats.of(exposures, Math.min(exposures, s.n())));
      } else {
        continuous.put(m.name(), s.n() == 0 ? ContinuousStats.EMPTY : ContinuousStats.fromSums(s.n(), s.sum(), s.sumSq()));
      }
    }
    return new ResultsInput.ArmData(arm, exposures, units, requests, errors, latency, binary, continuous);
  }
}

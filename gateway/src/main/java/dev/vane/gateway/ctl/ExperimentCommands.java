package dev.vane.gateway.ctl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Experiment operations (each a new config version, audited) and results. */
final class ExperimentCommands {
  private ExperimentCommands() {}

  /** {@code POST /admin/v1/experiments/{id}/{op}} with {@code body}, its answer printed. */
  static int operate(Ctl ctl, CommandSpec spec, String experiment, String op, JsonObject body) {
    return ctl.run(spec, false, (client, out) -> {
      Print.written(ctl, out, client.post("admin/v1/experiments/" + Print.segment(experiment) + "/" + op, body)
          .json());
      return ExitCodes.OK;
    });
  }

  static JsonObject reason(String reason) {
    return reason == null ? new JsonObject() : new JsonObject().put("reason", reason);
  }

  @Command(name = "ramp", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
      description = "Set a canary's percentage (ramp EXP 25), or every variant's weight in basis points "
          + "(ramp EXP --weights a=5000,b=5000). Prints what changed and what happens to sticky units.")
  static final class Ramp implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @ParentCommand
    Ctl ctl;

    @Parameters(index = "0", paramLabel = "EXP", description = "the experiment")
    String experiment;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PERCENT", description = "the canary's share, 0..100")
    Integer percent;

    @Option(names = "--weights", split = ",", paramLabel = "ARM=BPS",
        description = "each variant's weight in basis points (10000 = 100%%)")
    Map<String, Integer> weights;

    @Option(names = "--reason", paramLabel = "R", description = "why, recorded with the version and in the audit log")
    String reason;

    @Override
    public Integer call() {
      if ((percent == null) == (weights == null)) {
        throw new ParameterException(spec.commandLine(), "give either PERCENT or --weights (exactly one)");
      }
      JsonObject body = reason(reason);
      if (percent != null) {
        body.put("percent", percent);
      } else {
        JsonObject w = new JsonObject();
        weights.forEach(w::put);
        body.put("weights", w);
      }
      return operate(ctl, spec, experiment, "ramp", body);
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
      description = "Pause an experiment: every unit gets the control arm until it is resumed. Pausing a paused "
          + "experiment is a conflict (exit 4).")
  static final class Pause implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @ParentCommand
    Ctl ctl;

    @Parameters(index = "0", paramLabel = "EXP", description = "the experiment")
    String experiment;

    @Option(names = "--reason", paramLabel = "R", description = "why, recorded with the version and in the audit log")
    String reason;

    @Override
    public Integer call() {
      return operate(ctl, spec, experiment, "pause", reason(reason));
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
      description = "Resume a paused experiment.")
  static final class Resume implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @ParentCommand
    Ctl ctl;

    @Parameters(index = "0", paramLabel = "EXP", description = "the experiment")
    String experiment;

    @Option(names = "--reason", paramLabel = "R", description = "why, recorded with the version and in the audit log")
    String reason;

    @Override
    public Integer call() {
      return operate(ctl, spec, experiment, "resume", reason(reason));
    }
  }

  @Command(name = "promote", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
      description = "Send all traffic to one arm: the canary, or the variant ARM.")
  static final class Promote implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @ParentCommand
    Ctl ctl;

    @Parameters(index = "0", paramLabel = "EXP", description = "the experiment")
    String experiment;

    @Parameters(index = "1", arity = "0..1", paramLabel = "ARM", description = "the arm to promote (a canary's is "
        + "implied)")
    String arm;

    @Option(names = "--reason", paramLabel = "R", description = "why, recorded with the version and in the audit log")
    String reason;

    @Override
    public Integer call() {
      JsonObject body = reason(reason);
      if (arm != null) {
        body.put("arm", arm);
      }
      return operate(ctl, spec, experiment, "promote", body);
    }
  }

  @Command(name = "results", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
      description = "An experiment's results (GET /v1/experiments/{id}/results): arms, and each treatment against "
          + "the control per metric; --csv for the CSV, -o json for the full JSON.")
  static final class Results implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @ParentCommand
    Ctl ctl;

    @Parameters(index = "0", paramLabel = "EXP", description = "the experiment")
    String experiment;

    @Option(names = "--csv", description = "the server's CSV")
    boolean csv;

    @Override
    public Integer call() {
      return ctl.run(spec, false, (client, out) -> {
        String path = "v1/experiments/" + Print.segment(experiment) + "/results";
        if (csv) {
          Print.text(out, client.get(path + "?format=csv", "text/csv").body());
          return ExitCodes.OK;
        }
        JsonObject r = client.get(path, "application/json").json();
        if (ctl.json()) {
          Print.json(out, r);
        } else {
          table(out, r);
        }
        return ExitCodes.OK;
      });
    }

    private static void table(PrintWriter out, JsonObject r) {
      out.println("results " + r.getValue("experiment") + " (version " + r.getValue("version") + ", control "
          + r.getValue("control") + ", alpha " + r.getValue("alpha") + ")");
      Table arms = new Table("ARM", "ROLE", "WEIGHT_BPS", "EXPOSURES", "UNITS", "REQUESTS", "ERRORS");
      for (Object o : r.getJsonArray("arms", new JsonArray())) {
        JsonObject a = (JsonObject) o;
        arms.row(a.getValue("arm"), a.getValue("role"), a.getValue("weightBps"), a.getValue("exposures"),
            a.getValue("units"), a.getValue("requests"), a.getValue("errors"));
      }
      arms.print(out);
      Table cmp = new Table("TREATMENT", "METRIC", "CONTROL", "TREATMENT_VALUE", "DIFF", "P_HOLM", "P_BETTER",
          "REASONS");
      for (Object o : r.getJsonArray("comparisons", new JsonArray())) {
        JsonObject c = (JsonObject) o;
        cmp.row(c.getValue("treatment"), c.getValue("metric"), num(c.getValue("controlValue")),
            num(c.getValue("treatmentValue")), num(c.getValue("difference")), num(c.getValue("pValueHolm")),
            num(c.getValue("probabilityBetter")), join(c.getJsonArray("reasons")));
      }
      if (!cmp.isEmpty()) {
        out.println();
        cmp.print(out);
      }
      JsonArray reasons = r.getJsonArray("reasons", new JsonArray());
      if (!reasons.isEmpty()) {
        out.println("reasons: " + join(reasons));
      }
      for (Object o : r.getJsonArray("warnings", new JsonArray())) {
        JsonObject w = (JsonObject) o;
        out.println("warning " + w.getValue("code") + ": " + w.getValue("detail"));
      }
    }

    private static String num(Object v) {
      return v instanceof Number n ? String.format(java.util.Locale.ROOT, "%.4g", n.doubleValue()) : null;
    }

    private static String join(JsonArray a) {
      if (a == null || a.isEmpty()) {
        return null;
      }
      StringBuilder sb = new StringBuilder();
      a.forEach(x -> sb.append(sb.isEmpty() ? "" : ", ").append(x));
      return sb.toString();
    }
  }
}

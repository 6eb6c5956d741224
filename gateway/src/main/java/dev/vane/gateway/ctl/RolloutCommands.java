package dev.vane.gateway.ctl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.Charset;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code vane ctl rollout}: a rollout's plan, state and newest decisions ({@code GET
 * /admin/v1/experiments/{id}/rollout}), and the operator's commands to the instance driving it ({@code POST
 * .../rollout/{approve|abort|retry|pause|resume}}, queued and applied at that instance's next analysis).
 */
final class RolloutCommands {
  private RolloutCommands() {}

  /** The arrow between the plan's steps: {@code →} where the default charset has it, else {@code ->}. */
  static final String ARROW = Charset.defaultCharset().newEncoder().canEncode('→') ? " → " : " -> ";

  @Command(name = "rollout", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
      description = "A progressive rollout (experiments[].rollout): its status, and the operator's commands to the "
          + "instance driving it. Commands are queued (202) and applied at that instance's next analysis, so "
          + "'rollout status' shows their effect a moment later.",
      subcommands = {Status.class, Approve.class, Abort.class, Retry.class, Pause.class, Resume.class})
  static final class Rollout implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @ParentCommand
    Ctl ctl;

    @Override
    public Integer call() {
      spec.commandLine().usage(spec.commandLine().getErr());
      return ExitCodes.USAGE;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
      description = "Phase, step, canary percent and whether it is paused; the plan's steps (the current one in "
          + "brackets) and guardrails; the newest decisions, newest first, each with its guardrails' verdicts "
          + "(estimate and interval of the relative harm, p-value, counts). -o json for the server's JSON.")
  static final class Status implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @ParentCommand
    Rollout rollout;

    @Parameters(index = "0", paramLabel = "EXP", description = "the experiment")
    String experiment;

    @Option(names = "--limit", paramLabel = "N", description = "at most N decisions, 1..1000 (server default 50)")
    Integer limit;

    @Override
    public Integer call() {
      Ctl ctl = rollout.ctl;
      return ctl.run(spec, false, (client, out) -> {
        String path = "admin/v1/experiments/" + Print.segment(experiment) + "/rollout"
            + (limit == null ? "" : "?limit=" + limit);
        JsonObject s = client.get(path, "application/json").json();
        if (ctl.json()) {
          Print.json(out, s);
        } else {
          summary(out, s);
        }
        return ExitCodes.OK;
      });
    }
  }

  /** The readable status: state, plan, decisions. */
  static void summary(PrintWriter out, JsonObject s) {
    Object id = s.getValue("experiment");
    JsonObject plan = s.getJsonObject("plan");
    JsonObject state = s.getJsonObject("state");
    JsonArray steps = plan == null ? new JsonArray() : plan.getJsonArray("steps", new JsonArray());
    if (!Boolean.TRUE.equals(s.getValue("configured"))) {
      out.println("rollout " + id + ": none declared (experiments[].rollout)");
    } else if (state == null) {
      out.println("rollout " + id + ": not started (the driving instance starts it at its next look)");
    } else {
      String phase = state.getString("phase", "?");
      int step = state.getInteger("step", 0);
      StringBuilder line = new StringBuilder("rollout " + id + ": " + phase.replace('_', ' '));
      if (phase.equals("stepping") && step < steps.size()) {
        line.append(", step ").append(step + 1).append(" of ").append(steps.size()).append(" (")
            .append(percent(steps.getJsonObject(step).getValue("percent"))).append(')');
      }
      line.append(Boolean.TRUE.equals(state.getValue("paused")) ? ", paused" : ", not paused");
      out.println(line);
    }
    Object canary = s.getValue("canaryPercent");
    out.println("canary:     " + (canary == null ? "none in the config" : percent(canary) + " of traffic now"));
    if (plan != null) {
      boolean marked = state != null && "stepping".equals(state.getString("phase"))
          && !Boolean.FALSE.equals(state.getValue("current"));
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < steps.size(); i++) {
        String p = percent(steps.getJsonObject(i).getValue("percent"));
        line.append(i == 0 ? "" : ARROW).append(marked && i == state.getInteger("step", -1) ? "[" + p + "]" : p);
      }
      out.println("plan:       " + line);
      StringBuilder g = new StringBuilder();
      for (Object o : plan.getJsonArray("guardrails", new JsonArray())) {
        JsonObject gr = (JsonObject) o;
        g.append(g.isEmpty() ? "" : ", ").append(gr.getValue("metric")).append(" (margin ")
            .append(margin(gr.getValue("margin"))).append(')');
      }
      out.println("guardrails: " + (g.isEmpty() ? "none" : g) + "; srm check " + (Boolean.TRUE.equals(
          plan.getValue("srm")) ? "on" : "off") + "; alpha " + plan.getValue("alpha") + "; analysis every "
          + plan.getValue("analysisInterval"));
    }
    if (state != null) {
      out.println("state:      step started " + state.getValue("stepStartedAt") + ", " + state.getValue("looks")
          + " looks" + (Boolean.FALSE.equals(state.getValue("current"))
              ? "; recorded under another plan or canary than the config's now" : ""));
    }
    out.println("driven:     " + (Boolean.TRUE.equals(s.getValue("drivenHere")) ? "by this instance"
        : "by another instance (or not yet)") + ", store " + s.getValue("store"));
    JsonArray history = s.getJsonArray("history", new JsonArray());
    out.println();
    if (history.isEmpty()) {
      out.println("no decisions yet");
      return;
    }
    Table t = new Table("TIME", "TYPE", "PHASE", "STEP", "REASON");
    for (Object o : history) {
      JsonObject d = (JsonObject) o;
      Object st = d.getValue("step");
      t.row(d.getValue("time"), d.getValue("type"), d.getValue("phase"),
          st instanceof Number n ? n.intValue() + 1 : null, d.getValue("reason"));
      JsonArray guardrails = d.getJsonArray("guardrails", new JsonArray());
      if (!guardrails.isEmpty()) {
        Table g = new Table("GUARDRAIL", "VERDICT", "HARM", "INTERVAL", "MARGIN", "P_VALUE", "CHAMPION_N",
            "CANARY_N");
        for (Object x : guardrails) {
          JsonObject gr = (JsonObject) x;
          g.row(gr.getValue("metric"), gr.getValue("verdict"), signed(gr.getValue("estimate")),
              "[" + signed(gr.getValue("lower")) + ", " + signed(gr.getValue("upper")) + "]",
              margin(gr.getValue("margin")), num(gr.getValue("pValue")), gr.getValue("championCount"),
              gr.getValue("canaryCount"));
        }
        g.lines().forEach(l -> t.note("    " + l));
      }
      JsonObject srm = d.getJsonObject("srm");
      if (srm != null) {
        t.note("    srm p-value " + num(srm.getValue("pValue")));
      }
    }
    t.print(out);
  }

  /** A percent as written in the plan: {@code 20%}, {@code 2.5%}. */
  static String percent(Object v) {
    if (!(v instanceof Number n)) {
      return "?";
    }
    double d = n.doubleValue();
    return (d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d)) + "%";
  }

  /** A relative margin as a percentage: 0.2 is {@code 20%}. */
  static String margin(Object v) {
    return v instanceof Number n ? new BigDecimal(100 * n.doubleValue()).round(new MathContext(3))
        .stripTrailingZeros().toPlainString() + "%" : "-";
  }

  /** A relative harm as a signed percentage, {@code +3.21%}; {@code n/a} when the server had none. */
  static String signed(Object v) {
    return v instanceof Number n ? String.format(Locale.ROOT, "%+.3g%%", 100 * n.doubleValue()) : "n/a";
  }

  static String num(Object v) {
    return v instanceof Number n ? String.format(Locale.ROOT, "%.3g", n.doubleValue()) : "-";
  }

  /** {@code POST .../rollout/{command}} with the optional reason; prints what the server queued. */
  abstract static class Operation implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @ParentCommand
    Rollout rollout;

    @Parameters(index = "0", paramLabel = "EXP", description = "the experiment")
    String experiment;

    @Option(names = "--reason", paramLabel = "R", description = "why, recorded in the rollout's history and in the "
        + "audit log")
    String reason;

    @Override
    public Integer call() {
      Ctl ctl = rollout.ctl;
      String command = spec.name();
      return ctl.run(spec, false, (client, out) -> {
        JsonObject r = client.post("admin/v1/experiments/" + Print.segment(experiment) + "/rollout/" + command,
            ExperimentCommands.reason(reason)).json();
        if (ctl.json()) {
          Print.json(out, r);
        } else {
          out.println(r.getValue("command") + " " + r.getValue("experiment") + " by " + r.getValue("by") + ": "
              + r.getValue("status"));
        }
        return ExitCodes.OK;
      });
    }
  }

  @Command(name = "approve", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
      description = "Skip a hold: advance (or promote) now whatever the step's minimums say, unless a guardrail "
          + "shows harm or the sample ratio is off (then it rolls back). A paused or finished rollout is not moved.")
  static final class Approve extends Operation {}

  @Command(name = "abort", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
      description = "Stop the rollout: aborted, the canary removed, all traffic back to the champion.")
  static final class Abort extends Operation {}

  @Command(name = "retry", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
      description = "Restart an aborted or rolled-back rollout from its first step, with fresh figures (the "
          + "canary must be declared in the config again).")
  static final class Retry extends Operation {}

  @Command(name = "pause", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
      description = "Hold every analysis until resume (the step's clock keeps running; traffic keeps its split).")
  static final class Pause extends Operation {}

  @Command(name = "resume", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
      description = "Resume a paused rollout's analyses.")
  static final class Resume extends Operation {}
}

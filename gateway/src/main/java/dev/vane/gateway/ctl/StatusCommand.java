package dev.vane.gateway.ctl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import java.util.concurrent.Callable;

/** {@code vane ctl status}: readiness, the config serving, and each experiment's arms. */
@Command(name = "status", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
    description = "Readiness (GET /readyz), the config version serving, and one line per experiment: whether it is "
        + "paused, and each arm's weight (basis points) and exposures. Exits 6 when the gateway is not ready.")
final class StatusCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;
  @ParentCommand
  Ctl ctl;

  @Override
  public Integer call() {
    return ctl.run(spec, false, (client, out) -> {
      AdminClient.Reply ready = client.getAnyStatus("readyz");
      JsonObject readyz = ready.json();
      JsonObject experiments = client.get("v1/experiments", "application/json").json();
      int code = ready.status() == 200 ? ExitCodes.OK : ExitCodes.forStatus(ready.status());
      if (ctl.json()) {
        Print.json(out, new JsonObject().put("readyz", readyz).put("experiments", experiments));
        return code;
      }
      JsonObject config = readyz.getJsonObject("config", new JsonObject());
      out.println("status:  " + readyz.getValue("status"));
      out.println("config:  version " + config.getValue("version") + " (from " + config.getValue("source")
          + ", loaded " + config.getValue("loadedAt") + ")");
      if (config.getValue("lastReloadError") != null) {
        out.println("last reload failed: " + config.getValue("lastReloadError"));
      }
      JsonObject store = readyz.getJsonObject("store", new JsonObject());
      out.println("store:   " + (Boolean.TRUE.equals(store.getValue("up")) ? "up" : "down") + " ("
          + store.getValue("detail") + ")");
      Table t = new Table("EXPERIMENT", "PAUSED", "ARMS (weight bps, exposures)");
      for (Object o : experiments.getJsonArray("experiments", new JsonArray())) {
        JsonObject e = (JsonObject) o;
        StringBuilder arms = new StringBuilder();
        for (Object a : e.getJsonArray("arms", new JsonArray())) {
          JsonObject arm = (JsonObject) a;
          arms.append(arms.isEmpty() ? "" : "  ").append(arm.getValue("id")).append(' ')
              .append(arm.getValue("weightBps")).append("bps ").append(arm.getValue("exposures")).append(" exp");
        }
        t.row(e.getValue("id"), Boolean.TRUE.equals(e.getValue("paused")) ? "yes" : "no", arms);
      }
      out.println();
      if (t.isEmpty()) {
        out.println("no experiments");
      } else {
        t.print(out);
      }
      return code;
    });
  }
}

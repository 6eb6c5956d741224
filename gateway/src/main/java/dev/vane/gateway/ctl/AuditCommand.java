package dev.vane.gateway.ctl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vane ctl audit}: who changed what, and who was refused. */
@Command(name = "audit", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
    description = "The audit log (GET /admin/v1/audit): every write and every refused write, with actor, address, "
        + "action, target, version and status.")
final class AuditCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;
  @ParentCommand
  Ctl ctl;

  @Option(names = "--since", paramLabel = "ISO", description = "only entries at or after this instant, such as "
      + "2026-12-06T10:00:00Z")
  String since;

  @Option(names = "--limit", paramLabel = "N", description = "at most N entries (server default 100)")
  Integer limit;

  @Override
  public Integer call() {
    return ctl.run(spec, false, (client, out) -> {
      StringBuilder q = new StringBuilder("admin/v1/audit");
      char sep = '?';
      if (since != null) {
        q.append(sep).append("since=").append(AdminClient.q(since));
        sep = '&';
      }
      if (limit != null) {
        q.append(sep).append("limit=").append(limit);
      }
      JsonObject audit = client.get(q.toString(), "application/json").json();
      if (ctl.json()) {
        Print.json(out, audit);
        return ExitCodes.OK;
      }
      Table t = new Table("TIME", "ACTOR", "ADDRESS", "ACTION", "TARGET", "VERSION", "STATUS", "MESSAGE");
      for (Object o : audit.getJsonArray("entries", new JsonArray())) {
        JsonObject e = (JsonObject) o;
        t.row(e.getValue("time"), e.getValue("actor"), e.getValue("address"), e.getValue("action"),
            e.getValue("target"), e.getValue("version"), e.getValue("status"), e.getValue("message"));
      }
      out.println("log: " + audit.getValue("log"));
      if (t.isEmpty()) {
        out.println("no entries");
      } else {
        t.print(out);
      }
      return ExitCodes.OK;
    });
  }
}

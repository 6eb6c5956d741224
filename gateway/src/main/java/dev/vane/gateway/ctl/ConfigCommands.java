package dev.vane.gateway.ctl;

import dev.vane.config.edit.ConfigDiff;
import dev.vane.gateway.control.ControlPlane;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The versioned config: get, apply, diff, history, rollback. */
final class ConfigCommands {
  private ConfigCommands() {}

  /** The document serving now, as text, with its ETag ({@code "7.<sha256>"}). */
  record Current(String text, String etag) {
    /** The version number the ETag names, or "?" when it has none. */
    String version() {
      if (etag == null) {
        return "?";
      }
      String v = etag.replace("W/", "").replace("\"", "");
      int dot = v.indexOf('.');
      return dot < 0 ? v : v.substring(0, dot);
    }
  }

  static Current current(AdminClient client) throws CtlException {
    AdminClient.Reply r = client.get("admin/v1/config", "application/yaml");
    if (r.etag() == null) {
      throw new CtlException(ExitCodes.FAILED, "GET /admin/v1/config answered without an ETag");
    }
    return new Current(r.body(), r.etag());
  }

  /**
   * The unified diff from the config serving to {@code next}. The server shows literal bearer tokens as
   * {@code <redacted>}; the local text is redacted the same way, so a token written in the file is never printed and
   * an unchanged one is no difference.
   */
  static String diff(Current cur, String next, Path file) {
    return ConfigDiff.unified(cur.text(), ControlPlane.redact(next), "version " + cur.version(), file.toString());
  }

  static String read(Path file) throws CtlException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      throw new CtlException(ExitCodes.FAILED, "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** A message for a header: printable, no line breaks (the HTTP client refuses those). */
  static String headerSafe(String name, String message) throws CtlException {
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      if (c < 0x20 || c == 0x7f || c > 0xff) {
        throw new CtlException(ExitCodes.USAGE, name + ": expected one line of printable Latin-1 text");
      }
    }
    return message;
  }

  @Command(name = "get", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
      description = "Read a resource.", subcommands = Get.Config.class)
  static final class Get implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @ParentCommand
    Ctl ctl;

    @Override
    public Integer call() {
      spec.commandLine().usage(spec.commandLine().getErr());
      return ExitCodes.USAGE;
    }

    @Command(name = "config", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = "The config serving now (GET /admin/v1/config): the document as YAML (-o yaml, the default), "
            + "or -o json for {version, hash, author, time, message, summary, content}.")
    static final class Config implements Callable<Integer> {
      @Spec
      CommandSpec spec;
      @ParentCommand
      Get get;

      @Override
      public Integer call() {
        Ctl ctl = get.ctl;
        return ctl.run(spec, true, (client, out) -> {
          if (ctl.json()) {
            Print.json(out, client.get("admin/v1/config?format=json", "application/json").json());
          } else {
            Print.text(out, current(client).text());
          }
          return ExitCodes.OK;
        });
      }
    }
  }

  @Command(name = "apply", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
      description = "Replace the config with FILE: shows the diff from the config serving, asks \"Apply? [y/N]\" "
          + "(unless --yes), then PUT /admin/v1/config with If-Match set to the version it read, so a change made "
          + "meanwhile by someone else is refused (exit 4) rather than overwritten. An invalid file changes nothing "
          + "and prints each error as path: message (exit 5).")
  static final class Apply implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @ParentCommand
    Ctl ctl;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "the new config (YAML)")
    Path file;

    @Option(names = "--message", paramLabel = "M", description = "why, recorded with the version and in the audit log")
    String message;

    @Option(names = {"-y", "--yes"}, description = "apply without asking")
    boolean yes;

    @Override
    public Integer call() {
      return ctl.run(spec, false, (client, out) -> {
        String next = read(file);
        Map<String, String> headers = new LinkedHashMap<>();
        if (message != null) {
          headers.put("X-Vane-Message", headerSafe("--message", message));
        }
        Current cur = current(client);
        String diff = diff(cur, next, file);
        if (diff.isEmpty()) {
          out.println("no changes: " + file + " is the config serving (version " + cur.version() + ")");
          return ExitCodes.OK;
        }
        PrintWriter shown = ctl.json() ? spec.commandLine().getErr() : out;
        Print.text(shown, diff);
        if (!yes && !confirm(shown)) {
          spec.commandLine().getErr().println("vane ctl: not applied");
          return ExitCodes.FAILED;
        }
        headers.put("If-Match", cur.etag());
        JsonObject w = client.put("admin/v1/config", next, "application/yaml; charset=utf-8", headers).json();
        Print.written(ctl, out, w);
        return ExitCodes.OK;
      });
    }

    /** Asks on {@code out}, reads one line of standard input; yes for {@code y} or {@code yes}. */
    private static boolean confirm(PrintWriter out) throws CtlException {
      out.print("Apply? [y/N] ");
      out.flush();
      try {
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        String a = line == null ? "" : line.strip().toLowerCase(Locale.ROOT);
        return a.equals("y") || a.equals("yes");
      } catch (IOException e) {
        throw new CtlException(ExitCodes.FAILED, "cannot read the answer from standard input");
      }
    }
  }

  @Command(name = "diff", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
      description = "A unified diff from the config serving to FILE, computed here; changes nothing. Prints nothing "
          + "when they are equal.")
  static final class Diff implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @ParentCommand
    Ctl ctl;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "the config to compare")
    Path file;

    @Override
    public Integer call() {
      return ctl.run(spec, false, (client, out) -> {
        String next = read(file);
        Current cur = current(client);
        String diff = diff(cur, next, file);
        if (ctl.json()) {
          Print.json(out, new JsonObject().put("from", cur.version()).put("to", file.toString()).put("diff", diff));
        } else {
          Print.text(out, diff);
        }
        return ExitCodes.OK;
      });
    }
  }

  @Command(name = "history", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
      description = "Config versions, newest first (GET /admin/v1/config/history); * marks the one applied.")
  static final class History implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @ParentCommand
    Ctl ctl;

    @Option(names = "--limit", paramLabel = "N", description = "at most N versions (server default 50)")
    Integer limit;

    @Override
    public Integer call() {
      return ctl.run(spec, false, (client, out) -> {
        JsonObject h = client.get("admin/v1/config/history" + (limit == null ? "" : "?limit=" + limit),
            "application/json").json();
        if (ctl.json()) {
          Print.json(out, h);
          return ExitCodes.OK;
        }
        Object applied = h.getValue("applied");
        out.println("applied: version " + applied + " (store: " + h.getValue("store") + ")");
        Table t = new Table("VERSION", "TIME", "AUTHOR", "MESSAGE", "SUMMARY");
        for (Object o : h.getJsonArray("versions", new JsonArray())) {
          JsonObject v = (JsonObject) o;
          boolean isApplied = applied != null && String.valueOf(applied).equals(String.valueOf(v.getValue("version")));
          t.row(v.getValue("version") + (isApplied ? " *" : ""), v.getValue("time"), v.getValue("author"),
              v.getValue("message"), v.getValue("summary"));
        }
        t.print(out);
        return ExitCodes.OK;
      });
    }
  }

  @Command(name = "rollback", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
      description = "Make an earlier config version current again, as a new version (POST /admin/v1/config/rollback).")
  static final class Rollback implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @ParentCommand
    Ctl ctl;

    @Option(names = "--to", required = true, paramLabel = "N", description = "the version to go back to")
    long to;

    @Option(names = "--message", paramLabel = "M", description = "why, recorded with the version and in the audit log")
    String message;

    @Override
    public Integer call() {
      return ctl.run(spec, false, (client, out) -> {
        JsonObject body = new JsonObject().put("version", to);
        if (message != null) {
          body.put("message", message);
        }
        Print.written(ctl, out, client.post("admin/v1/config/rollback", body).json());
        return ExitCodes.OK;
      });
    }
  }
}

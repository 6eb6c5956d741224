package dev.vane.gateway.ctl;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code vane ctl}: the operator's command line over the admin API. Its options apply to every subcommand and may be
 * given before or after the subcommand's name. The token is read from {@code --token-file} or {@code VANE_TOKEN} and
 * only ever sent in the {@code Authorization} header, never printed.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true,
    description = "Operate a running gateway through its admin API: status, config versions, experiment operations, "
        + "rollouts, results and the audit log.",
    footer = ExitCodes.HELP,
    subcommands = {StatusCommand.class, ConfigCommands.Get.class, ConfigCommands.Apply.class,
        ConfigCommands.Diff.class, ConfigCommands.History.class, ConfigCommands.Rollback.class,
        ExperimentCommands.Ramp.class, ExperimentCommands.Pause.class, ExperimentCommands.Resume.class,
        ExperimentCommands.Promote.class, ExperimentCommands.Results.class, RolloutCommands.Rollout.class,
        AuditCommand.class})
public final class Ctl implements Callable<Integer> {
  static final String DEFAULT_URL = "http://127.0.0.1:9090";

  @Spec
  CommandSpec spec;

  @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
      defaultValue = "${env:VANE_ADMIN_URL:-" + DEFAULT_URL + "}",
      description = "the admin API (default: $VANE_ADMIN_URL, else " + DEFAULT_URL + ")")
  String url;

  @Option(names = "--token-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "a file holding the bearer token (default: $VANE_TOKEN; none: send no token)")
  Path tokenFile;

  @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT", defaultValue = "table",
      description = "table (for people, the default) or json (the server's JSON, for scripts); get config also "
          + "takes yaml")
  String output;

  @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "DURATION", defaultValue = "10s",
      converter = DurationConverter.class,
      description = "connect and request timeout, such as 10s or 500ms (default ${DEFAULT-VALUE})")
  Duration timeout;

  /** Without a subcommand: the usage, on stderr, as a usage error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  /** One step of a command, which may fail with a {@link CtlException}. */
  interface Action {
    int run(AdminClient client, PrintWriter out) throws CtlException;
  }

  /**
   * Runs {@code action} for the subcommand {@code sub}: builds the client from the options, prints a failure as
   * {@code vane ctl: <message>} with its details on stderr, and returns the exit code.
   *
   * @param allowYaml whether {@code -o yaml} means something to this subcommand
   */
  int run(CommandSpec sub, boolean allowYaml, Action action) {
    PrintWriter out = sub.commandLine().getOut();
    PrintWriter err = sub.commandLine().getErr();
    if (!output.equals("table") && !output.equals("json") && !(allowYaml && output.equals("yaml"))) {
      throw new ParameterException(sub.commandLine(), "-o: " + output + " (expected: table or json"
          + (allowYaml ? " or yaml" : "") + ")");
    }
    try {
      return action.run(client(), out);
    } catch (CtlException e) {
      err.println("vane ctl: " + e.getMessage());
      e.details().forEach(d -> err.println("  " + d));
      return e.exitCode();
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** Whether {@code -o json} was asked for. */
  boolean json() {
    return "json".equals(output);
  }

  /** Whether {@code -o} was given (the default is table; {@code get config} then prints YAML). */
  String output() {
    return output;
  }

  private AdminClient client() throws CtlException {
    URI base;
    try {
      base = new URI(url.endsWith("/") ? url : url + "/");
    } catch (URISyntaxException e) {
      throw new CtlException(ExitCodes.USAGE, "--url: not a URL (" + e.getReason() + ")");
    }
    if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme()) || base.getHost() == null) {
      throw new CtlException(ExitCodes.USAGE, "--url: expected http://host:port or https://host:port");
    }
    return new AdminClient(base, token(), timeout);
  }

  /** The token from {@code --token-file}, else {@code VANE_TOKEN}, else null; checked, never echoed. */
  private String token() throws CtlException {
    String token;
    String from;
    if (tokenFile != null) {
      from = "--token-file " + tokenFile;
      try {
        token = Files.readString(tokenFile).strip();
      } catch (IOException | RuntimeException e) {
        throw new CtlException(ExitCodes.FAILED, "cannot read the token file " + tokenFile + " ("
            + e.getClass().getSimpleName() + ")");
      }
      if (token.isEmpty()) {
        throw new CtlException(ExitCodes.FAILED, "the token file " + tokenFile + " is empty");
      }
    } else {
      from = "VANE_TOKEN";
      token = System.getenv("VANE_TOKEN");
      if (token == null || token.isBlank()) {
        return null;
      }
      token = token.strip();
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new CtlException(ExitCodes.FAILED, "the token from " + from
            + " holds white space or a character outside printable ASCII; not sent");
      }
    }
    return token;
  }

  /** {@code 10s}, {@code 500ms}, {@code 2m}, or a number of seconds; at least 1 ms. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(java.util.Locale.ROOT);
      Duration d;
      try {
        if (v.endsWith("ms")) {
          d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        } else if (v.endsWith("s")) {
          d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
        } else if (v.endsWith("m")) {
          d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
        } else {
          d = Duration.ofSeconds(Long.parseLong(v));
        }
      } catch (NumberFormatException e) {
        throw new CommandLine.TypeConversionException(value + " (expected: a duration such as 10s or 500ms)");
      }
      if (d.toMillis() < 1) {
        throw new CommandLine.TypeConversionException(value + " (expected: at least 1ms)");
      }
      return d;
    }
  }
}

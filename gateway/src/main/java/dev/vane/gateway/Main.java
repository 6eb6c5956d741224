package dev.vane.gateway;

import dev.vane.config.ConfigException;
import dev.vane.config.ConfigLoader;
import dev.vane.config.Redaction;
import dev.vane.config.VaneConfig;
import dev.vane.gateway.control.Startup;
import dev.vane.gateway.ctl.Ctl;
import dev.vane.gateway.logs.LogFormat;
import dev.vane.gateway.logs.LogSetup;
import dev.vane.gateway.runtime.Stores;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The {@code vane} command line. */
@Command(name = "vane", mixinStandardHelpOptions = true, version = "vane 0.1.0",
    description = "Experimentation and traffic-routing gateway for ML inference.",
    subcommands = {Main.Serve.class, Main.Validate.class, Main.DemoCommand.class, Ctl.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Main.class);

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Run the gateway with a YAML config; the file is watched and valid changes apply live.")
  static final class Serve implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, description = "config file (YAML)")
    Path config;

    @Option(names = "--log-format", paramLabel = "text|json", converter = LogFormatConverter.class,
        description = "log lines as text or one JSON object per line (default: observability.logs.format, else text)")
    LogFormat logFormat;

    @Override
    public Integer call() throws Exception {
      if (logFormat != null) {
        logs(logFormat); // before the config is read, so what that logs is in the format asked for too
      }
      ConfigLoader loader = new ConfigLoader();
      Startup startup;
      try {
        startup = Startup.prepare(config, loader);
      } catch (ConfigException e) {
        spec.commandLine().getErr().println(e.getMessage());
        return 2;
      } catch (IOException e) {
        spec.commandLine().getErr().println("vane: cannot read " + config + ": " + Redaction.text(e.toString()));
        return 2;
      }
      VaneConfig cfg = startup.config();
      if (logFormat == null) {
        logs(cfg.observability().logs().json() ? LogFormat.JSON : LogFormat.TEXT);
      }
      Gateway g;
      try {
        g = Gateway.start(cfg, Stores::forConfig).await();
      } catch (Exception e) {
        // a port in use, a transport that does not load here: say why in one line, not a stack trace
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof IOException) {
          why += " (listening on " + cfg.server().host() + ":" + cfg.server().port() + ")";
        }
        // the message may carry a URI with its password (Lettuce echoes a Redis URI it cannot parse)
        spec.commandLine().getErr().println("vane: could not start: " + Redaction.text(why));
        return 1;
      }
      g.attach(startup.store(), startup.audit(), loader, startup.bootstrap(), startup.runningHash(),
              startup.runningDocument())
          .whenComplete((v, t) -> {
            if (t != null) {
              log.warn("the config store is not reachable now; the admin API's config endpoints answer 503 until "
                  + "it is: {}", Redaction.text(String.valueOf(t.getMessage())));
            }
            g.startRollouts(config.resolveSibling(config.getFileName() + ".rollouts.json"));
          });
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        g.close();
        LogSetup.stop(LogSetup.context()); // the access log's queue written out
        stop.countDown();
      }, "vane-shutdown"));
      stop.await();
      return 0;
    }

    /** Every log line in {@code format}, and the access log's way out (its lines are on when the config says so). */
    private static void logs(LogFormat format) {
      LogSetup.console(LogSetup.context(), format);
      LogSetup.accessLog(LogSetup.context(), format);
    }
  }

  /** {@code text} or {@code json}, in any case. */
  static final class LogFormatConverter implements CommandLine.ITypeConverter<LogFormat> {
    @Override
    public LogFormat convert(String value) {
      try {
        return LogFormat.of(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  @Command(name = "validate", mixinStandardHelpOptions = true,
      description = "Check a config file; prints every error with its path and exits non-zero when invalid.")
  static final class Validate implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "config file (YAML)")
    Path file;

    @Override
    public Integer call() {
      // the same code as startup and hot reload: every problem, even a bug in the loader, is a ConfigException
      try {
        VaneConfig cfg = Startup.load(file, new ConfigLoader());
        spec.commandLine().getOut().printf("%s: valid (version %s): %d endpoint(s), %d route(s), %d experiment(s)%n",
            file, cfg.version(), cfg.endpoints().size(), cfg.routing().routes().size(),
            cfg.routing().experiments().size());
        spec.commandLine().getOut().flush();
        return 0;
      } catch (ConfigException e) {
        spec.commandLine().getErr().println(e.getMessage());
        spec.commandLine().getErr().flush();
        return 1;
      }
    }
  }

  @Command(name = "demo", mixinStandardHelpOptions = true,
      description = "Start the gateway with simulated model servers in-process, drive synthetic users through it, "
          + "print where traffic went, then keep serving.")
  static final class DemoCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "8080", description = "gateway port (0 = any free port; default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--admin-port", defaultValue = "-1",
        description = "admin API port (default 9090, or any free port with --port 0)")
    int adminPort;

    @Option(names = "--users", defaultValue = "2000", description = "synthetic users (default ${DEFAULT-VALUE})")
    int users;

    @Option(names = "--requests-per-user", defaultValue = "5", description = "requests per user (default ${DEFAULT-VALUE})")
    int requestsPerUser;

    @Option(names = "--exit", description = "exit after the report instead of serving")
    boolean exit;

    @Override
    public Integer call() throws Exception {
      return new Demo(port, adminPort, users, requestsPerUser).run(exit);
    }
  }
}

package io.tailshard.common.service;

import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.Components;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.config.ConfigNode;
import io.tailshard.common.config.Durations;
import io.tailshard.common.logging.Logging;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The command line shared by both tiers. A tier's {@code main} passes its {@link Tier} and the
 * arguments to {@link #run}:
 *
 * <pre>
 *   --config FILE              Collector-style YAML (default: the tier's embedded config)
 *   --validate                 load and check the config, print "config OK: FILE", bind nothing
 *   --shutdown-timeout DUR     grace period for a graceful stop on SIGTERM (default 30s)
 *   --help, --version
 * </pre>
 *
 * Exit codes: {@value #EXIT_OK} ok, {@value #EXIT_CONFIG} config error (or a failed start, such as
 * a port in use), {@value #EXIT_USAGE} usage error. On SIGTERM the node is marked not ready, the
 * service shut down within the grace period, and the process exits.
 */
public final class TierMain {
  public static final int EXIT_OK = 0;
  public static final int EXIT_CONFIG = 1;
  public static final int EXIT_USAGE = 2;
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);


  /** Parsed command line. {@code config} is null for the embedded default. */
  record Options(Path config, boolean validate, boolean help, boolean version, Duration shutdownTimeout) {}

  /** A command line that cannot be run; the message says why. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message, null, false, false);
    }
  }

  private TierMain() {}

  // No static Logger: creating one would fix the JVM's LogManager before run() chooses it.
  private static Logger log() {
    return Logger.getLogger("tailshard.service");
  }

  /**
   * Runs a tier as a process: serves until SIGTERM, or exits with the code of {@link #execute}.
   * The tier is asked for only after logging is prepared, so that nothing its components do when
   * created can choose the log manager first.
   */
  public static void run(Supplier<Tier> tier, String[] args) {
    Logging.useShutdownSafeLogManager();
    int code = execute(tier.get(), args, System.out, System.err);
    if (code != EXIT_OK) {
      System.exit(code);
    }
    // EXIT_OK: a command that printed and finished, or a served node whose shutdown hook is
    // completing the JVM's exit; either way returning from main is all that is left.
  }

  /**
   * Runs a command line and returns its exit code instead of exiting, so tests can call it.
   * Serving blocks the calling thread until the node has been stopped by the shutdown hook.
   */
  public static int execute(Tier tier, String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = parseArgs(args);
    } catch (UsageException e) {
      err.println(tier.name() + ": " + e.getMessage());
      err.println("Run with --help to see the options.");
      return EXIT_USAGE;
    }
    if (options.help()) {
      out.print(help(tier));
      return EXIT_OK;
    }
    if (options.version()) {
      out.println("tailshard " + tier.name() + " " + Version.current());
      return EXIT_OK;
    }

    String source = options.config() == null ? "classpath:" + tier.defaultConfigResource() : options.config().toString();
    ServiceConfig config;
    try {
      config = load(tier, options.config());
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return EXIT_CONFIG;
    }
    if (options.validate()) {
      out.println("config OK: " + source);
      return EXIT_OK;
    }
    return serve(tier, config, options.shutdownTimeout());
  }

  /** Loads and checks a config file, or the tier's embedded one when {@code file} is null. */
  public static ServiceConfig load(Tier tier, Path file) {
    ConfigLoader loader = new ConfigLoader();
    ConfigNode root = file == null ? loader.loadResource(tier.defaultConfigResource()) : loader.load(file);
    return ServiceConfig.parse(root, tier.components());
  }

  static Options parseArgs(String[] args) throws UsageException {
    Path config = null;
    boolean validate = false;
    boolean help = false;
    boolean version = false;
    Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        value = arg.substring(eq + 1);
        arg = arg.substring(0, eq);
      }
      switch (arg) {
        case "--config":
          if (config != null) {
            throw new UsageException("--config is given twice; one config file is read");
          }
          value = value != null ? value : next(args, ++i, "--config", "FILE");
          if (value.isBlank()) {
            throw new UsageException("--config needs a file name");
          }
          config = Path.of(value);
          break;
        case "--shutdown-timeout":
          value = value != null ? value : next(args, ++i, "--shutdown-timeout", "DURATION");
          try {
            shutdownTimeout = Durations.parse(value);
          } catch (IllegalArgumentException e) {
            throw new UsageException("--shutdown-timeout: " + e.getMessage());
          }
          break;
        case "--validate":
        case "validate": // the Collector's form: otelcol validate --config=FILE
          validate = true;
          break;
        case "--help":
        case "-h":
          help = true;
          break;
        case "--version":
          version = true;
          break;
        default:
          throw new UsageException("unknown option '" + args[i] + "'");
      }
      if (value != null && (arg.equals("--validate") || arg.equals("--help") || arg.equals("--version"))) {
        throw new UsageException(arg + " takes no value");
      }
    }
    return new Options(config, validate, help, version, shutdownTimeout);
  }

  private static String next(String[] args, int i, String option, String what) throws UsageException {
    if (i >= args.length || args[i].startsWith("--")) {
      throw new UsageException(option + " needs a " + what);
    }
    return args[i];
  }

  static String help(Tier tier) {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: ").append(tier.name()).append(" [--config FILE] [--validate] [--shutdown-timeout DURATION]\n");
    sb.append("       ").append(tier.name()).append(" --help | --version\n\n");
    sb.append("tailshard ").append(tier.name()).append(": ").append(tier.description()).append("\n\n");
    sb.append("Options:\n");
    sb.append("  --config FILE              OpenTelemetry Collector-style YAML config; default: the embedded\n");
    sb.append("                             classpath:").append(tier.defaultConfigResource()).append('\n');
    sb.append("  --validate                 load and check the config, print \"config OK: FILE\" and exit;\n");
    sb.append("                             binds no port (also accepted: validate)\n");
    sb.append("  --shutdown-timeout DUR     grace period of a graceful stop on SIGTERM (default ")
        .append(Durations.format(DEFAULT_SHUTDOWN_TIMEOUT)).append(")\n");
    sb.append("  --help, -h                 print this text\n");
    sb.append("  --version                  print the version\n\n");
    sb.append("Exit codes: 0 ok, 1 config error or failed start, 2 usage error.\n\n");
    sb.append("Component types in this tier:\n");
    Components c = tier.components();
    for (ComponentKind kind : ComponentKind.values()) {
      String built = c.allowedTypes(kind);
      sb.append(String.format("  %-12s %s%n", kind.section() + ":", built));
      Map<String, String> planned = c.notBuiltTypes(kind);
      if (!planned.isEmpty()) {
        sb.append(String.format("  %-12s not built yet: %s%n", "", String.join(", ", planned.keySet())));
      }
    }
    return sb.toString();
  }

  private static int serve(Tier tier, ServiceConfig config, Duration grace) {
    Logging.install(config.telemetry().logLevel());
    RunningTier node;
    try {
      node = RunningTier.start(tier, config).toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      log().log(Level.SEVERE, Logging.kv("start failed", "tier", tier.name(), "cause", e.getCause().getMessage()), e.getCause());
      return EXIT_CONFIG;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return EXIT_CONFIG;
    }
    log().info(
        Logging.kv(
            "started", "tier", tier.name(), "config", config.source(), "pipelines", config.describePipelines(),
            "endpoints", String.join(", ", node.endpoints())));

    CountDownLatch stoppedLatch = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log().info(Logging.kv("stopping", "tier", tier.name(), "grace", Durations.format(grace)));
                  try {
                    // The hook must outlast the stop, or the JVM halts mid-flush; a little slack
                    // past the grace lets the stop report its own timeout first.
                    node.stop(grace).toCompletionStage().toCompletableFuture().get(grace.toMillis() + 5_000, TimeUnit.MILLISECONDS);
                    log().info(Logging.kv("stopped", "tier", tier.name()));
                  } catch (ExecutionException | TimeoutException e) {
                    log().warning(Logging.kv("stopped with errors", "tier", tier.name(), "cause", String.valueOf(e.getCause())));
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } finally {
                    stoppedLatch.countDown();
                  }
                },
                "tailshard-service-shutdown"));
    try {
      stoppedLatch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return EXIT_OK;
  }
}

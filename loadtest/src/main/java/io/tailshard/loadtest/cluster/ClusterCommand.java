package io.tailshard.loadtest.cluster;

import io.tailshard.common.config.ConfigException;
import io.tailshard.loadtest.cli.CommandLine;
import io.tailshard.loadtest.cli.CommandLine.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code loadtest.jar cluster}: runs a scenario on a local cluster of separate JVMs on loopback
 * (lb-tier and sampling-tier nodes, a DNS server for the sampling tier's name, the sink, the
 * generator), prints a live line every second and ends with the verdict. Exit code 0 when the
 * verdict passes, 1 when it does not, 2 on bad usage or a bad scenario.
 */
public final class ClusterCommand {
  private ClusterCommand() {}

  static CommandLine commandLine() {
    return new CommandLine("cluster",
        "Run a scenario (YAML; see docs/loadtest.md) on a local cluster: N lb-tier and M sampling-tier\n"
            + "nodes as separate JVMs on 127.x.1.k and 127.x.2.k, a DNS server answering the sampling tier's\n"
            + "A records, the sink and the generator on 127.x.3.1. Prints a live line every second, writes\n"
            + "nodes-timeseries.csv, cluster-result.json, report.html and summary.md into --out, and ends\n"
            + "with the verdict. Everything stays on loopback and stops by itself at a hard bound.")
        .option("scenario", "FILE", null, "the scenario file (required)")
        .option("out", "DIR", "target/cluster", "run directory (an earlier cluster run there is replaced)")
        .option("lb-jar", "FILE", null, "lb-tier.jar (default: lb-tier/target/lb-tier.jar of this build)")
        .option("sampling-jar", "FILE", null,
            "sampling-tier.jar (default: sampling-tier/target/sampling-tier.jar of this build)")
        .option("java", "FILE", null, "java executable for every process (default: the one running this)")
        .option("address-prefix", "127.N", "127.0", "loopback block: lb on 127.N.1.k, sampling on 127.N.2.k")
        .option("otlp-port", "PORT", "4317", "OTLP/gRPC port of every node and of the sink")
        .option("http-port", "PORT", "4318", "OTLP/HTTP port of the lb nodes")
        .option("metrics-port", "PORT", "8888", "self-metrics port of every node")
        .option("health-port", "PORT", "13133", "health check port of every node")
        .flag("no-report", "do not write report.html and summary.md");
  }

  public static int run(String[] args) {
    return run(args, System.out, System.err);
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cli = commandLine();
    ClusterOptions options;
    try {
      CommandLine.Values v = cli.parse(args);
      if (v.helpRequested()) {
        out.print(cli.help());
        return 0;
      }
      options = options(v);
    } catch (UsageException e) {
      err.println(e.getMessage());
      return 2;
    } catch (ConfigException e) {
      err.println("cluster: scenario: " + e.getMessage());
      return 2;
    }
    try {
      return new ClusterRun(options, out).run();
    } catch (IOException e) {
      err.println("cluster: " + e.getMessage());
      return 1;
    }
  }

  static ClusterOptions options(CommandLine.Values v) throws UsageException {
    String scenarioName = v.string("scenario");
    if (scenarioName == null) {
      throw new UsageException("cluster: --scenario FILE is required (for example loadtest/scenarios/demo.yaml)");
    }
    Path scenarioFile = Path.of(scenarioName);
    if (!Files.isRegularFile(scenarioFile)) {
      throw new UsageException("cluster: no scenario file " + scenarioFile);
    }
    Scenario scenario = Scenario.load(scenarioFile);
    Layout layout;
    try {
      layout = new Layout(v.string("address-prefix"), v.intValue("otlp-port", 1, 65535),
          v.intValue("http-port", 1, 65535), v.intValue("metrics-port", 1, 65535), v.intValue("health-port", 1, 65535));
    } catch (IllegalArgumentException e) {
      throw new UsageException("cluster: " + e.getMessage());
    }
    String java = v.string("java") != null ? v.string("java")
        : Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ClusterOptions(scenario, scenarioFile, Path.of(v.string("out")).toAbsolutePath(),
        jar(v, "lb-jar", "lb-tier"), jar(v, "sampling-jar", "sampling-tier"), java,
        System.getProperty("java.class.path"), ClusterOptions.DEFAULT_TOOL_JVM_OPTIONS, layout, !v.flag("no-report"));
  }

  /** The given jar, else the tier module's jar in the same build as this tool, else under the working directory. */
  private static Path jar(CommandLine.Values v, String option, String module) throws UsageException {
    if (v.string(option) != null) {
      Path p = Path.of(v.string(option)).toAbsolutePath();
      if (!Files.isRegularFile(p)) {
        throw new UsageException("cluster: --" + option + " " + p + " does not exist");
      }
      return p;
    }
    List<Path> tried = defaultJars(module);
    for (Path p : tried) {
      if (Files.isRegularFile(p)) {
        return p.toAbsolutePath().normalize();
      }
    }
    throw new UsageException("cluster: " + module + ".jar not found (looked at " + tried
        + "); build it: mvn -B -q package -DskipTests, or give --" + option);
  }

  /**
   * Where a tier's jar is in this build: {@code <repo>/<module>/target/<module>.jar}, the repo found
   * from this tool's own location ({@code <repo>/loadtest/target/loadtest.jar} or
   * {@code <repo>/loadtest/target/classes}), then the same path under the working directory.
   */
  static List<Path> defaultJars(String module) {
    List<Path> out = new ArrayList<>();
    try {
      Path self = Path.of(ClusterCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path target = self.getParent();
      if (target != null && target.getFileName() != null && target.getFileName().toString().equals("target")
          && target.getParent() != null && target.getParent().getParent() != null) {
        out.add(target.getParent().getParent().resolve(module).resolve("target").resolve(module + ".jar"));
      }
    } catch (URISyntaxException | RuntimeException e) {
      // No usable code source (an unusual class loader): the working directory is the fallback.
    }
    out.add(Path.of(module, "target", module + ".jar").toAbsolutePath());
    return out;
  }
}

package io.tailshard.loadtest.generate;

import io.tailshard.common.config.Durations;
import io.tailshard.loadtest.cli.CommandLine;
import io.tailshard.loadtest.cli.CommandLine.UsageException;
import io.tailshard.loadtest.truth.GroundTruthFiles;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code loadtest.jar generate}: sends OTLP traces at a target span rate to one or more endpoints,
 * spreads each trace's spans over seconds, requests and connections, sends late spans, and writes
 * the ground truth of everything the receivers accepted into the run directory. Exit code 0 when
 * every span was accepted, 1 when some were not (or the run had to be cut short), 2 on bad usage.
 */
public final class GenerateCommand {
  private GenerateCommand() {}

  static CommandLine commandLine() {
    return new CommandLine("generate",
        "Send OTLP traces at a set rate and write the ground truth (" + GroundTruthFiles.TRUTH + ", "
            + GroundTruthFiles.SPANMETRICS + ", " + GroundTruthFiles.GENERATE_TIMESERIES + ", "
            + GroundTruthFiles.GENERATE_SUMMARY + ").\n"
            + "Distributions: 8 | 2..20 (uniform) | exp:8 | normal:10,3 | lognormal:20,1 (median, sigma).\n"
            + "Durations: 500ms, 10s, 1m. Load stays on the given endpoints and stops by itself.")
        .option("endpoint", "HOST:PORT[,...]", null,
            "OTLP endpoints; connections are spread over them (default 127.0.0.1:4317, or :4318 for http)")
        .option("protocol", "P", "grpc", "grpc | http/protobuf | http/json")
        .option("compression", "C", "none", "none | gzip")
        .option("rate", "SPANS_PER_S", "1000", "target rate in spans per second")
        .option("rate-steps", "AT:RATE[,...]", null,
            "load steps: from AT after the start on, RATE spans/s (e.g. 30s:5000,60s:2000)")
        .option("duration", "D", "10s", "how long new traces are started")
        .option("traces", "N", "0", "stop starting traces after N (0: only --duration limits)")
        .option("connections", "N", "4", "connections in total (each service of a trace keeps one)")
        .option("workers", "N", "1", "event-loop threads driving the connections")
        .option("max-inflight", "N", "16", "requests in flight per connection (http: 1)")
        .option("batch-spans", "N", "512", "spans per request at most")
        .option("batch-interval", "D", "200ms", "a connection's open batch is sent when this old")
        .option("timeout", "D", "5s", "request timeout")
        .option("services", "N", "5", "services (one resource each)")
        .option("operations", "N", "4", "span names per service")
        .option("spans-per-trace", "DIST", "2..20", "spans per trace")
        .option("depth", "N", "4", "levels of the span tree at most")
        .option("attributes", "N", "4", "attributes per span")
        .option("attribute-size", "BYTES", "16", "bytes per attribute value")
        .option("error-ratio", "R", "0.05", "share of traces with one ERROR span")
        .option("span-duration", "DIST", "lognormal:20,1", "span duration in milliseconds")
        .option("trace-spread", "D", "2s", "a trace's spans are sent over this long, the root last")
        .option("late-ratio", "R", "0", "share of traces that get late spans")
        .option("late-delay", "D", "5s", "late spans follow the rest of their trace after this long")
        .option("late-spans", "N", "1", "late spans per such trace")
        .option("drain-timeout", "D", "30s", "after the last span is due, wait this long for answers")
        .option("seed", "N", null, "random seed (default: random, printed in the summary)")
        .option("out", "DIR", "loadtest-out", "run directory for the ground truth and series")
        .flag("quiet", "no per-second lines");
  }

  public static int run(String[] args) {
    CommandLine cli = commandLine();
    GeneratorOptions options;
    try {
      CommandLine.Values v = cli.parse(args);
      if (v.helpRequested()) {
        System.out.print(cli.help());
        return 0;
      }
      options = options(v);
    } catch (UsageException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    try {
      GenerateSummary summary = execute(options, System.out);
      return summary.clean() ? 0 : 1;
    } catch (IOException e) {
      System.err.println("generate: " + e.getMessage());
      return 1;
    }
  }

  /**
   * Checks generate options without running anything, as {@code cluster} does for its scenario's
   * {@code generate} block: null when they are valid, else the usage message (naming the option).
   */
  public static String check(List<String> args) {
    try {
      options(commandLine().parse(args.toArray(new String[0])));
      return null;
    } catch (UsageException e) {
      return e.getMessage();
    }
  }

  static GeneratorOptions options(CommandLine.Values v) throws UsageException {
    GeneratorOptions.Protocol protocol =
        GeneratorOptions.Protocol.of(v.oneOf("protocol", "grpc", "http/protobuf", "http/json"));
    List<String> endpoints = v.list("endpoint");
    if (endpoints.isEmpty()) {
      endpoints = List.of(protocol == GeneratorOptions.Protocol.GRPC ? "127.0.0.1:4317" : "127.0.0.1:4318");
    }
    int connections = v.intValue("connections", 1, 4096);
    if (connections < endpoints.size()) {
      throw new UsageException("generate: --connections " + connections + " is fewer than the "
          + endpoints.size() + " endpoints");
    }
    int maxInflight = v.intValue("max-inflight", 1, 10_000);
    if (protocol != GeneratorOptions.Protocol.GRPC) {
      // HTTP/1.1 without pipelining carries one request at a time on a connection.
      maxInflight = 1;
    }
    long seed = v.has("seed") ? v.longValue("seed", Long.MIN_VALUE, Long.MAX_VALUE)
        : ThreadLocalRandom.current().nextLong();
    return new GeneratorOptions(
        endpoints,
        protocol,
        v.oneOf("compression", "none", "gzip").equals("gzip"),
        v.doubleValue("rate", 0.001, 1e9),
        rateSteps(v),
        v.duration("duration"),
        v.longValue("traces", 0, Long.MAX_VALUE),
        connections,
        v.intValue("workers", 1, 256),
        maxInflight,
        v.intValue("batch-spans", 1, 1_000_000),
        v.duration("batch-interval"),
        v.duration("timeout"),
        v.intValue("services", 1, 10_000),
        v.intValue("operations", 1, 10_000),
        distribution(v, "spans-per-trace"),
        v.intValue("depth", 1, 1000),
        v.intValue("attributes", 0, 1000),
        v.intValue("attribute-size", 0, 1 << 20),
        v.doubleValue("error-ratio", 0, 1),
        distribution(v, "span-duration"),
        v.duration("trace-spread"),
        v.doubleValue("late-ratio", 0, 1),
        v.duration("late-delay"),
        v.intValue("late-spans", 0, GeneratorOptions.MAX_SPANS_PER_TRACE),
        v.duration("drain-timeout"),
        seed,
        Path.of(v.string("out")),
        v.flag("quiet"));
  }

  private static List<GeneratorOptions.RateStep> rateSteps(CommandLine.Values v) throws UsageException {
    List<GeneratorOptions.RateStep> steps = new ArrayList<>();
    for (String part : v.list("rate-steps")) {
      int colon = part.indexOf(':');
      try {
        Duration at = Durations.parse(part.substring(0, colon));
        double rate = Double.parseDouble(part.substring(colon + 1));
        if (!(rate >= 0.001 && rate <= 1e9)) {
          throw new IllegalArgumentException("rate " + rate);
        }
        if (!steps.isEmpty() && at.compareTo(steps.get(steps.size() - 1).at()) <= 0) {
          throw new IllegalArgumentException("steps must be in increasing time order");
        }
        steps.add(new GeneratorOptions.RateStep(at, rate));
      } catch (RuntimeException e) {
        throw new UsageException("generate: --rate-steps expects AT:RATE[,AT:RATE...] such as 30s:5000,60s:2000, "
            + "found '" + part + "' (" + e.getMessage() + ")");
      }
    }
    return steps;
  }

  private static Distribution distribution(CommandLine.Values v, String name) throws UsageException {
    try {
      return Distribution.parse(v.string(name));
    } catch (IllegalArgumentException e) {
      throw new UsageException("generate: --" + name + ": " + e.getMessage());
    }
  }

  /** Runs the load with its own Vert.x, writes the run directory, prints the end line. */
  static GenerateSummary execute(GeneratorOptions o, PrintStream log) throws IOException {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(o.workers()).setWorkerPoolSize(1));
    try {
      List<Transport> transports = new ArrayList<>();
      for (int i = 0; i < o.connections(); i++) {
        // A fresh event-loop context per connection: contexts are handed out round-robin over the
        // event loops, so connections spread over the workers and each stays on one thread.
        Context context = ((VertxInternal) vertx).createEventLoopContext();
        String endpoint = o.endpoints().get(i % o.endpoints().size());
        transports.add(o.protocol() == GeneratorOptions.Protocol.GRPC
            ? new GrpcTransport(vertx, context, endpoint, o.gzip(), o.timeout())
            : new HttpTransport(vertx, context, endpoint,
                o.protocol() == GeneratorOptions.Protocol.HTTP_JSON ? "application/json" : "application/x-protobuf",
                o.gzip(), o.timeout()));
      }
      GenerateSummary summary = new Generator(o, transports, log).run();
      GroundTruthFiles.writeAtomically(o.out().resolve(GroundTruthFiles.GENERATE_SUMMARY),
          summary.toJson().encodePrettily());
      log.printf("generate done: %d traces, %d of %d spans accepted (%d failed) in %.1fs; target %.0f spans/s, "
              + "achieved %.0f, steady %.0f; latency p50 %s p99 %s ms; %s%n",
          summary.traces(), summary.spansAccepted(), summary.spansOffered(), summary.spansFailed(),
          summary.runSeconds(), o.rate(), summary.achievedRate(), summary.steadyRate(),
          Generator.ms(summary.latencyMicros(), 50), Generator.ms(summary.latencyMicros(), 99),
          summary.forcedStop() ? "CUT SHORT after --drain-timeout" : "ground truth in " + o.out());
      if (summary.lastError() != null) {
        log.println("generate: last error: " + summary.lastError());
      }
      return summary;
    } finally {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.println("generate: closing Vert.x: " + e);
      }
    }
  }
}

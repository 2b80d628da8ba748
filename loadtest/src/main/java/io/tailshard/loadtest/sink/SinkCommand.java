package io.tailshard.loadtest.sink;

import io.tailshard.loadtest.cli.CommandLine;
import io.tailshard.loadtest.cli.CommandLine.UsageException;
import io.tailshard.loadtest.truth.GroundTruthFiles;
import io.tailshard.loadtest.truth.ProbabilisticRule;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code loadtest.jar sink}: an OTLP receiver for traces and metrics that judges what it received
 * against a generator's ground truth. Exit code 0 when every criterion of {@link Verdict} holds,
 * 1 when one does not (or the sink could not run), 2 on bad usage.
 */
public final class SinkCommand {
  private SinkCommand() {}

  static CommandLine commandLine() {
    return new CommandLine("sink",
        "Receive OTLP traces and metrics (gRPC and HTTP) and judge them against the ground truth in\n"
            + "--truth DIR. Prints a live line every second; stops at --duration, or --settle after the\n"
            + "generator's " + GroundTruthFiles.GENERATE_SUMMARY + " appears; writes " + GroundTruthFiles.SINK_RESULT
            + " and " + GroundTruthFiles.SINK_TIMESERIES + ".\n"
            + "Exit code 0 when every criterion holds, 1 otherwise.")
        .option("grpc", "HOST:PORT", "127.0.0.1:4317", "OTLP/gRPC listener (port 0: any free port; 'off': none)")
        .option("http", "HOST:PORT", "127.0.0.1:4318", "OTLP/HTTP listener (port 0: any free port; 'off': none)")
        .option("truth", "DIR", null, "the generator's run directory (ground truth)")
        .option("out", "DIR", "loadtest-out", "where the result and series go")
        .option("duration", "D", "5m", "stop after this long at the latest")
        .option("settle", "D", "5s", "after the generator finished, wait this long for the last spans")
        .option("sampling-percentage", "P", "100",
            "the probabilistic policy's percentage for non-error traces (100: all must arrive)")
        .option("hash-salt", "S", ProbabilisticRule.DEFAULT_SALT, "the probabilistic policy's hash_salt")
        .flag("exact-rule", "also require exactly the traces the probabilistic rule selects")
        .flag("check-spanmetrics", "compare received span metrics with the expectation (deviation must be 0)")
        .option("metrics-namespace", "NS", "traces.span.metrics", "span metrics name prefix")
        .option("max-message-size", "BYTES", String.valueOf(64 << 20), "largest request accepted")
        .flag("quiet", "no per-second lines");
  }

  public static int run(String[] args) {
    CommandLine cli = commandLine();
    SinkOptions options;
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
    try (Sink sink = Sink.start(options, System.out)) {
      // On SIGTERM or Ctrl-C the sink still judges and writes its result before the JVM exits.
      CountDownLatch judged = new CountDownLatch(1);
      Thread hook = new Thread(() -> {
        sink.requestStop();
        try {
          judged.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "tailshard-loadtest-sink-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        return sink.runUntilDone().pass() ? 0 : 1;
      } finally {
        judged.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
          // The hook is running; it returns now that the verdict is written.
        }
      }
    } catch (IOException e) {
      System.err.println(e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  static SinkOptions options(CommandLine.Values v) throws UsageException {
    SocketAddress grpc = address(v, "grpc");
    SocketAddress http = address(v, "http");
    if (grpc == null && http == null) {
      throw new UsageException("sink: --grpc and --http are both off; nothing would arrive");
    }
    return new SinkOptions(
        grpc,
        http,
        v.string("truth") == null ? null : Path.of(v.string("truth")),
        Path.of(v.string("out")),
        v.duration("duration"),
        v.duration("settle"),
        v.doubleValue("sampling-percentage", 0, 100),
        v.string("hash-salt"),
        v.flag("exact-rule"),
        v.flag("check-spanmetrics"),
        v.string("metrics-namespace"),
        v.longValue("max-message-size", 1024, Integer.MAX_VALUE),
        v.flag("quiet"));
  }

  private static SocketAddress address(CommandLine.Values v, String name) throws UsageException {
    String s = v.string(name);
    if (s.equals("off")) {
      return null;
    }
    int colon = s.lastIndexOf(':');
    if (colon <= 0) {
      throw new UsageException("sink: --" + name + " expects HOST:PORT, found '" + s + "'");
    }
    try {
      return SocketAddress.inetSocketAddress(Integer.parseInt(s.substring(colon + 1)), s.substring(0, colon));
    } catch (IllegalArgumentException e) {
      throw new UsageException("sink: --" + name + " expects HOST:PORT, found '" + s + "'");
    }
  }
}

package io.tailshard.loadtest;

import io.tailshard.loadtest.bench.BenchCommand;
import io.tailshard.loadtest.cluster.ClusterCommand;
import io.tailshard.loadtest.generate.GenerateCommand;
import io.tailshard.loadtest.report.ReportCommand;
import io.tailshard.loadtest.sink.SinkCommand;
import java.util.List;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * The loadtest subcommands: name, runner and a one-line description. The main class dispatches
 * through this list and prints it for {@code --help}; each runner takes the arguments after the
 * command name, prints its own {@code --help}, and returns the process exit code.
 */
public final class Commands {
  /** One subcommand. {@code runner} returns the exit code (0 success, 1 failed verdict or run, 2 usage). */
  public record Command(String name, ToIntFunction<String[]> runner, String description) {}

  private static final List<Command> ALL = List.of(
      new Command("generate", GenerateCommand::run,
          "send OTLP traces at a set rate, spread over time, with late spans; write the ground truth"),
      new Command("sink", SinkCommand::run,
          "receive OTLP traces and metrics and judge them against the ground truth (exit 1 on a failed verdict)"),
      new Command("cluster", ClusterCommand::run,
          "run a scenario on a local cluster of lb and sampling nodes on loopback; live view, verdict, report"),
      new Command("report", ReportCommand::run,
          "write a self-contained HTML report and a Markdown summary from generate/sink output"),
      new Command("bench", BenchCommand::run,
          "run the JMH micro-benchmarks packaged in this jar"));

  private Commands() {}

  /** Every command, in the order help lists them. */
  public static List<Command> all() {
    return ALL;
  }

  public static Optional<Command> find(String name) {
    return ALL.stream().filter(c -> c.name().equals(name)).findFirst();
  }
}

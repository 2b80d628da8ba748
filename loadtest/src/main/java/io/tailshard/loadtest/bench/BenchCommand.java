package io.tailshard.loadtest.bench;

import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@code loadtest.jar bench [PATTERN] [JMH options]}: runs the JMH benchmarks packaged in the
 * loadtest jar (all of them, or those matching PATTERN), passing any further options to JMH
 * ({@code -wi}, {@code -i}, {@code -f}, {@code -prof gc}, ...).
 */
public final class BenchCommand {
  private BenchCommand() {}

  public static int run(String[] args) {
    List<String> jmhArgs = new ArrayList<>(List.of(args));
    System.out.printf("request shape: %d spans, %.0f bytes per span%n",
        WireCodecBenchmark.SPANS, WireCodecBenchmark.bytesPerSpan());
    try {
      CommandLineOptions cli = new CommandLineOptions(jmhArgs.toArray(new String[0]));
      Options options = new OptionsBuilder().parent(cli).build();
      new Runner(options).run();
      return 0;
    } catch (CommandLineOptionException e) {
      System.err.println("bench: " + e.getMessage());
      return 2;
    } catch (RunnerException e) {
      System.err.println("bench failed: " + e.getMessage());
      return 1;
    }
  }
}

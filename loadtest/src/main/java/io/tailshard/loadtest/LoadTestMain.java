package io.tailshard.loadtest;

import io.tailshard.common.service.Version;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The load-test tool's command line: {@code loadtest.jar COMMAND [OPTIONS]}, dispatched through
 * {@link Commands}. Each command prints its own {@code --help}.
 */
public final class LoadTestMain {
  static final int EXIT_OK = 0;
  static final int EXIT_USAGE = 2;

  private LoadTestMain() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    // Commands may leave non-daemon threads (Vert.x) behind; the exit code is the answer.
    System.exit(code);
  }

  /** Runs a command line and returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.print(usage());
      return EXIT_USAGE;
    }
    String name = args[0];
    switch (name) {
      case "--help":
      case "-h":
      case "help":
        out.print(usage());
        return EXIT_OK;
      case "--version":
        out.println("tailshard loadtest " + Version.current());
        return EXIT_OK;
      default:
        return Commands.find(name)
            .map(c -> c.runner().applyAsInt(Arrays.copyOfRange(args, 1, args.length)))
            .orElseGet(() -> {
              err.println("loadtest: unknown command '" + name + "'; commands: "
                  + Commands.all().stream().map(Commands.Command::name).collect(Collectors.joining(", ")));
              return EXIT_USAGE;
            });
    }
  }

  static String usage() {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: loadtest COMMAND [OPTIONS]    (COMMAND --help for its options)\n");
    sb.append("       loadtest --help | --version\n\nCommands:\n");
    Commands.all().forEach(c -> sb.append(String.format("  %-10s %s%n", c.name(), c.description())));
    sb.append("\nExit codes: 0 ok, 1 failed run or verdict, 2 usage error.\n");
    return sb.toString();
  }
}

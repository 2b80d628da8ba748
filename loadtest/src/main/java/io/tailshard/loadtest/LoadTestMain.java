package io.tailshard.loadtest;

import io.tailshard.common.service.Version;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The load-test tool's command line. Its commands are being built one by one; until a command
 * exists, naming it says so and exits {@value #EXIT_USAGE} rather than pretending to run.
 */
public final class LoadTestMain {
  static final int EXIT_OK = 0;
  static final int EXIT_USAGE = 2;

  /** Every command this tool will have, with what it will do; none is built yet. */
  static final Map<String, String> PLANNED = new LinkedHashMap<>();

  static {
    PLANNED.put("generate", "send OTLP traces at a set rate, recording the ground truth of every trace");
    PLANNED.put("sink", "an OTLP backend that receives kept traces and checks them against the ground truth");
    PLANNED.put("cluster", "start a local cluster (lb-tier and sampling nodes on 127.0.0.x) and drive it");
    PLANNED.put("report", "turn recorded runs into a report (throughput, split traces, latency)");
  }

  private LoadTestMain() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != EXIT_OK) {
      System.exit(code);
    }
  }

  /** Runs a command line and returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.print(usage());
      return EXIT_USAGE;
    }
    String command = args[0];
    switch (command) {
      case "--help":
      case "-h":
      case "help":
        out.print(usage());
        return EXIT_OK;
      case "--version":
        out.println("tailshard loadtest " + Version.current());
        return EXIT_OK;
      default:
        if (PLANNED.containsKey(command)) {
          err.println("loadtest: the '" + command + "' command is not built yet; no command of this tool is built yet.");
          return EXIT_USAGE;
        }
        err.println("loadtest: unknown command '" + command + "'; commands: " + String.join(", ", PLANNED.keySet()));
        return EXIT_USAGE;
    }
  }

  static String usage() {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: loadtest COMMAND [OPTIONS]\n");
    sb.append("       loadtest --help | --version\n\n");
    sb.append("Commands (planned; none is built yet, each exits 2 until it is):\n");
    PLANNED.forEach((name, what) -> sb.append(String.format("  %-10s %s%n", name, what)));
    sb.append("\nExit codes: 0 ok, 2 usage error or a command that is not built yet.\n");
    return sb.toString();
  }
}

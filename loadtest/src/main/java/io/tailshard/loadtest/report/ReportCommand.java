package io.tailshard.loadtest.report;

import io.tailshard.loadtest.cli.CommandLine;
import io.tailshard.loadtest.cli.CommandLine.UsageException;
import io.tailshard.loadtest.truth.GroundTruthFiles;
import io.vertx.core.json.JsonArray;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code loadtest.jar report}: reads a run directory (the generator's and the sink's output, and
 * {@code nodes-timeseries.csv} from {@code cluster} when present) and writes a self-contained HTML
 * report and a Markdown summary. Exit code 0 when both were written, 1 when the directory holds no
 * run or a file could not be written, 2 on bad usage.
 */
public final class ReportCommand {
  private ReportCommand() {}

  static CommandLine commandLine() {
    return new CommandLine("report",
        "Write a self-contained HTML report (charts inline, opens offline) and a Markdown summary for\n"
            + "docs/benchmarks.md from a run directory: " + GroundTruthFiles.GENERATE_SUMMARY + ", "
            + GroundTruthFiles.GENERATE_TIMESERIES + ", " + GroundTruthFiles.SINK_RESULT + ", "
            + GroundTruthFiles.SINK_TIMESERIES + ", and " + GroundTruthFiles.NODES_TIMESERIES + "\n"
            + "(t_s,unix_ms,process,role,spans_per_s,backlog,cpu_seconds) when present. Series are lined up by unix_ms.")
        .option("in", "DIR", "loadtest-out", "the run directory")
        .option("nodes", "FILE", null, "per-process series (default DIR/" + GroundTruthFiles.NODES_TIMESERIES + ")")
        .option("html", "FILE", null, "HTML output (default DIR/report.html)")
        .option("markdown", "FILE", null, "Markdown output (default DIR/summary.md)")
        .option("title", "TEXT", "tailshard load test", "report title");
  }

  public static int run(String[] args) {
    CommandLine cli = commandLine();
    CommandLine.Values v;
    try {
      v = cli.parse(args);
      if (v.helpRequested()) {
        System.out.print(cli.help());
        return 0;
      }
    } catch (UsageException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    Path dir = Path.of(v.string("in"));
    Path nodes = v.string("nodes") != null ? Path.of(v.string("nodes")) : dir.resolve(GroundTruthFiles.NODES_TIMESERIES);
    Path html = v.string("html") != null ? Path.of(v.string("html")) : dir.resolve("report.html");
    Path markdown = v.string("markdown") != null ? Path.of(v.string("markdown")) : dir.resolve("summary.md");
    String title = v.string("title");
    try {
      RunData data = RunData.load(dir, nodes);
      if (data.empty()) {
        System.err.println("report: no generate or sink output in " + dir);
        return 1;
      }
      JsonArray charts = Charts.build(data);
      write(html, HtmlReport.render(title, data, charts));
      write(markdown, MarkdownSummary.render(title, data));
      System.out.println("report: wrote " + html + " and " + markdown);
      return 0;
    } catch (IOException | RuntimeException e) {
      System.err.println("report: " + e.getMessage());
      return 1;
    }
  }

  private static void write(Path file, String text) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}

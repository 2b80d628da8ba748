package io.tailshard.loadtest.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.loadtest.truth.GroundTruthFiles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {
  @TempDir
  Path dir;

  private void writeRun() throws Exception {
    Files.writeString(dir.resolve(GroundTruthFiles.GENERATE_TIMESERIES),
        "t_s,unix_ms,target_spans_per_s,offered_spans_per_s,accepted_spans_per_s,failed_spans_per_s,requests_per_s,"
            + "inflight_requests,backlog_spans,latency_p50_ms,latency_p90_ms,latency_p99_ms,latency_max_ms,cpu_seconds\n"
            + "1,1700000003000,1000,980,950,0,20,2,0,1.5,2.5,4.25,9,0.4\n"
            + "2,1700000004000,1000,1010,1004,0,21,1,12,1.25,2,3.5,7,0.7\n"
            + "3,1700000005000,1000,0,55,0,2,0,0,,,,,0.8\n");
    Files.writeString(dir.resolve(GroundTruthFiles.SINK_TIMESERIES),
        "t_s,unix_ms,spans_per_s,requests_per_s,spans_total,duplicates_total,traces_seen,traces_with_truth,"
            + "traces_complete,age_p50_ms,age_p99_ms,cpu_seconds\n"
            + "1,1700000001000,900,30,900,0,90,80,70,400,900,0.2\n"
            + "2,1700000002000,1100,33,2000,0,200,190,185,410,950,0.3\n");
    Files.writeString(dir.resolve(GroundTruthFiles.NODES_TIMESERIES),
        "t_s,process,role,spans_per_s,backlog,cpu_seconds\n"
            + "1,lb-1,lb,1000,0,0.5\n1,sampling-1,sampling,600,40,0.6\n"
            + "2,lb-1,lb,1000,0,1.0\n2,sampling-1,sampling,700,10,1.1\n");
    Files.writeString(dir.resolve(GroundTruthFiles.GENERATE_SUMMARY), new JsonObject()
        .put("protocol", "grpc").put("endpoints", new JsonArray().add("127.0.0.1:4317")).put("connections", 4)
        .put("target_spans_per_s", 1000.0).put("achieved_spans_per_s", 987.5).put("steady_spans_per_s", 1004)
        .put("traces", 200).put("spans_accepted", 2009).put("spans_failed", 0).put("creation_seconds", 2.0)
        .put("latency_ms", new JsonObject().put("p50", 1.3).put("p99", 4.0).put("max", 9.0))
        .put("cpu_seconds_per_million_spans", 398.2).encode());
    Files.writeString(dir.resolve(GroundTruthFiles.SINK_RESULT), new JsonObject()
        .put("pass", false)
        .put("criteria", new JsonArray()
            .add(new JsonObject().put("name", "error traces kept").put("measured", "100%").put("required", "100%").put("pass", true))
            .add(new JsonObject().put("name", "kept traces complete").put("measured", "99.5%").put("required", "100%")
                .put("pass", false)))
        .put("error_traces_kept_pct", 100.0).put("kept_traces_complete_pct", 99.5).put("duplicates", 0)
        .put("spans_lost", 1).put("cpu_seconds_per_million_spans", 150.0)
        .put("probabilistic", new JsonObject().put("observed_fraction", 0.2).put("expected_fraction", 0.2)
            .put("interval_low", 0.18).put("interval_high", 0.22))
        .encode());
  }

  @Test
  void writesASelfContainedHtmlWithTheChartDataAndAMarkdownSummary() throws Exception {
    writeRun();
    assertEquals(0, ReportCommand.run(new String[] {"--in", dir.toString(), "--title", "unit run"}));
    String html = Files.readString(dir.resolve("report.html"));
    assertTrue(html.contains("Chart.js v4"), "Chart.js inlined");
    assertFalse(Pattern.compile("<script[^>]+src=").matcher(html).find(), "no external scripts");
    assertFalse(html.contains("http://") && html.contains("src=\"http"), "nothing fetched");

    Matcher m = Pattern.compile("<script id=\"report-data\" type=\"application/json\">(.*?)</script>", Pattern.DOTALL)
        .matcher(html);
    assertTrue(m.find());
    JsonObject data = new JsonObject(m.group(1).replace("<\\/", "</"));
    JsonArray charts = data.getJsonArray("charts");
    assertEquals(7, charts.size());
    JsonObject throughput = charts.getJsonObject(0);
    assertEquals("throughput", throughput.getString("id"));
    JsonObject accepted = throughput.getJsonArray("series").getJsonObject(2);
    assertEquals("accepted (generate)", accepted.getString("label"));
    assertEquals(1004.0, accepted.getJsonArray("points").getJsonArray(1).getDouble(1));
    // The sink started two seconds before the generator: the generator's second 2 is at 4 s.
    assertEquals(4.0, accepted.getJsonArray("points").getJsonArray(1).getDouble(0));
    JsonObject received = throughput.getJsonArray("series").getJsonObject(4);
    assertEquals(1.0, received.getJsonArray("points").getJsonArray(0).getDouble(0));
    JsonObject latency = charts.getJsonObject(1);
    assertEquals(4.25, latency.getJsonArray("series").getJsonObject(2).getJsonArray("points").getJsonArray(0).getDouble(1));
    assertEquals(null, latency.getJsonArray("series").getJsonObject(2).getJsonArray("points").getJsonArray(2).getValue(1),
        "an empty cell is a gap");
    JsonObject cpu = charts.getJsonObject(4);
    assertEquals(new JsonArray().add("generate").add("sink").add("lb-1").add("sampling-1"), cpu.getJsonArray("labels"));
    // sampling-1: 1.1 CPU-s over 1300 spans.
    assertEquals(1.1 / (1300 / 1e6), cpu.getJsonArray("values").getDouble(3), 1e-6);
    assertTrue(html.contains("class=\"fail\">FAIL"));

    String md = Files.readString(dir.resolve("summary.md"));
    assertTrue(md.startsWith("## unit run"), md);
    assertTrue(md.contains("Verdict: **FAIL**"), md);
    assertTrue(md.contains("| kept traces complete | 99.5% | 100% | **FAIL** |"), md);
    assertTrue(md.contains("| steady rate (spans/s, median second) | 1004 |"), md);
    assertTrue(md.contains("| ingest latency p50 / p99 / max (ms) | 1.3 / 4 / 9 |"), md);
    assertTrue(md.contains("| sampling-1 CPU-s per 1M spans | 846 |"), md);
  }

  @Test
  void anEmptyDirectoryIsAnError() {
    assertEquals(1, ReportCommand.run(new String[] {"--in", dir.toString()}));
  }
}

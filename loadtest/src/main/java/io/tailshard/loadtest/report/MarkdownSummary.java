package io.tailshard.loadtest.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Markdown summary of a run, shaped to be pasted into {@code docs/benchmarks.md}: the verdict
 * with its criteria, then the key numbers (rates, latency, retention, completeness, CPU per million
 * spans per process). The HTML report shows the same key numbers.
 */
final class MarkdownSummary {
  private MarkdownSummary() {}

  static String render(String title, RunData d) {
    StringBuilder md = new StringBuilder();
    md.append("## ").append(title).append("\n\n");
    JsonObject g = d.generateSummary();
    if (!g.isEmpty()) {
      JsonObject shape = g.getJsonObject("shape", new JsonObject());
      md.append(String.format("Load: %s to %s over %d connection(s), target %s spans/s for %.0f s; "
              + "%s spans per trace, %s services, error ratio %s, trace spread %s ms, late ratio %s.%n%n",
          g.getString("protocol", "?"), String.join(", ", strings(g.getJsonArray("endpoints", new JsonArray()))),
          g.getInteger("connections", 0), num(g.getValue("target_spans_per_s")),
          g.getDouble("creation_seconds", 0.0), num(shape.getValue("spans_per_trace")), num(shape.getValue("services")),
          num(shape.getValue("error_ratio")), num(shape.getValue("trace_spread_ms")), num(shape.getValue("late_ratio"))));
    }
    JsonObject cluster = d.clusterResult();
    if (!cluster.isEmpty()) {
      md.append(clusterLine(cluster)).append("\n\n");
    }
    JsonObject sink = d.sinkResult();
    // A cluster run's checks hold the sink's criteria and its own; otherwise the sink's alone.
    JsonObject judged = cluster.containsKey("checks") ? cluster : sink;
    if (!judged.isEmpty()) {
      md.append(judged == cluster ? "Cluster verdict: **" : "Verdict: **")
          .append(judged.getBoolean("pass", false) ? "PASS" : "FAIL").append("**\n\n");
      md.append("| criterion | measured | required | |\n|---|---|---|---|\n");
      JsonArray criteria = judged.getJsonArray(judged == cluster ? "checks" : "criteria", new JsonArray());
      for (int i = 0; i < criteria.size(); i++) {
        JsonObject c = criteria.getJsonObject(i);
        md.append("| ").append(cell(c.getString("name"))).append(" | ").append(cell(c.getString("measured")))
            .append(" | ").append(cell(c.getString("required"))).append(" | ")
            .append(c.getBoolean("pass", false) ? "ok" : "**FAIL**").append(" |\n");
      }
      md.append('\n');
    }
    List<String[]> events = events(d);
    if (!events.isEmpty()) {
      md.append("| at (s from the load's start) | event |\n|---|---|\n");
      for (String[] e : events) {
        md.append("| ").append(cell(e[0])).append(" | ").append(cell(e[1])).append(" |\n");
      }
      md.append('\n');
    }
    md.append("| measure | value |\n|---|---|\n");
    for (String[] row : keyNumbers(d)) {
      md.append("| ").append(cell(row[0])).append(" | ").append(cell(row[1])).append(" |\n");
    }
    return md.toString();
  }

  /** The numbers both the HTML and the Markdown show, as (name, value) rows; absent parts are left out. */
  static List<String[]> keyNumbers(RunData d) {
    List<String[]> rows = new ArrayList<>();
    JsonObject g = d.generateSummary();
    if (!g.isEmpty()) {
      rows.add(row("target rate (spans/s)", num(g.getValue("target_spans_per_s"))));
      rows.add(row("achieved rate (spans/s)", num(g.getValue("achieved_spans_per_s"))));
      rows.add(row("steady rate (spans/s, median second)", num(g.getValue("steady_spans_per_s"))));
      rows.add(row("traces / spans accepted", g.getValue("traces") + " / " + g.getValue("spans_accepted")));
      rows.add(row("spans failed", String.valueOf(g.getValue("spans_failed"))));
      JsonObject lat = g.getJsonObject("latency_ms", new JsonObject());
      rows.add(row("ingest latency p50 / p99 / max (ms)",
          num(lat.getValue("p50")) + " / " + num(lat.getValue("p99")) + " / " + num(lat.getValue("max"))));
      rows.add(row("generator CPU-s per 1M spans", num(g.getValue("cpu_seconds_per_million_spans"))));
    }
    JsonObject s = d.sinkResult();
    if (!s.isEmpty()) {
      rows.add(row("error traces kept (%)", num(s.getValue("error_traces_kept_pct"))));
      rows.add(row("kept traces complete (%)", num(s.getValue("kept_traces_complete_pct"))));
      JsonObject p = s.getJsonObject("probabilistic", new JsonObject());
      rows.add(row("probabilistic kept fraction (expected, 3-sigma)", num(p.getValue("observed_fraction"))
          + " (" + num(p.getValue("expected_fraction")) + ", [" + num(p.getValue("interval_low")) + ", "
          + num(p.getValue("interval_high")) + "])"));
      rows.add(row("duplicates", String.valueOf(s.getValue("duplicates"))));
      rows.add(row("spans lost", String.valueOf(s.getValue("spans_lost"))));
      JsonObject sm = s.getJsonObject("spanmetrics", new JsonObject());
      rows.add(row("spanmetrics deviation", sm.getBoolean("checked", false) ? num(sm.getValue("deviation")) : "not checked"));
      rows.add(row("traces split over requests / connections",
          s.getValue("traces_split_over_requests") + " / " + s.getValue("traces_split_over_connections")));
      rows.add(row("sink CPU-s per 1M spans", num(s.getValue("cpu_seconds_per_million_spans"))));
    }
    JsonObject cluster = d.clusterResult();
    if (cluster.containsKey("tiers")) {
      // The cluster's own figures leave out the warm-up; see its "window".
      JsonObject window = cluster.getJsonObject("window", new JsonObject());
      String after = " (after the first " + num(window.getValue("from_s")) + " s)";
      for (Map.Entry<String, Object> e : cluster.getJsonObject("tiers")) {
        JsonObject t = (JsonObject) e.getValue();
        rows.add(row(e.getKey() + " tier spans/s" + after, num(t.getValue("spans_per_s"))));
        rows.add(row(e.getKey() + " tier CPU-s per 1M spans" + after, num(t.getValue("cpu_seconds_per_million_spans"))));
      }
      for (Map.Entry<String, Object> e : cluster.getJsonObject("processes", new JsonObject())) {
        JsonObject p = (JsonObject) e.getValue();
        rows.add(row(e.getKey() + " spans/s, CPU-s per 1M spans" + after,
            num(p.getValue("spans_per_s")) + ", " + num(p.getValue("cpu_seconds_per_million_spans"))));
      }
      JsonObject la = cluster.getJsonObject("load_average_1m", new JsonObject());
      rows.add(row("machine load average (1 min) at start / end", num(la.getValue("start")) + " / " + num(la.getValue("end"))));
    } else {
      for (Map.Entry<String, double[]> e : Charts.cpuPerMillion(d.nodesSeries()).entrySet()) {
        rows.add(row(e.getKey() + " CPU-s per 1M spans", num(e.getValue()[0])));
      }
    }
    return rows;
  }

  /** A cluster run's events (nodes ready, steps, kills, restarts, DNS answers, stops) as (at, text). */
  static List<String[]> events(RunData d) {
    List<String[]> out = new ArrayList<>();
    JsonArray events = d.clusterResult().getJsonArray("events", new JsonArray());
    for (int i = 0; i < events.size(); i++) {
      JsonObject e = events.getJsonObject(i);
      out.add(new String[] {e.getString("at", ""), e.getString("event", "")});
    }
    return out;
  }

  /** "Cluster: scenario x, 1 lb and 2 sampling nodes, ..." for a cluster run. */
  static String clusterLine(JsonObject c) {
    return String.format("Cluster: scenario `%s`, %s lb and %s sampling node(s) at the start, loadbalancing "
            + "`failing_backends: %s`, `compression: %s`, `sending_queue.batch: %s`, node JVM options `%s`; "
            + "%.0f s in all.",
        c.getString("scenario", "?"), num(c.getValue("lb_nodes")), num(c.getValue("sampling_nodes")),
        c.getString("failing_backends", "?"), c.getString("compression", "?"), c.getString("lb_batch", "none"),
        String.join(" ", strings(c.getJsonArray("jvm_options", new JsonArray()))), c.getDouble("seconds", 0.0));
  }

  private static String[] row(String name, String value) {
    return new String[] {name, value};
  }

  static String num(Object v) {
    if (!(v instanceof Number n)) {
      return v == null ? "n/a" : v.toString();
    }
    double d = n.doubleValue();
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    if (Math.abs(d) >= 100) {
      return String.format("%.0f", d);
    }
    String t = String.format("%.4f", d);
    t = t.replaceAll("0+$", "");
    return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
  }

  private static String cell(String s) {
    return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    for (Object o : a) {
      out.add(String.valueOf(o));
    }
    return out;
  }
}

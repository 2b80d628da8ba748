package io.tailshard.loadtest.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a run's series into chart descriptions (data only; the page's script draws them with
 * Chart.js): throughput, ingest latency percentiles, per-process load, backlog, CPU-seconds per
 * million spans per process, completeness and span age over time.
 */
final class Charts {
  private Charts() {}

  static JsonArray build(RunData d) {
    JsonArray charts = new JsonArray();
    CsvTable g = d.generateSeries();
    CsvTable s = d.sinkSeries();
    CsvTable n = d.nodesSeries();
    // Each command counts seconds from its own start; wall-clock stamps put them on one axis.
    double base = Double.NaN;
    for (CsvTable t : List.of(g, s, n)) {
      if (t.size() > 0 && t.has("unix_ms")) {
        double first = t.number(0, "unix_ms") - 1000 * t.number(0, "t_s");
        base = Double.isNaN(base) ? first : Math.min(base, first);
      }
    }
    g.rebase(base);
    s.rebase(base);
    n.rebase(base);

    JsonArray throughput = new JsonArray();
    addSeries(throughput, "target (generate)", g, "target_spans_per_s");
    addSeries(throughput, "offered (generate)", g, "offered_spans_per_s");
    addSeries(throughput, "accepted (generate)", g, "accepted_spans_per_s");
    addSeries(throughput, "failed (generate)", g, "failed_spans_per_s");
    addSeries(throughput, "received (sink)", s, "spans_per_s");
    charts.add(line("throughput", "Throughput over time", "spans/s", throughput, null));

    JsonArray latency = new JsonArray();
    addSeries(latency, "p50", g, "latency_p50_ms");
    addSeries(latency, "p90", g, "latency_p90_ms");
    addSeries(latency, "p99", g, "latency_p99_ms");
    addSeries(latency, "max", g, "latency_max_ms");
    charts.add(line("latency", "Ingest latency percentiles (generator request round trip)", "ms", latency, null));

    JsonArray load = new JsonArray();
    JsonArray backlog = new JsonArray();
    addSeries(backlog, "generate (queued spans)", g, "backlog_spans");
    String nodesNote = null;
    if (n.size() > 0) {
      for (Map.Entry<String, List<double[]>> e : byProcess(n, "spans_per_s").entrySet()) {
        load.add(series(e.getKey(), e.getValue()));
      }
      for (Map.Entry<String, List<double[]>> e : byProcess(n, "backlog").entrySet()) {
        backlog.add(series(e.getKey(), e.getValue()));
      }
    } else {
      addSeries(load, "generate (accepted)", g, "accepted_spans_per_s");
      addSeries(load, "sink (received)", s, "spans_per_s");
      nodesNote = "No per-node series in this run (the cluster command writes nodes-timeseries.csv); "
          + "showing the generator and the sink.";
    }
    charts.add(line("load", "Per-node load", "spans/s", load, nodesNote));
    charts.add(line("backlog", "Backlog", "items", backlog, n.size() > 0
        ? "generate: spans waiting to be sent; lb nodes: batches in their per-backend queues; "
            + "sampling nodes: undecided traces in their buffers."
        : "Only the generator's queue: node backlogs come from nodes-timeseries.csv."));

    JsonArray labels = new JsonArray();
    JsonArray values = new JsonArray();
    Object gen = d.generateSummary().getValue("cpu_seconds_per_million_spans");
    if (gen instanceof Number x) {
      labels.add("generate");
      values.add(x.doubleValue());
    }
    Object sink = d.sinkResult().getValue("cpu_seconds_per_million_spans");
    if (sink instanceof Number x) {
      labels.add("sink");
      values.add(x.doubleValue());
    }
    String cpuNote = null;
    JsonObject processes = d.clusterResult().getJsonObject("processes");
    if (processes != null) {
      // The cluster's figures leave out the warm-up (JIT compilation, first connections).
      for (Map.Entry<String, Object> e : processes) {
        Object v = ((JsonObject) e.getValue()).getValue("cpu_seconds_per_million_spans");
        if (v instanceof Number x) {
          labels.add(e.getKey());
          values.add(x.doubleValue());
        }
      }
      cpuNote = "Nodes: after the first " + d.clusterResult().getJsonObject("window", new JsonObject()).getValue("from_s")
          + " s of load (cluster-result.json); generate and sink: whole run.";
    } else {
      for (Map.Entry<String, double[]> e : cpuPerMillion(n).entrySet()) {
        labels.add(e.getKey());
        values.add(e.getValue()[0]);
      }
    }
    charts.add(new JsonObject().put("id", "cpu").put("title", "CPU-seconds per million spans, per process")
        .put("type", "bar").put("yLabel", "CPU-s / 1M spans").put("labels", labels).put("values", values)
        .put("note", cpuNote));

    JsonArray completeness = new JsonArray();
    List<double[]> pct = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      double withTruth = s.number(i, "traces_with_truth");
      pct.add(new double[] {s.x(i),
          withTruth > 0 ? 100.0 * s.number(i, "traces_complete") / withTruth : Double.NaN});
    }
    completeness.add(series("traces complete / traces in truth so far (sink)", pct));
    charts.add(line("completeness", "Completeness over time", "%", completeness,
        "Rises to the kept share once every kept trace is whole; dropped traces never complete."));

    JsonArray age = new JsonArray();
    addSeries(age, "p50", s, "age_p50_ms");
    addSeries(age, "p99", s, "age_p99_ms");
    charts.add(line("age", "Span age at the sink (arrival minus span end)", "ms", age,
        "Includes the trace spread and the sampler's decision wait."));
    return charts;
  }

  /** Per process: last cumulative CPU seconds over spans handled (sum of spans/s over the seconds). */
  static Map<String, double[]> cpuPerMillion(CsvTable n) {
    Map<String, double[]> acc = new LinkedHashMap<>();
    for (int i = 0; i < n.size(); i++) {
      double[] a = acc.computeIfAbsent(n.text(i, "process"), k -> new double[2]);
      double spans = n.number(i, "spans_per_s");
      double cpu = n.number(i, "cpu_seconds");
      if (!Double.isNaN(spans)) {
        a[0] += spans;
      }
      if (!Double.isNaN(cpu)) {
        a[1] = Math.max(a[1], cpu);
      }
    }
    Map<String, double[]> out = new LinkedHashMap<>();
    acc.forEach((p, a) -> {
      if (a[0] > 0) {
        out.put(p, new double[] {a[1] / (a[0] / 1e6)});
      }
    });
    return out;
  }

  private static Map<String, List<double[]>> byProcess(CsvTable n, String column) {
    Map<String, List<double[]>> m = new LinkedHashMap<>();
    for (int i = 0; i < n.size(); i++) {
      String p = n.text(i, "process");
      String role = n.text(i, "role");
      m.computeIfAbsent(role.isEmpty() ? p : p + " (" + role + ")", k -> new ArrayList<>())
          .add(new double[] {n.x(i), n.number(i, column)});
    }
    return m;
  }

  private static void addSeries(JsonArray out, String label, CsvTable t, String column) {
    if (!t.has(column) || t.size() == 0) {
      return;
    }
    List<double[]> points = new ArrayList<>();
    for (int i = 0; i < t.size(); i++) {
      points.add(new double[] {t.x(i), t.number(i, column)});
    }
    out.add(series(label, points));
  }

  private static JsonObject series(String label, List<double[]> points) {
    JsonArray data = new JsonArray();
    for (double[] p : points) {
      data.add(new JsonArray().add(p[0]).add(Double.isNaN(p[1]) ? null : p[1]));
    }
    return new JsonObject().put("label", label).put("points", data);
  }

  private static JsonObject line(String id, String title, String yLabel, JsonArray series, String note) {
    return new JsonObject().put("id", id).put("title", title).put("type", "line").put("yLabel", yLabel)
        .put("series", series).put("note", note);
  }
}

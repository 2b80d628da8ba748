package io.tailshard.loadtest.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;

/**
 * A self-contained HTML page: Chart.js's dist file inlined from its WebJar on the classpath, the
 * run's numbers as one inline JSON object, and a short script that draws every chart from it. The
 * page loads nothing from the network, so it can be mailed, archived or opened offline.
 */
final class HtmlReport {
  private static final String WEBJAR = "META-INF/maven/org.webjars.npm/chart.js/pom.properties";

  private HtmlReport() {}

  static String render(String title, RunData d, JsonArray charts) throws IOException {
    JsonObject data = new JsonObject()
        .put("title", title)
        .put("generate", d.generateSummary())
        .put("sink", d.sinkResult())
        .put("charts", charts);
    StringBuilder h = new StringBuilder(400_000);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
        .append(escape(title)).append("</title>\n<style>\n")
        .append("body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}\n")
        .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}\n")
        .append(".pass{color:#1a7f37;font-weight:bold}.fail{color:#cf222e;font-weight:bold}\n")
        .append("section{margin:2em 0}.note{color:#666;font-size:90%}canvas{max-height:360px}\n")
        .append("</style>\n</head><body>\n<h1>").append(escape(title)).append("</h1>\n")
        .append(summaryHtml(d))
        .append("<div id=\"charts\"></div>\n")
        .append("<script>\n").append(inlineSafe(chartJs())).append("\n</script>\n")
        .append("<script id=\"report-data\" type=\"application/json\">")
        .append(inlineSafe(data.encode())).append("</script>\n")
        .append("<script>\n").append(DRAW).append("\n</script>\n</body></html>\n");
    return h.toString();
  }

  private static final String DRAW = String.join("\n",
      "const DATA = JSON.parse(document.getElementById('report-data').textContent);",
      "const COLORS = ['#1f77b4','#ff7f0e','#2ca02c','#d62728','#9467bd','#8c564b','#e377c2','#7f7f7f','#bcbd22','#17becf'];",
      "const root = document.getElementById('charts');",
      "// One time axis for every line chart, so a moment lines up from chart to chart.",
      "const xs = DATA.charts.filter(c => c.type === 'line').flatMap(c => c.series.flatMap(s => s.points.map(p => p[0])));",
      "const xMin = xs.reduce((a, b) => Math.min(a, b), xs.length ? Infinity : 0);",
      "const xMax = xs.reduce((a, b) => Math.max(a, b), xs.length ? -Infinity : 1);",
      "for (const c of DATA.charts) {",
      "  const sec = document.createElement('section');",
      "  const h = document.createElement('h2'); h.textContent = c.title; sec.appendChild(h);",
      "  const canvas = document.createElement('canvas'); canvas.id = 'chart-' + c.id; sec.appendChild(canvas);",
      "  if (c.note) { const p = document.createElement('p'); p.className = 'note'; p.textContent = c.note; sec.appendChild(p); }",
      "  root.appendChild(sec);",
      "  if (c.type === 'bar') {",
      "    new Chart(canvas, {type: 'bar', data: {labels: c.labels, datasets: [{label: c.yLabel, data: c.values,",
      "      backgroundColor: c.labels.map((_, i) => COLORS[i % COLORS.length])}]},",
      "      options: {animation: false, plugins: {legend: {display: false}},",
      "        scales: {y: {beginAtZero: true, title: {display: true, text: c.yLabel}}}}});",
      "  } else {",
      "    new Chart(canvas, {type: 'line', data: {datasets: c.series.map((s, i) => ({label: s.label,",
      "      data: s.points.map(p => ({x: p[0], y: p[1]})), borderColor: COLORS[i % COLORS.length],",
      "      backgroundColor: COLORS[i % COLORS.length], pointRadius: 0, borderWidth: 1.5, spanGaps: false}))},",
      "      options: {animation: false, parsing: false, interaction: {mode: 'nearest', axis: 'x', intersect: false},",
      "        scales: {x: {type: 'linear', min: xMin, max: xMax, title: {display: true, text: 'seconds'}},",
      "                 y: {beginAtZero: true, title: {display: true, text: c.yLabel}}}}});",
      "  }",
      "}");

  private static String summaryHtml(RunData d) {
    StringBuilder h = new StringBuilder();
    JsonObject cluster = d.clusterResult();
    if (!cluster.isEmpty()) {
      h.append("<p>").append(escape(MarkdownSummary.clusterLine(cluster).replace("`", ""))).append("</p>\n");
    }
    JsonObject sink = d.sinkResult();
    // A cluster run's checks hold the sink's criteria and its own; otherwise the sink's alone.
    JsonObject judged = cluster.containsKey("checks") ? cluster : sink;
    if (!judged.isEmpty()) {
      boolean pass = judged.getBoolean("pass", false);
      h.append("<p>").append(judged == cluster ? "Cluster verdict" : "Verdict").append(": <span class=\"")
          .append(pass ? "pass\">PASS" : "fail\">FAIL").append("</span></p>\n");
      h.append("<table><tr><th>criterion</th><th>measured</th><th>required</th><th></th></tr>\n");
      JsonArray criteria = judged.getJsonArray(judged == cluster ? "checks" : "criteria", new JsonArray());
      for (int i = 0; i < criteria.size(); i++) {
        JsonObject c = criteria.getJsonObject(i);
        boolean ok = c.getBoolean("pass", false);
        h.append("<tr><td>").append(escape(c.getString("name"))).append("</td><td>")
            .append(escape(c.getString("measured"))).append("</td><td>").append(escape(c.getString("required")))
            .append("</td><td class=\"").append(ok ? "pass\">ok" : "fail\">FAIL").append("</td></tr>\n");
      }
      h.append("</table>\n");
    }
    List<String[]> events = MarkdownSummary.events(d);
    if (!events.isEmpty()) {
      h.append("<details open><summary>Events of the run (").append(events.size())
          .append(")</summary>\n<table><tr><th>at (s)</th><th>event</th></tr>\n");
      for (String[] e : events) {
        h.append("<tr><td>").append(escape(e[0])).append("</td><td>").append(escape(e[1])).append("</td></tr>\n");
      }
      h.append("</table></details>\n");
    }
    h.append("<table>\n");
    for (String[] row : MarkdownSummary.keyNumbers(d)) {
      h.append("<tr><td>").append(escape(row[0])).append("</td><td>").append(escape(row[1])).append("</td></tr>\n");
    }
    h.append("</table>\n");
    return h.toString();
  }

  /** Chart.js's UMD build from the WebJar (version read from the WebJar's own metadata). */
  static String chartJs() throws IOException {
    ClassLoader cl = HtmlReport.class.getClassLoader();
    Properties p = new Properties();
    try (InputStream in = cl.getResourceAsStream(WEBJAR)) {
      if (in == null) {
        throw new IOException("the Chart.js WebJar is not on the classpath (" + WEBJAR + ")");
      }
      p.load(in);
    }
    String path = "META-INF/resources/webjars/chart.js/" + p.getProperty("version") + "/dist/chart.umd.min.js";
    try (InputStream in = cl.getResourceAsStream(path)) {
      if (in == null) {
        throw new IOException("missing " + path + " in the Chart.js WebJar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Text inside a script element must not close it early; "<\/" means the same in JS and JSON strings. */
  static String inlineSafe(String script) {
    return script.replace("</", "<\\/");
  }

  static String escape(String s) {
    if (s == null) {
      return "";
    }
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}

package io.tailshard.loadtest.cluster;

import io.tailshard.common.ring.TraceIdRing;
import io.tailshard.loadtest.truth.GroundTruthFiles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The verdict of a cluster run: the sink's criteria (error traces kept, kept traces complete, no
 * duplicates, no unknown spans, the probabilistic share, the exact rule) plus the cluster's own
 * checks. Duplicates pass only where a SIGKILL explains them (see {@link #duplicatesAcrossKills}).
 * The cluster's checks: the run completed, the load ran to its end, every backlog drained, and every process
 * ended as asked (SIGTERM: a clean stop; SIGKILL only where the scenario asked for it). All must
 * hold. Written to {@code cluster-result.json} and printed.
 */
final class ClusterVerdict {
  static final String RESULT = "cluster-result.json";

  /** One check: what was measured, what was required, whether it held. */
  record Check(String name, String measured, String required, boolean pass) {}

  private final List<Check> checks;
  private final List<String> info;
  private final JsonObject result;

  private ClusterVerdict(List<Check> checks, List<String> info, JsonObject result) {
    this.checks = List.copyOf(checks);
    this.info = List.copyOf(info);
    this.result = result;
  }

  static ClusterVerdict judge(JsonObject result, Path dir, List<String> problems, List<String> exitProblems) {
    JsonObject sink = readJson(dir.resolve(GroundTruthFiles.SINK_RESULT));
    JsonObject gen = readJson(dir.resolve(GroundTruthFiles.GENERATE_SUMMARY));
    List<Check> checks = new ArrayList<>();
    if (sink.isEmpty()) {
      checks.add(new Check("sink verdict", "no " + GroundTruthFiles.SINK_RESULT, "the sink's judgement", false));
    } else {
      JsonArray criteria = sink.getJsonArray("criteria", new JsonArray());
      for (int i = 0; i < criteria.size(); i++) {
        JsonObject c = criteria.getJsonObject(i);
        Check check = new Check(c.getString("name"), c.getString("measured"), c.getString("required"),
            c.getBoolean("pass", false));
        if (check.name().equals("duplicate spans") && !check.pass()) {
          check = duplicatesAcrossKills(check, sink, result.getJsonArray("kills", new JsonArray()));
        }
        checks.add(check);
      }
    }
    checks.add(new Check("run completed", problems.isEmpty() ? "yes" : String.join("; ", problems), "no problem",
        problems.isEmpty()));
    boolean forced = gen.getBoolean("forced_stop", true);
    checks.add(new Check("load ran to the end", gen.isEmpty() ? "no " + GroundTruthFiles.GENERATE_SUMMARY
        : forced ? "cut short after its drain timeout" : String.format(Locale.ROOT, "%,d spans offered, %,d refused",
            gen.getLong("spans_offered", 0L), gen.getLong("spans_failed", 0L)),
        "the generator finished", !gen.isEmpty() && !forced));
    checks.add(new Check("backlogs drained", result.getBoolean("drained", false)
        ? "lb queues and trace buffers empty at second " + result.getJsonObject("window").getInteger("end_s")
        : "not drained", "empty before the stop", result.getBoolean("drained", false)));
    checks.add(new Check("processes ended as asked", exitProblems.isEmpty() ? exitsSummary(result)
        : String.join("; ", exitProblems), "SIGTERM: clean stop; SIGKILL: only by the scenario", exitProblems.isEmpty()));

    List<String> info = new ArrayList<>();
    if (!gen.isEmpty()) {
      info.add(String.format(Locale.ROOT, "load: %,d traces, %,d spans accepted, %,d failed; steady %s spans/s "
              + "(target %s); ingest latency p99 %s ms", gen.getLong("traces", 0L), gen.getLong("spans_accepted", 0L),
          gen.getLong("spans_failed", 0L), num(gen.getValue("steady_spans_per_s")), num(gen.getValue("target_spans_per_s")),
          num(gen.getJsonObject("latency_ms", new JsonObject()).getValue("p99"))));
    }
    if (!sink.isEmpty()) {
      info.add(String.format(Locale.ROOT, "kept: %,d traces, %,d spans at the sink",
          sink.getLong("kept_traces", 0L), sink.getLong("spans_received", 0L)));
    }
    JsonObject tiers = result.getJsonObject("tiers", new JsonObject());
    JsonObject window = result.getJsonObject("window", new JsonObject());
    for (Map.Entry<String, Object> e : tiers) {
      JsonObject t = (JsonObject) e.getValue();
      info.add(String.format(Locale.ROOT, "%s tier: %s spans/s, %s CPU-s per 1M spans (after the first %ss)",
          e.getKey(), num(t.getValue("spans_per_s")), num(t.getValue("cpu_seconds_per_million_spans")),
          window.getValue("from_s")));
    }
    JsonObject processes = result.getJsonObject("processes", new JsonObject());
    StringBuilder per = new StringBuilder("per process CPU-s per 1M spans:");
    for (Map.Entry<String, Object> e : processes) {
      per.append(' ').append(e.getKey()).append(' ')
          .append(num(((JsonObject) e.getValue()).getValue("cpu_seconds_per_million_spans")));
    }
    if (!gen.isEmpty()) {
      per.append(", generate ").append(num(gen.getValue("cpu_seconds_per_million_spans")));
    }
    if (!sink.isEmpty()) {
      per.append(", sink ").append(num(sink.getValue("cpu_seconds_per_million_spans")));
    }
    info.add(per.toString());
    return new ClusterVerdict(checks, info, result);
  }

  /**
   * Duplicates are allowed in one case only, the one the sampling tier documents: a node killed
   * between handing a kept trace downstream and recording the decision exports it again after its
   * restart (at least once across a crash). So the check passes when every duplicated trace was
   * owned, on the ring of that moment, by a node the scenario SIGKILLed; any other duplicate fails.
   */
  static Check duplicatesAcrossKills(Check sinkCheck, JsonObject sink, JsonArray kills) {
    JsonArray traces = sink.getJsonArray("duplicate_traces", new JsonArray());
    long total = sink.getLong("duplicate_traces_total", -1L);
    if (kills.isEmpty() || total != traces.size()) {
      return sinkCheck;
    }
    List<TraceIdRing> rings = new ArrayList<>();
    List<String> killed = new ArrayList<>();
    for (int k = 0; k < kills.size(); k++) {
      JsonObject kill = kills.getJsonObject(k);
      List<String> ring = new ArrayList<>();
      kill.getJsonArray("ring", new JsonArray()).forEach(e -> ring.add(String.valueOf(e)));
      if (ring.isEmpty()) {
        continue;
      }
      rings.add(TraceIdRing.of(ring));
      killed.add(kill.getString("endpoint"));
    }
    int unexplained = 0;
    for (int i = 0; i < traces.size(); i++) {
      byte[] id = HexFormat.of().parseHex(traces.getJsonObject(i).getString("trace_id"));
      boolean owned = false;
      for (int r = 0; r < rings.size() && !owned; r++) {
        owned = rings.get(r).ownerEndpoint(id, 0).equals(killed.get(r));
      }
      if (!owned) {
        unexplained++;
      }
    }
    String measured = sinkCheck.measured() + " in " + traces.size() + " trace(s); " + (unexplained == 0
        ? "all owned by a node SIGKILLed by the scenario (re-exported after its restart: at least once across a crash)"
        : unexplained + " trace(s) not owned by a killed node");
    return new Check(sinkCheck.name(), measured, "0, or only in traces of a node killed on purpose", unexplained == 0);
  }

  /** "lb-1 SIGTERM, sampling-2 SIGKILL then SIGTERM, ..." from the recorded exits. */
  private static String exitsSummary(JsonObject result) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, Object> e : result.getJsonObject("processes", new JsonObject())) {
      JsonArray exits = ((JsonObject) e.getValue()).getJsonArray("exits", new JsonArray());
      List<String> how = new ArrayList<>();
      for (int i = 0; i < exits.size(); i++) {
        JsonObject x = exits.getJsonObject(i);
        how.add(x.getString("requested").equals("kill") ? "SIGKILL" : x.getString("requested").equals("term")
            ? "SIGTERM" : "exit " + x.getInteger("code"));
      }
      parts.add(e.getKey() + " " + (how.isEmpty() ? "running" : String.join(" then ", how)));
    }
    return String.join(", ", parts);
  }

  boolean pass() {
    return checks.stream().allMatch(Check::pass);
  }

  List<Check> checks() {
    return checks;
  }

  /** Writes {@code cluster-result.json}: the run's figures plus the verdict. */
  void write(Path dir, double seconds, double loadAverageStart, double loadAverageEnd) {
    JsonArray cs = new JsonArray();
    for (Check c : checks) {
      cs.add(new JsonObject().put("name", c.name()).put("measured", c.measured()).put("required", c.required())
          .put("pass", c.pass()));
    }
    JsonObject json = result.copy()
        .put("pass", pass())
        .put("checks", cs)
        .put("info", new JsonArray(info))
        .put("seconds", seconds)
        .put("load_average_1m", new JsonObject()
            .put("start", Double.isNaN(loadAverageStart) ? null : loadAverageStart)
            .put("end", Double.isNaN(loadAverageEnd) ? null : loadAverageEnd));
    try {
      GroundTruthFiles.writeAtomically(dir.resolve(RESULT), json.encodePrettily());
    } catch (IOException e) {
      System.err.println("cluster: writing " + RESULT + ": " + e.getMessage());
    }
  }

  /** The lines printed at the end of a run. */
  String text(double seconds) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "cluster verdict: %s (%s, %.0f s)%n", pass() ? "PASS" : "FAIL",
        result.getString("scenario"), seconds));
    for (Check c : checks) {
      sb.append(String.format(Locale.ROOT, "  %-4s %-28s %s (required %s)%n", c.pass() ? "ok" : "FAIL", c.name(),
          c.measured(), c.required()));
    }
    for (String i : info) {
      sb.append("  info ").append(i).append('\n');
    }
    return sb.toString();
  }

  private static JsonObject readJson(Path file) {
    try {
      return Files.exists(file) ? new JsonObject(Files.readString(file, StandardCharsets.UTF_8)) : new JsonObject();
    } catch (IOException | RuntimeException e) {
      return new JsonObject();
    }
  }

  static String num(Object v) {
    if (!(v instanceof Number n)) {
      return "n/a";
    }
    double d = n.doubleValue();
    return Math.abs(d) >= 100 ? String.format(Locale.ROOT, "%,.0f", d) : String.format(Locale.ROOT, "%.2f", d);
  }
}

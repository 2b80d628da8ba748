package io.tailshard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** deploy/grafana/tailshard.json: valid, on the metric names the tiers expose, with RED per service. */
class GrafanaDashboardTest {
  static final String DASHBOARD = "deploy/grafana/tailshard.json";
  private static final Pattern METRIC = Pattern.compile("\\b((?:otelcol|tailshard|traces_span_metrics)_[a-z0-9_]+)");
  private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{)?([A-Za-z_][A-Za-z0-9_]*)");
  /** How the tiers register metrics (common's MetricRegistry): counter("name", ...), gauge("name", ...). */
  private static final Pattern REGISTERED = Pattern.compile("\\.(counter|counterFn|gauge|histogram)\\(\\s*\"((?:otelcol|tailshard)_[a-z0-9_]+)\"");

  private static JsonNode dashboard() {
    try {
      return new ObjectMapper().readTree(Repo.read(DASHBOARD));
    } catch (IOException e) {
      throw new UncheckedIOException(DASHBOARD + " is not JSON", e);
    }
  }

  private static List<JsonNode> panels(JsonNode d) {
    List<JsonNode> out = new ArrayList<>();
    d.get("panels").forEach(p -> {
      out.add(p);
      if (p.has("panels")) {
        p.get("panels").forEach(out::add);
      }
    });
    return out;
  }

  private static List<String> exprs(JsonNode d) {
    List<String> out = new ArrayList<>();
    for (JsonNode p : panels(d)) {
      if (p.has("targets")) {
        p.get("targets").forEach(t -> out.add(t.get("expr").asText()));
      }
    }
    return out;
  }

  @Test
  void isADashboardWithUniquePanelsOnTheChosenDatasource() {
    JsonNode d = dashboard();
    assertEquals("tailshard-overview", d.get("uid").asText());
    assertFalse(d.get("title").asText().isBlank());
    assertTrue(d.get("schemaVersion").asInt() > 30);
    Set<Integer> ids = new HashSet<>();
    for (JsonNode p : panels(d)) {
      assertTrue(ids.add(p.get("id").asInt()), "panel id used twice: " + p.get("id"));
      assertTrue(p.has("gridPos"), "panel without gridPos: " + p.get("title"));
      if (!p.get("type").asText().equals("row")) {
        assertEquals("${datasource}", p.get("datasource").get("uid").asText(), p.get("title").asText());
        assertTrue(p.has("targets") && p.get("targets").size() > 0, p.get("title") + " has no query");
      }
    }
  }

  @Test
  void queriesUseOnlyDefinedVariables() {
    JsonNode d = dashboard();
    Set<String> defined = new TreeSet<>();
    d.get("templating").get("list").forEach(v -> defined.add(v.get("name").asText()));
    for (String e : exprs(d)) {
      Matcher m = VARIABLE.matcher(e);
      while (m.find()) {
        String v = m.group(1);
        assertTrue(v.startsWith("__") || defined.contains(v), "undefined variable $" + v + " in " + e);
      }
    }
  }

  @Test
  void coversCollectorTailshardAndSpanMetricsWithRedPerService() {
    List<String> exprs = exprs(dashboard());
    Set<String> names = exprs.stream().flatMap(e -> {
      Matcher m = METRIC.matcher(e);
      List<String> n = new ArrayList<>();
      while (m.find()) {
        n.add(m.group(1));
      }
      return n.stream();
    }).collect(Collectors.toCollection(TreeSet::new));
    assertTrue(names.stream().anyMatch(n -> n.startsWith("otelcol_")), names.toString());
    assertTrue(names.stream().anyMatch(n -> n.startsWith("tailshard_")), names.toString());
    // RED: rate, errors, duration percentiles, each per service.
    assertTrue(exprs.stream().anyMatch(e -> e.contains("traces_span_metrics_calls_total") && e.contains("by (service_name)")
        && !e.contains("STATUS_CODE_ERROR")), "rate per service");
    assertTrue(exprs.stream().anyMatch(e -> e.contains("status_code=\"STATUS_CODE_ERROR\"") && e.contains(" / ")), "error ratio per service");
    for (String q : List.of("0.50", "0.95", "0.99")) {
      assertTrue(exprs.stream().anyMatch(e -> e.startsWith("histogram_quantile(" + q)
          && e.contains("traces_span_metrics_duration_milliseconds_bucket") && e.contains("by (le, service_name)")), "p" + q);
    }
  }

  @Test
  void countersAreQueriedWithTotalAndGaugesWithout() throws IOException {
    // The tiers expose a counter registered as `x` as `x_total` (Prometheus text format).
    Set<String> counters = new TreeSet<>();
    Set<String> others = new TreeSet<>();
    try (Stream<Path> files = Files.walk(Repo.ROOT)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")).collect(Collectors.toList())) {
        Matcher m = REGISTERED.matcher(Files.readString(f));
        while (m.find()) {
          (m.group(1).startsWith("counter") ? counters : others).add(m.group(2));
        }
      }
    }
    assertFalse(counters.isEmpty(), "found no registered counters: has MetricRegistry's API changed?");
    for (String e : exprs(dashboard())) {
      for (String c : counters) {
        assertFalse(Pattern.compile("\\b" + c + "(?![a-z0-9_])").matcher(e).find(), "counter " + c + " without _total in " + e);
      }
      for (String g : others) {
        assertFalse(e.contains(g + "_total"), g + " is not a counter: " + e);
      }
    }
  }
}

package io.tailshard.loadtest.report;

import io.tailshard.loadtest.truth.GroundTruthFiles;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a run directory holds, each part optional: the generator's summary and series, the sink's
 * result and series, and what {@code cluster} writes: the per-process series and its result
 * (verdict, checks, per-process and per-tier figures). A missing file reads as empty, so a report
 * can be made from a generator run alone.
 */
record RunData(
    JsonObject generateSummary,
    CsvTable generateSeries,
    JsonObject sinkResult,
    CsvTable sinkSeries,
    CsvTable nodesSeries,
    JsonObject clusterResult) {

  /** What {@code cluster} writes at the end of a run. */
  static final String CLUSTER_RESULT = "cluster-result.json";

  static RunData load(Path dir, Path nodes) throws IOException {
    return new RunData(
        json(dir.resolve(GroundTruthFiles.GENERATE_SUMMARY)),
        csv(dir.resolve(GroundTruthFiles.GENERATE_TIMESERIES)),
        json(dir.resolve(GroundTruthFiles.SINK_RESULT)),
        csv(dir.resolve(GroundTruthFiles.SINK_TIMESERIES)),
        csv(nodes),
        json(dir.resolve(CLUSTER_RESULT)));
  }

  boolean empty() {
    return generateSummary.isEmpty() && sinkResult.isEmpty() && generateSeries.size() == 0
        && sinkSeries.size() == 0;
  }

  private static JsonObject json(Path file) throws IOException {
    return Files.exists(file) ? new JsonObject(Files.readString(file, StandardCharsets.UTF_8)) : new JsonObject();
  }

  private static CsvTable csv(Path file) throws IOException {
    return file != null && Files.exists(file) ? CsvTable.read(file) : CsvTable.empty();
  }
}

package io.tailshard.common.exporter.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.Host;
import io.tailshard.common.component.MetricsData;
import io.tailshard.common.component.MetricsExporter;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesExporter;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.receiver.otlp.OtlpJsonTestCodec;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.testing.Await;
import io.tailshard.common.testing.RandomTraces;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.DataInputStream;
import java.io.EOFException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file exporter writing real files in a temp dir. */
class FileExporterTest {
  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final Telemetry telemetry = Telemetry.forTests("file-test");

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static FileExporterConfig parse(String yaml) {
    return new FileExporterFactory().parseConfig(new ConfigLoader(n -> null).parse("f.yaml", yaml).asMap());
  }

  private TracesExporter exporter(String yaml) {
    return new FileExporterFactory().createTracesExporter(new ComponentSettings(ComponentId.of("file"),
        ComponentKind.EXPORTER, vertx, telemetry, Host.empty()), parse(yaml));
  }

  private static TraceData data(ExportTraceServiceRequest r) {
    int spans = r.getResourceSpansList().stream().flatMap(rs -> rs.getScopeSpansList().stream())
        .mapToInt(ScopeSpans::getSpansCount).sum();
    return new TraceData(r.toByteArray(), spans);
  }

  private static List<ExportTraceServiceRequest> jsonLines(Path file) throws Exception {
    List<ExportTraceServiceRequest> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      byte[] json = line.getBytes(StandardCharsets.UTF_8);
      out.add(ExportTraceServiceRequest.parseFrom(OtlpJsonTestCodec.toProto(json, 0, json.length)));
    }
    return out;
  }

  @Test
  void eachBatchIsOneOtlpJsonLineThatReadsBackAsTheRequest() throws Exception {
    Path file = dir.resolve("traces.json");
    TracesExporter e = exporter("path: " + file);
    Await.result(e.start());
    RandomTraces random = new RandomTraces(9);
    List<ExportTraceServiceRequest> written = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ExportTraceServiceRequest r = random.request(2, 2, 10);
      written.add(r);
      Await.result(e.consumeTraces(data(r)));
      // Acknowledged means in the file already, not at the next flush.
      assertEquals(i + 1, Files.readAllLines(file).size());
    }
    Await.result(e.shutdown());
    assertEquals(written, jsonLines(file));
    assertEquals(written.stream().mapToInt(r -> data(r).spanCount()).sum(), (int) telemetry.metrics().sum("otelcol_exporter_sent_spans"));
  }

  @Test
  void protoFormatWritesEachRequestAfterItsLength() throws Exception {
    Path file = dir.resolve("traces.pb");
    TracesExporter e = exporter("path: " + file + "\nformat: proto");
    Await.result(e.start());
    RandomTraces random = new RandomTraces(10);
    List<ExportTraceServiceRequest> written = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      written.add(random.request(2, 2, 10));
      Await.result(e.consumeTraces(data(written.get(i))));
    }
    Await.result(e.shutdown());
    List<ExportTraceServiceRequest> read = new ArrayList<>();
    try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
      while (true) {
        int len;
        try {
          len = in.readInt();
        } catch (EOFException end) {
          break;
        }
        read.add(ExportTraceServiceRequest.parseFrom(in.readNBytes(len)));
      }
    }
    assertEquals(written, read);
  }

  @Test
  void rotationStartsANewFileAtTheLimitAndKeepsMaxBackups() throws Exception {
    Path file = dir.resolve("traces.json");
    TracesExporter e = exporter("path: " + file + "\nrotation: {max_megabytes: 1, max_backups: 2}");
    Await.result(e.start());
    RandomTraces random = new RandomTraces(11);
    Set<ExportTraceServiceRequest> written = new HashSet<>();
    long bytes = 0;
    while (bytes < (9L << 19)) {
      ExportTraceServiceRequest r = random.request(3, 3, 60);
      written.add(r);
      bytes += r.getSerializedSize() * 2L;
      Await.result(e.consumeTraces(data(r)));
    }
    Await.result(e.shutdown());
    List<Path> backups;
    try (Stream<Path> files = Files.list(dir)) {
      backups = files.filter(p -> !p.equals(file)).sorted().toList();
    }
    assertEquals(2, backups.size(), "max_backups: " + backups);
    Set<ExportTraceServiceRequest> read = new HashSet<>(jsonLines(file));
    for (Path b : backups) {
      assertTrue(b.getFileName().toString().matches("traces-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}\\.json"), b.toString());
      assertTrue(Files.size(b) <= 1L << 20, b + " is over the limit: " + Files.size(b));
      read.addAll(jsonLines(b));
    }
    assertTrue(written.containsAll(read));
    assertTrue(read.size() < written.size(), "older backups were deleted");
  }

  @Test
  void withoutAppendAStartTruncatesWithAppendItKeepsWhatWasThere() throws Exception {
    Path file = dir.resolve("t.json");
    Files.writeString(file, "old line\n");
    TracesExporter truncating = exporter("path: " + file);
    Await.result(truncating.start());
    Await.result(truncating.shutdown());
    assertEquals("", Files.readString(file));
    Files.writeString(file, "{}\n");
    TracesExporter appending = exporter("path: " + file + "\nappend: true");
    Await.result(appending.start());
    Await.result(appending.consumeTraces(data(new RandomTraces(1).request(1, 1, 2))));
    Await.result(appending.shutdown());
    assertEquals(2, Files.readAllLines(file).size());
  }

  @Test
  void manyConcurrentBatchesAllLandOneLineEach() throws Exception {
    Path file = dir.resolve("c.json");
    TracesExporter e = exporter("path: " + file);
    Await.result(e.start());
    RandomTraces random = new RandomTraces(12);
    List<Future<Void>> all = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      all.add(e.consumeTraces(data(random.request(1, 1, 5))));
    }
    Await.result(Future.all(all));
    Await.result(e.shutdown());
    assertEquals(400, jsonLines(file).size());
  }

  @Test
  void aFileThatCannotBeOpenedFailsTheStartUnlessTheDirectoryMayBeCreated() throws Exception {
    Path file = dir.resolve("missing/sub/t.json");
    TracesExporter e = exporter("path: " + file);
    Throwable failure = Await.failure(e.start());
    assertTrue(failure.getMessage().contains("cannot open"), failure.getMessage());
    Await.result(e.shutdown());
    TracesExporter creating = exporter("path: " + file + "\ncreate_directory: true\ndirectory_permissions: \"0750\"");
    Await.result(creating.start());
    Await.result(creating.shutdown());
    assertTrue(Files.exists(file));
  }

  @Test
  void configDefaultsAndErrors() {
    FileExporterConfig d = parse("path: t.json");
    assertEquals(FileExporterConfig.Format.JSON, d.format());
    assertEquals(null, d.rotation());
    assertTrue(!d.queue().enabled() && !d.retry().enabled(), "acknowledged once written, as in the Collector");
    assertEquals(FileExporterConfig.Rotation.DEFAULT, parse("path: t.json\nrotation:").rotation());
    assertEquals(new FileExporterConfig.Rotation(5, 3, 7, true),
        parse("path: t\nrotation: {max_megabytes: 5, max_days: 3, max_backups: 7, localtime: true}").rotation());
    String[][] bad = {
      {"format: json", "path"},
      {"path: t\nappend: true\nrotation: {max_megabytes: 1}", "append"},
      {"path: t\ncompression: zstd", "compression"},
      {"path: t\ngroup_by: {enabled: true}", "group_by"},
      {"path: t\ndirectory_permissions: \"0755\"", "create_directory"},
      {"path: t\nformat: xml", "format"},
      {"path: t\nrotation: {max_megabytes: 0}", "max_megabytes"},
    };
    for (String[] b : bad) {
      ConfigException e = assertThrows(ConfigException.class, () -> parse(b[0]), b[0]);
      assertTrue(e.getMessage().contains(b[1]), e.getMessage());
    }
  }

  @Test
  void aMetricsPipelineWritesIntoTheSameFileOneRequestPerLine() throws Exception {
    Path file = dir.resolve("both.json");
    FileExporterFactory factory = new FileExporterFactory();
    FileExporterConfig config = parse("path: " + file);
    ComponentSettings settings = new ComponentSettings(ComponentId.of("file"), ComponentKind.EXPORTER, vertx,
        telemetry, Host.empty());
    TracesExporter traces = factory.createTracesExporter(settings, config);
    MetricsExporter metrics = factory.createMetricsExporter(settings, config);
    Await.result(traces.start());
    Await.result(metrics.start());
    ExportTraceServiceRequest t = new RandomTraces(13).request(1, 1, 3);
    Await.result(traces.consumeTraces(data(t)));
    ExportMetricsServiceRequest m = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("calls").setSum(Sum.newBuilder()
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE).setIsMonotonic(true)
            .addDataPoints(NumberDataPoint.newBuilder().setAsInt(3).setTimeUnixNano(1_700_000_000_000_000_000L))))))
        .build();
    Await.result(metrics.consumeMetrics(new MetricsData(m)));
    Await.result(metrics.shutdown());
    Await.result(traces.consumeTraces(data(t)));
    Await.result(traces.shutdown());
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertEquals(3, lines.size(), "the file stays open until its last user stops: " + lines);
    byte[] first = lines.get(0).getBytes(StandardCharsets.UTF_8);
    assertEquals(t, ExportTraceServiceRequest.parseFrom(OtlpJsonTestCodec.toProto(first, 0, first.length)));
    ExportMetricsServiceRequest.Builder back = ExportMetricsServiceRequest.newBuilder();
    JsonFormat.parser().merge(lines.get(1), back);
    assertEquals(m, back.build());
    assertTrue(lines.get(1).contains("\"asInt\":\"3\""), lines.get(1));
    assertEquals(1, (long) telemetry.metrics().sum("otelcol_exporter_sent_metric_points"));
  }

  @Test
  void twoExportersMayShareAFileOnlyWithTheSameOptions() throws Exception {
    Path file = dir.resolve("shared.json");
    TracesExporter a = exporter("path: " + file);
    Await.result(a.start());
    TracesExporter b = new FileExporterFactory().createTracesExporter(new ComponentSettings(ComponentId.parse("file/b"),
        ComponentKind.EXPORTER, vertx, telemetry, Host.empty()), parse("path: " + file + "\nformat: proto"));
    assertTrue(Await.failure(b.start()).getMessage().contains("with other options"));
    Await.result(b.shutdown());
    Await.result(a.shutdown());
  }

  @Test
  void shutdownWithoutStartIsSafe() {
    TracesExporter e = exporter("path: " + dir.resolve("never.json"));
    Await.result(e.shutdown());
    assertTrue(!Files.exists(dir.resolve("never.json")));
  }

}

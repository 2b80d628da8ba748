package io.tailshard.loadtest.truth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroundTruthFilesTest {
  @TempDir
  Path dir;

  @Test
  void truthLinesRoundTripAndAFollowerSeesOnlyCompleteLines() throws Exception {
    Path file = dir.resolve(GroundTruthFiles.TRUTH);
    TraceTruth a = new TraceTruth(TraceId.parse("0102030405060708090a0b0c0d0e0f10"), 7, true, 1, 0,
        1_763_700_000_000_000_000L, List.of("svc-00", "svc-03"));
    TraceTruth b = new TraceTruth(TraceId.parse("ffffffffffffffff0000000000000001"), 3, false, 0, 2, 5, List.of("svc-01"));
    try (GroundTruthFiles.Writer w = new GroundTruthFiles.Writer(file);
        GroundTruthFiles.Follower f = new GroundTruthFiles.Follower(file)) {
      w.write(a);
      w.flush();
      assertEquals(List.of(a), f.poll());
      w.write(b);
      w.flush();
      // Half a line (a writer mid-way): not returned until its newline arrives.
      Files.writeString(file, "0000000000000000000000000000000a,1", StandardOpenOption.APPEND);
      assertEquals(List.of(b), f.poll());
      Files.writeString(file, ",0,0,0,9,svc-02\n", StandardOpenOption.APPEND);
      List<TraceTruth> last = f.poll();
      assertEquals(1, last.size());
      assertEquals(TraceId.parse("0000000000000000000000000000000a"), last.get(0).traceId());
      assertEquals(List.of("svc-02"), last.get(0).services());
    }
    assertEquals(3, GroundTruthFiles.readAll(file).size());
    assertTrue(Files.readString(file, StandardCharsets.UTF_8).startsWith("trace_id,spans,error,"));
  }

  @Test
  void spanMetricsUseTheConnectorsDefaultBucketsInclusiveOfTheBound() throws Exception {
    assertEquals(0, SpanMetricsTable.bucketOf(2_000_000));
    assertEquals(1, SpanMetricsTable.bucketOf(2_000_001));
    assertEquals(5, SpanMetricsTable.bucketOf(50_000_000));
    assertEquals(15, SpanMetricsTable.bucketOf(15_000_000_000L));
    assertEquals(16, SpanMetricsTable.bucketOf(15_000_000_001L));
    assertEquals(0, SpanMetricsTable.bucketOf(-5));

    SpanMetricsTable t = new SpanMetricsTable();
    SpanMetricsTable.Key k = new SpanMetricsTable.Key("svc-00", "GET /svc-00/resource-0", "SPAN_KIND_SERVER",
        "STATUS_CODE_ERROR");
    t.record(k, 3_000_000);
    t.record(k, 3_500_000);
    t.record(k, 20_000_000_000L);
    Path file = dir.resolve(GroundTruthFiles.SPANMETRICS);
    GroundTruthFiles.writeSpanMetrics(file, t);
    SpanMetricsTable back = GroundTruthFiles.readSpanMetrics(file);
    assertEquals(3, back.get(k).calls());
    assertEquals(2, back.get(k).buckets()[1]);
    assertEquals(1, back.get(k).buckets()[16]);
    assertTrue(Files.readAllLines(file).get(0).endsWith(",le_10000,le_15000,le_inf"));
  }

  @Test
  void traceIdsPrintAndParseAsHex() {
    TraceId id = TraceId.parse("4bf92f3577b34da6a3ce929d0e0e4736");
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", id.hex());
    assertEquals(id, TraceId.of(id.bytes(), 0));
  }
}

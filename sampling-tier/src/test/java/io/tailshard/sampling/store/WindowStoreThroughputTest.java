package io.tailshard.sampling.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.telemetry.MetricRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * What the store costs, printed, not asserted (the figures and the command are in
 * {@code docs/storage.md}): append throughput with the WAL on, with and without fsync, raw puts
 * for comparison with DESIGN §7, bytes on disk with and without LZ4, and the cost of dropping a
 * window by range delete against dropping a column family.
 *
 * <pre>
 * mvn -q -B -pl sampling-tier -am test -Dtest='WindowStoreThroughputTest' -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class WindowStoreThroughputTest {
  static final int REQUESTS = 100;
  static final int SPANS_PER_REQUEST = 1000;
  static final int SPANS_PER_TRACE_PER_REQUEST = 5;
  static final long T0 = TraceWorkload.BASE_MILLIS;

  @TempDir
  Path dir;

  @Test
  void printsWhatTheStoreCosts() throws Exception {
    List<byte[]> requests = requests(new Random(7));
    long requestBytes = requests.stream().mapToLong(r -> r.length).sum();
    long spans = (long) REQUESTS * SPANS_PER_REQUEST;
    StringBuilder report = new StringBuilder();
    report.append(String.format("workload: %d requests x %d spans, %.0f bytes per span on the wire, %d spans per trace"
            + " per request (%d values per request)%n", REQUESTS, SPANS_PER_REQUEST,
        (double) requestBytes / spans, SPANS_PER_TRACE_PER_REQUEST, SPANS_PER_REQUEST / SPANS_PER_TRACE_PER_REQUEST));

    WindowStoreConfig base = WindowStoreConfig.defaults(dir.resolve("lz4"));
    // Warm-up: the JIT compiles the append path before anything is timed.
    try (WindowStore store = WindowStore.open(base.withDirectory(dir.resolve("warm")), new MetricRegistry())) {
      appendAll(store, requests, 0);
    }

    // Append, one request in flight at a time (the caller waits for each future), WAL on, no fsync.
    long lz4Sst;
    try (WindowStore store = WindowStore.open(base, new MetricRegistry())) {
      long t = System.nanoTime();
      appendAll(store, requests, 1_000_000);
      long elapsed = System.nanoTime() - t;
      report.append(rate("append, one in flight, WAL on, no fsync", spans, requestBytes, elapsed));
      store.flush();
      store.compact();
      lz4Sst = store.onWriter(() -> store.core().spansSstBytes());
      report.append(String.format("  logical bytes (keys + values) %d; on disk with LZ4 after compaction %d (%.2fx)%n",
          store.bufferedBytes(), lz4Sst, (double) store.bufferedBytes() / lz4Sst));
    }
    // Recovery: reopening scans every stored value and rebuilds the summaries.
    long t0 = System.nanoTime();
    try (WindowStore store = WindowStore.open(base, new MetricRegistry())) {
      long openNanos = System.nanoTime() - t0;
      report.append(String.format("reopen and recover %d traces, %d spans, %d logical bytes: %.0f ms%n",
          store.bufferedTraces(), store.bufferedSpans(), store.bufferedBytes(), openNanos / 1e6));
    }

    // The same, every request submitted before waiting: the writer thread's own pace.
    try (WindowStore store = WindowStore.open(base.withDirectory(dir.resolve("pipelined")), new MetricRegistry())) {
      TraceRequestIndex idx = new TraceRequestIndex();
      List<CompletableFuture<AppendResult>> pending = new ArrayList<>();
      long t = System.nanoTime();
      for (int i = 0; i < requests.size(); i++) {
        idx.index(requests.get(i));
        pending.add(store.append(idx, T0 + 1_000_000 + i));
      }
      CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).join();
      report.append(rate("append, all submitted at once (2 threads)", spans, requestBytes, System.nanoTime() - t));
    }

    // Without compression, to see what LZ4 saves.
    Path plainDir = dir.resolve("plain");
    WindowStoreConfig plain = base.withDirectory(plainDir);
    try (WindowStore store = WindowStore.open(plain, new MetricRegistry(),
        () -> StoreCore.open(plain, CompressionType.NO_COMPRESSION))) {
      appendAll(store, requests, 1_000_000);
      store.flush();
      store.compact();
      long plainSst = store.onWriter(() -> store.core().spansSstBytes());
      report.append(String.format("  on disk without compression %d; LZ4 saves %.0f%%%n", plainSst,
          100.0 * (plainSst - lz4Sst) / plainSst));
    }

    // fsync per append: what syncWrites=true costs on this disk.
    try (WindowStore store = WindowStore.open(base.withDirectory(dir.resolve("sync")).withSyncWrites(true),
        new MetricRegistry())) {
      int n = REQUESTS;
      long t = System.nanoTime();
      appendAll(store, requests.subList(0, n), 1_000_000);
      long elapsed = System.nanoTime() - t;
      long bytes = requests.subList(0, n).stream().mapToLong(r -> r.length).sum();
      report.append(rate("append with fsync per batch (syncWrites)", (long) n * SPANS_PER_REQUEST, bytes, elapsed));
      report.append(String.format("  %.2f ms per fsynced append%n", elapsed / 1e6 / n));
    }

    // Deciding: due traces, decisions, range deletes of whole windows, and data decided before
    // its memtable was flushed never reaching an SST file.
    try (WindowStore store = WindowStore.open(base.withDirectory(dir.resolve("decide")), new MetricRegistry())) {
      for (int i = 0; i < requests.size(); i++) {
        TraceRequestIndex idx = new TraceRequestIndex().index(requests.get(i));
        // Ten requests per one-second window.
        store.append(idx, T0 + i * 100L).join();
      }
      long appendedBytes = store.bufferedBytes();
      long now = T0 + REQUESTS * 100L + base.decisionWaitMillis() + 2000;
      long t = System.nanoTime();
      List<TraceView> due = store.dueTraces(now, Integer.MAX_VALUE).join();
      long dueNanos = System.nanoTime() - t;
      List<Decision> decisions = new ArrayList<>(due.size());
      for (TraceView v : due) {
        decisions.add(new Decision(v.traceIdHigh(), v.traceIdLow(), (v.traceIdLow() & 15) == 0));
      }
      int windows = store.windowIds().size();
      t = System.nanoTime();
      List<KeptTrace> kept = store.decide(decisions, now).join();
      long decideNanos = System.nanoTime() - t;
      assertEquals(0, store.bufferedTraces());
      report.append(String.format("decide: %d due traces handed out in %.1f ms; %d decisions (%d kept and read back)"
              + " and %d window range deletes in %.1f ms (%.2f us per decision)%n", due.size(), dueNanos / 1e6,
          decisions.size(), kept.size(), windows, decideNanos / 1e6, decideNanos / 1e3 / decisions.size()));
      store.flush();
      report.append(String.format("  decided before its memtable was flushed: spans SST bytes after the flush %d of %d"
          + " logical bytes appended%n", store.onWriter(() -> store.core().spansSstBytes()), appendedBytes));
    }

    report.append(rawPuts(dir.resolve("raw")));
    report.append(columnFamilyDrop(dir.resolve("cf")));
    System.out.print(report);
    assertTrue(lz4Sst > 0);
  }

  private static String rate(String what, long spans, long bytes, long nanos) {
    double s = nanos / 1e9;
    return String.format("%s: %.0f spans/s, %.0f values (puts)/s, %.1f MB/s, %.1f ms per 1000-span request%n", what,
        spans / s, spans / SPANS_PER_TRACE_PER_REQUEST / s, bytes / s / 1e6, nanos / 1e6 / (spans / 1000.0));
  }

  private static void appendAll(WindowStore store, List<byte[]> requests, long offsetMillis) throws Exception {
    TraceRequestIndex idx = new TraceRequestIndex();
    for (int i = 0; i < requests.size(); i++) {
      idx.index(requests.get(i));
      store.append(idx, T0 + offsetMillis + i).join();
    }
  }

  /** DESIGN §7's baseline: one put per 300-byte span, batches of 1000, WAL on, no fsync. */
  private static String rawPuts(Path path) throws Exception {
    Random r = new Random(3);
    byte[][] values = new byte[1000][];
    for (int i = 0; i < values.length; i++) {
      values[i] = new byte[300];
      r.nextBytes(values[i]);
    }
    try (Options o = new Options().setCreateIfMissing(true); WriteOptions wo = new WriteOptions();
        RocksDB db = RocksDB.open(o, path.toString())) {
      long t = System.nanoTime();
      int n = 100_000;
      for (int b = 0; b < n / 1000; b++) {
        try (WriteBatch batch = new WriteBatch()) {
          for (int i = 0; i < 1000; i++) {
            batch.put(StoreKeys.spanKey(b, r.nextLong(), r.nextLong(), i), values[i]);
          }
          db.write(wo, batch);
        }
      }
      double s = (System.nanoTime() - t) / 1e9;
      return String.format("raw RocksDB puts of 300-byte values, batches of 1000, WAL on: %.0f puts/s, %.1f MB/s%n",
          n / s, n * 332 / s / 1e6);
    }
  }

  /** The alternative to a range delete per window: a column family per window, dropped whole. */
  private static String columnFamilyDrop(Path path) throws Exception {
    byte[] value = new byte[300];
    try (Options o = new Options().setCreateIfMissing(true); ColumnFamilyOptions cfo = new ColumnFamilyOptions();
        WriteOptions wo = new WriteOptions(); RocksDB db = RocksDB.open(o, path.toString())) {
      int n = 20;
      long create = 0;
      long drop = 0;
      long range = 0;
      for (int w = 0; w < n; w++) {
        long t = System.nanoTime();
        ColumnFamilyHandle cf = db.createColumnFamily(new ColumnFamilyDescriptor(("w" + w).getBytes(), cfo));
        create += System.nanoTime() - t;
        try (WriteBatch batch = new WriteBatch()) {
          for (int i = 0; i < 1000; i++) {
            batch.put(cf, StoreKeys.spanKey(w, i, i, i), value);
            batch.put(StoreKeys.spanKey(w, i, i, i), value);
          }
          db.write(wo, batch);
        }
        t = System.nanoTime();
        db.dropColumnFamily(cf);
        drop += System.nanoTime() - t;
        cf.close();
        t = System.nanoTime();
        db.deleteRange(StoreKeys.windowStart(w), StoreKeys.windowStart(w + 1));
        range += System.nanoTime() - t;
      }
      return String.format("per window of 1000 values: create column family %.2f ms + drop %.2f ms; "
          + "deleteRange %.3f ms%n", create / 1e6 / n, drop / 1e6 / n, range / 1e6 / n);
    }
  }

  /**
   * Requests of 1000 spans of about 300 bytes, five spans per trace, shaped like an HTTP service's
   * spans: a few resources, one scope, the usual semantic-convention attributes.
   */
  static List<byte[]> requests(Random r) {
    List<byte[]> out = new ArrayList<>(REQUESTS);
    String[] services = {"checkout", "payments", "inventory", "frontend"};
    String[] routes = {"/api/v1/orders/{id}", "/api/v1/cart", "/api/v1/items/{sku}", "/healthz", "/api/v1/pay"};
    for (int q = 0; q < REQUESTS; q++) {
      ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
      int perService = SPANS_PER_REQUEST / services.length;
      byte[] traceId = new byte[16];
      for (String service : services) {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.netty-4.1").setVersion("2.10.0"));
        for (int i = 0; i < perService; i++) {
          if (i % SPANS_PER_TRACE_PER_REQUEST == 0) {
            r.nextBytes(traceId);
          }
          byte[] spanId = new byte[8];
          r.nextBytes(spanId);
          byte[] parent = new byte[8];
          r.nextBytes(parent);
          String route = routes[r.nextInt(routes.length)];
          long start = 1_700_000_000_000_000_000L + (long) q * 1_000_000_000L + r.nextInt(1_000_000_000);
          Span.Builder span = Span.newBuilder()
              .setTraceId(ByteString.copyFrom(traceId))
              .setSpanId(ByteString.copyFrom(spanId))
              .setParentSpanId(i % SPANS_PER_TRACE_PER_REQUEST == 0 ? ByteString.EMPTY : ByteString.copyFrom(parent))
              .setName("GET " + route)
              .setKind(Span.SpanKind.SPAN_KIND_SERVER)
              .setStartTimeUnixNano(start)
              .setEndTimeUnixNano(start + r.nextInt(50_000_000))
              .addAttributes(kv("http.request.method", "GET"))
              .addAttributes(kv("url.path", route.replace("{id}", Integer.toString(r.nextInt(100_000)))
                  .replace("{sku}", "SKU-" + r.nextInt(10_000))))
              .addAttributes(kv("http.route", route))
              .addAttributes(KeyValue.newBuilder().setKey("http.response.status_code")
                  .setValue(AnyValue.newBuilder().setIntValue(r.nextInt(20) == 0 ? 500 : 200)))
              .addAttributes(kv("server.address", service + ".internal"))
              .addAttributes(kv("network.peer.address", "10.0." + r.nextInt(4) + "." + r.nextInt(256)));
          if (r.nextInt(20) == 0) {
            span.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR));
          }
          scope.addSpans(span);
        }
        req.addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder()
                .addAttributes(kv("service.name", service))
                .addAttributes(kv("service.version", "1.4." + services.length))
                .addAttributes(kv("k8s.pod.name", service + "-6d5f8b7c9-x2k4p")))
            .addScopeSpans(scope));
      }
      out.add(req.build().toByteArray());
    }
    return out;
  }

  static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }
}

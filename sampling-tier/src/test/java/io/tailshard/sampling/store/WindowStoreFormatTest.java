package io.tailshard.sampling.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.telemetry.MetricRegistry;
import io.tailshard.sampling.store.TraceWorkload.Placed;
import io.tailshard.sampling.store.TraceWorkload.TraceKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

/**
 * The on-disk format record: format 2 (span keys {@code window | seq | trace_id}) reads no format 1
 * span keys ({@code window | trace_id | seq}). An empty format-1 store is relabelled; one holding
 * spans is refused with a message that says what to do.
 */
class WindowStoreFormatTest {
  @TempDir
  Path dir;

  WindowStoreConfig config() {
    return WindowStoreConfig.defaults(dir).withDecisionWait(WindowStoreTest.WAIT).withWriteBufferBytes(8L << 20);
  }

  /** Rewrites the store's format record, as a format-1 store would have it. */
  void setFormat(long format) throws Exception {
    try (DBOptions options = new DBOptions()) {
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      try (RocksDB db = RocksDB.open(options, dir.toString(), List.of(
          new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY), new ColumnFamilyDescriptor(StoreCore.SPANS_CF),
          new ColumnFamilyDescriptor(StoreCore.DECISIONS_CF)), handles)) {
        db.put(handles.get(0), StoreKeys.META_FORMAT, StoreKeys.longValue(format));
        handles.forEach(ColumnFamilyHandle::close);
      }
    }
  }

  long format() throws Exception {
    try (DBOptions options = new DBOptions()) {
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      try (RocksDB db = RocksDB.openReadOnly(options, dir.toString(), List.of(
          new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY), new ColumnFamilyDescriptor(StoreCore.SPANS_CF),
          new ColumnFamilyDescriptor(StoreCore.DECISIONS_CF)), handles)) {
        long f = StoreKeys.getLong(db.get(handles.get(0), StoreKeys.META_FORMAT), 0);
        handles.forEach(ColumnFamilyHandle::close);
        return f;
      }
    }
  }

  @Test
  void aFormatOneStoreHoldingSpansIsRefusedWithAdvice() throws Exception {
    TraceWorkload w = TraceWorkload.generate(31, 20, 10, 0, 100);
    try (WindowStore store = WindowStore.open(config(), new MetricRegistry())) {
      WindowStoreTest.append(store, w.requests.get(0).bytes(), w.requests.get(0).atMillis());
    }
    assertEquals(StoreKeys.STORE_FORMAT, format());
    setFormat(1);
    StoreException e = assertThrows(StoreException.class, () -> WindowStore.open(config(), new MetricRegistry()));
    assertTrue(e.getMessage().contains("on-disk format 1") && e.getMessage().contains("remove the directory"),
        e.getMessage());
  }

  @Test
  void aVolumeWrittenWithOneSeqPerValueReadsBackWholeAndTakesNewAppends() throws Exception {
    // Earlier format-2 code gave every value its own seq; the store now gives one per request. The
    // layout is the same, so such a volume is read as it is: rewrite a store's keys with a seq per
    // value, 1,000 apart (multi-byte steps, so long traces spill), and check every trace.
    TraceWorkload w = TraceWorkload.generate(32, 80, 10, 1500, 100);
    int before = w.requests.size() * 2 / 3;
    try (WindowStore store = WindowStore.open(config(), new MetricRegistry())) {
      for (TraceWorkload.Request r : w.requests.subList(0, before)) {
        WindowStoreTest.append(store, r.bytes(), r.atMillis());
      }
    }
    try (DBOptions options = new DBOptions()) {
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      try (RocksDB db = RocksDB.open(options, dir.toString(), List.of(
          new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY), new ColumnFamilyDescriptor(StoreCore.SPANS_CF),
          new ColumnFamilyDescriptor(StoreCore.DECISIONS_CF)), handles)) {
        List<byte[][]> records = new ArrayList<>();
        try (org.rocksdb.RocksIterator it = db.newIterator(handles.get(1))) {
          for (it.seekToFirst(); it.isValid(); it.next()) {
            records.add(new byte[][] {it.key(), it.value()});
          }
        }
        assertTrue(records.size() > 100, "records: " + records.size());
        long seq = 5_000;
        for (byte[][] kv : records) {
          db.delete(handles.get(1), kv[0]);
          byte[] k = kv[0].clone();
          StoreKeys.putLong(k, StoreKeys.SEQ_OFFSET, seq);
          seq += 1_000;
          db.put(handles.get(1), k, kv[1]);
        }
        handles.forEach(ColumnFamilyHandle::close);
      }
    }
    try (WindowStore store = WindowStore.open(config(), new MetricRegistry())) {
      Map<TraceKey, List<Placed>> sentBefore = WindowStoreGroupCommitTest.spansSent(w, w.requests.subList(0, before));
      assertEquals(sentBefore.size(), store.bufferedTraces());
      for (Map.Entry<TraceKey, List<Placed>> e : sentBefore.entrySet()) {
        WindowStoreTest.assertHoldsExactly(e.getValue(), store.readTrace(e.getKey().high(), e.getKey().low()).join());
      }
      for (TraceWorkload.Request r : w.requests.subList(before, w.requests.size())) {
        WindowStoreTest.append(store, r.bytes(), r.atMillis());
      }
      Map<TraceKey, List<Placed>> sent = WindowStoreGroupCommitTest.spansSent(w, w.requests);
      assertEquals(sent.size(), store.bufferedTraces());
      for (Map.Entry<TraceKey, List<Placed>> e : sent.entrySet()) {
        WindowStoreTest.assertHoldsExactly(e.getValue(), store.readTrace(e.getKey().high(), e.getKey().low()).join());
      }
    }
  }

  @Test
  void anEmptyFormatOneStoreIsRelabelledAndOpens() throws Exception {
    try (WindowStore store = WindowStore.open(config(), new MetricRegistry())) {
      assertEquals(0, store.bufferedTraces());
    }
    setFormat(1);
    try (WindowStore store = WindowStore.open(config(), new MetricRegistry())) {
      assertEquals(0, store.bufferedTraces());
    }
    assertEquals(2, format());
  }
}

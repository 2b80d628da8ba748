package io.tailshard.sampling.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tailshard.common.otlp.wire.TraceRequestIndex;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;

/**
 * The append path writes RocksDB's {@code WriteBatch} format itself ({@link StoreBatch},
 * {@link PreparedAppend}): it must be byte for byte what RocksJava's own {@code put} builds, and
 * RocksDB must read it back as the same puts. A RocksDB upgrade that changed the format fails here.
 */
class StoreBatchTest {
  static {
    // Run alone, no store has loaded the native library before WriteBatch needs it.
    RocksDB.loadLibrary();
  }

  @TempDir
  Path dir;

  static PreparedAppend prepared(int cfId) throws Exception {
    TraceWorkload w = TraceWorkload.generate(3, 40, 10, 0, 1000);
    TraceRequestIndex idx = new TraceRequestIndex().index(w.requests.get(0).bytes());
    PreparedAppend p = PreparedAppend.of(idx, TraceWorkload.BASE_MILLIS, cfId);
    for (int t = 0; t < p.traces; t++) {
      StoreBatch.patchKey(p.records, p.keyOffset[t], 1_700_000_000L + t, 1000L + t);
    }
    StoreBatch.writeHeader(p.records, p.traces);
    return p;
  }

  static byte[] key(PreparedAppend p, int t) {
    return Arrays.copyOfRange(p.records, p.keyOffset[t], p.keyOffset[t] + StoreKeys.SPAN_KEY_LENGTH);
  }

  static byte[] value(PreparedAppend p, int t) {
    return Arrays.copyOfRange(p.records, p.valueOffset[t], p.valueOffset[t] + p.valueLength[t]);
  }

  @Test
  void aRequestsRecordsComeInTraceIdOrderAsRocksDbComparesThem() throws Exception {
    // One seq per request: with the window and seq equal, the trace id orders the keys, and the
    // memtable inserts them one after the other only if the records already come in that order.
    TraceWorkload w = TraceWorkload.generate(5, 200, 0, 0, 60_000);
    PreparedAppend p = PreparedAppend.of(new TraceRequestIndex().index(w.requests.get(0).bytes()),
        TraceWorkload.BASE_MILLIS, 0);
    org.junit.jupiter.api.Assertions.assertTrue(p.traces > 100, "a request of many traces: " + p.traces);
    for (int t = 1; t < p.traces; t++) {
      byte[] before = Arrays.copyOfRange(key(p, t - 1), StoreKeys.TRACE_ID_OFFSET, StoreKeys.SPAN_KEY_LENGTH);
      byte[] after = Arrays.copyOfRange(key(p, t), StoreKeys.TRACE_ID_OFFSET, StoreKeys.SPAN_KEY_LENGTH);
      org.junit.jupiter.api.Assertions.assertTrue(Arrays.compareUnsigned(before, after) < 0,
          "record " + t + " sorts after record " + (t - 1));
    }
  }

  @Test
  void preparedRecordsAreWhatWriteBatchPutBuilds() throws Exception {
    try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)) {
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      try (RocksDB db = RocksDB.open(options, dir.toString(), List.of(
          new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY), new ColumnFamilyDescriptor(StoreCore.SPANS_CF)),
          handles)) {
        ColumnFamilyHandle spans = handles.get(1);
        PreparedAppend p = prepared(spans.getID());
        PreparedAppend p0 = prepared(0);
        try (WriteBatch viaPut = new WriteBatch(); WriteBatch viaPut0 = new WriteBatch()) {
          for (int t = 0; t < p.traces; t++) {
            viaPut.put(spans, key(p, t), value(p, t));
            viaPut0.put(key(p0, t), value(p0, t));
          }
          assertArrayEquals(viaPut.data(), p.records);
          assertArrayEquals(viaPut0.data(), p0.records);
        }
        handles.forEach(ColumnFamilyHandle::close);
      }
    }
  }

  @Test
  void rocksDbReadsThePreparedRecordsBackAsThePuts() throws Exception {
    // A family id of two varint bytes, beyond what one small database has.
    PreparedAppend p = prepared(300);
    List<String> seen = new ArrayList<>();
    try (WriteBatch batch = new WriteBatch(p.records); WriteBatch.Handler handler = new WriteBatch.Handler() {
        @Override
        public void put(int columnFamilyId, byte[] key, byte[] value) {
          seen.add(columnFamilyId + " " + Arrays.toString(key) + " " + Arrays.toString(value));
        }

        @Override
        public void put(byte[] key, byte[] value) {
          seen.add("0 " + Arrays.toString(key) + " " + Arrays.toString(value));
        }

        @Override public void merge(int cf, byte[] k, byte[] v) {}
        @Override public void merge(byte[] k, byte[] v) {}
        @Override public void delete(int cf, byte[] k) {}
        @Override public void delete(byte[] k) {}
        @Override public void singleDelete(int cf, byte[] k) {}
        @Override public void singleDelete(byte[] k) {}
        @Override public void deleteRange(int cf, byte[] b, byte[] e) {}
        @Override public void deleteRange(byte[] b, byte[] e) {}
        @Override public void logData(byte[] blob) {}
        @Override public void putBlobIndex(int cf, byte[] k, byte[] v) {}
        @Override public void markBeginPrepare() {}
        @Override public void markEndPrepare(byte[] xid) {}
        @Override public void markNoop(boolean emptyBatch) {}
        @Override public void markRollback(byte[] xid) {}
        @Override public void markCommit(byte[] xid) {}
        @Override public void markCommitWithTimestamp(byte[] xid, byte[] ts) {}
      }) {
      assertEquals(p.traces, batch.count());
      batch.iterate(handler);
    }
    List<String> expected = new ArrayList<>();
    for (int t = 0; t < p.traces; t++) {
      byte[] k = key(p, t);
      assertEquals(1_700_000_000L + t, StoreKeys.window(k));
      assertEquals(p.high[t], StoreKeys.traceHigh(k));
      assertEquals(p.low[t], StoreKeys.traceLow(k));
      assertEquals(1000L + t, StoreKeys.seq(k));
      expected.add("300 " + Arrays.toString(k) + " " + Arrays.toString(value(p, t)));
    }
    assertEquals(expected, seen);
  }
}

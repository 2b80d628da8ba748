package io.tailshard.sampling.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tailshard.sampling.store.TraceWorkload.TraceKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The decision cache's rings against a model: each ring keeps the ids of its last {@code capacity}
 * decisions, a newer decision of an id replaces an older one of either kind, and an aborted batch
 * changes nothing.
 */
class WindowStoreDecisionCacheTest {
  static {
    RocksDB.loadLibrary();
  }

  @TempDir
  Path dir;

  /** Per ring: id -> seq of its latest decision, and the ring's next seq. */
  static final class Model {
    final int[] capacity;
    final long[] nextSeq = new long[2];
    final List<Map<TraceKey, long[]>> rings = List.of(new HashMap<>(), new HashMap<>());

    Model(int sampled, int notSampled) {
      capacity = new int[] {sampled, notSampled};
    }

    void decide(TraceKey k, boolean sampled, long at) {
      int r = sampled ? 0 : 1;
      if (capacity[r] == 0) {
        return;
      }
      rings.get(1 - r).remove(k);
      rings.get(r).put(k, new long[] {nextSeq[r]++, at});
    }

    CachedDecision lookup(TraceKey k) {
      for (int r = 0; r < 2; r++) {
        long[] e = rings.get(r).get(k);
        if (e != null && e[0] >= nextSeq[r] - capacity[r]) {
          return new CachedDecision(r == 0, e[1]);
        }
      }
      return null;
    }
  }

  @Test
  void keepsTheLastDecisionsOfEachKindAndForgetsAbortedBatches() throws Exception {
    try (Options o = new Options().setCreateIfMissing(true); WriteOptions wo = new WriteOptions();
        RocksDB db = RocksDB.open(o, dir.toString())) {
      run(db, db.getDefaultColumnFamily(), wo);
    }
  }

  private void run(RocksDB db, ColumnFamilyHandle cf, WriteOptions wo) throws Exception {
    Random r = new Random(5);
    int sampledCap = 50;
    int notSampledCap = 200;
    DecisionCache cache = new DecisionCache(sampledCap, notSampledCap);
    Model model = new Model(sampledCap, notSampledCap);
    List<TraceKey> ids = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      ids.add(new TraceKey(r.nextLong(), r.nextLong() | 1));
    }
    long at = 0;
    for (int batch = 0; batch < 2000; batch++) {
      boolean abort = r.nextInt(10) == 0;
      try (WriteBatch wb = new WriteBatch()) {
        List<Object[]> staged = new ArrayList<>();
        for (int n = 1 + r.nextInt(8); n > 0; n--) {
          // Mostly fresh ids, some re-decided: in the store a trace is decided again only after
          // the cache forgot it, but the rings must stay right either way.
          TraceKey k = ids.get(r.nextInt(ids.size()));
          boolean sampled = r.nextInt(4) == 0;
          at++;
          cache.stage(k.high(), k.low(), sampled, at, wb, cf);
          staged.add(new Object[] {k, sampled, at});
        }
        cache.stageEvictions(wb, cf);
        if (abort) {
          cache.abort();
        } else {
          db.write(wo, wb);
          cache.commit();
          for (Object[] s : staged) {
            model.decide((TraceKey) s[0], (Boolean) s[1], (Long) s[2]);
          }
        }
      }
      for (TraceKey k : ids) {
        assertEquals(model.lookup(k), cache.lookup(k.high(), k.low()), "after batch " + batch);
      }
    }
    assertNull(cache.lookup(1, 2));
    // On disk, the range deletes leave exactly the records of the last capacity decisions per kind.
    int[] records = new int[2];
    try (RocksIterator it = db.newIterator(cf)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        records[it.key()[0] == StoreKeys.KIND_SAMPLED ? 0 : 1]++;
      }
    }
    assertEquals(sampledCap, records[0]);
    assertEquals(notSampledCap, records[1]);
  }

  @Test
  void aZeroCapacityRingCachesNothing() throws Exception {
    DecisionCache cache = new DecisionCache(0, 4);
    try (Options o = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(o, dir.toString());
        WriteBatch wb = new WriteBatch()) {
      cache.stage(1, 1, true, 10, wb, db.getDefaultColumnFamily());
      cache.stage(2, 2, false, 11, wb, db.getDefaultColumnFamily());
      cache.commit();
    }
    assertNull(cache.lookup(1, 1));
    assertEquals(new CachedDecision(false, 11), cache.lookup(2, 2));
    assertEquals(0, cache.size(true));
    assertEquals(1, cache.size(false));
  }
}

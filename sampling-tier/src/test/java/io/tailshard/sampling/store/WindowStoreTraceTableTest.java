package io.tailshard.sampling.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.tailshard.sampling.store.TraceWorkload.TraceKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The live-trace hash table against a HashMap, through growth and backward-shift deletions. */
class WindowStoreTraceTableTest {
  @Test
  void behavesLikeAMapThroughRandomAddsAndRemoves() {
    Random r = new Random(1);
    TraceTable table = new TraceTable();
    Map<TraceKey, TraceSummary> model = new HashMap<>();
    List<TraceKey> keys = new ArrayList<>();
    for (int op = 0; op < 200_000; op++) {
      int what = r.nextInt(10);
      if (what < 5 || keys.isEmpty()) {
        // Sequential-looking ids too: some SDKs and tests make them, and they must still spread.
        TraceKey k = r.nextBoolean() ? new TraceKey(r.nextLong(), r.nextLong()) : new TraceKey(0, op);
        if (!model.containsKey(k)) {
          TraceSummary s = new TraceSummary(k.high(), k.low(), op, 0);
          table.add(s);
          model.put(k, s);
          keys.add(k);
        }
      } else if (what < 8) {
        TraceKey k = keys.remove(r.nextInt(keys.size()));
        assertSame(model.remove(k), table.remove(k.high(), k.low()));
      } else {
        TraceKey k = keys.get(r.nextInt(keys.size()));
        assertSame(model.get(k), table.get(k.high(), k.low()));
        assertNull(table.get(k.high() ^ 1, k.low()));
      }
      assertEquals(model.size(), table.size());
    }
    for (Map.Entry<TraceKey, TraceSummary> e : model.entrySet()) {
      assertSame(e.getValue(), table.get(e.getKey().high(), e.getKey().low()));
    }
    int[] seen = {0};
    table.forEach(s -> seen[0]++);
    assertEquals(model.size(), seen[0]);
  }
}

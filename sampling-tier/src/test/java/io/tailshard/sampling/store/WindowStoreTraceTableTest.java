package io.tailshard.sampling.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    SummarySlab slab = new SummarySlab();
    TraceTable table = new TraceTable(slab);
    Map<TraceKey, Integer> model = new HashMap<>();
    List<TraceKey> keys = new ArrayList<>();
    for (int op = 0; op < 200_000; op++) {
      int what = r.nextInt(10);
      if (what < 5 || keys.isEmpty()) {
        // Sequential-looking ids too: some SDKs and tests make them, and they must still spread.
        TraceKey k = r.nextBoolean() ? new TraceKey(r.nextLong(), r.nextLong()) : new TraceKey(0, op);
        if (!model.containsKey(k)) {
          int s = slab.allocate(k.high(), k.low(), op, 0);
          table.add(s);
          model.put(k, s);
          keys.add(k);
        }
      } else if (what < 8) {
        TraceKey k = keys.remove(r.nextInt(keys.size()));
        int removed = table.remove(k.high(), k.low());
        assertEquals(model.remove(k), removed);
        slab.free(removed);
      } else {
        TraceKey k = keys.get(r.nextInt(keys.size()));
        assertEquals(model.get(k), table.get(k.high(), k.low()));
        assertEquals(SummarySlab.NONE, table.get(k.high() ^ 1, k.low()));
      }
      assertEquals(model.size(), table.size());
    }
    for (Map.Entry<TraceKey, Integer> e : model.entrySet()) {
      assertEquals(e.getValue(), table.get(e.getKey().high(), e.getKey().low()));
    }
    int[] seen = {0};
    table.forEach(s -> seen[0]++);
    assertEquals(model.size(), seen[0]);
    assertEquals(model.size(), slab.live());
  }
}

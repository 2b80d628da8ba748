package io.tailshard.loadtest.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.ring.TraceIdRing;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClusterVerdictTest {
  private static final List<String> RING = List.of("127.0.2.1:4317", "127.0.2.2:4317");
  private static final ClusterVerdict.Check SINK = new ClusterVerdict.Check("duplicate spans", "12", "0", false);

  /** A trace id the two-node ring gives to {@code owner}. */
  private static String ownedBy(String owner, long seed) {
    TraceIdRing ring = TraceIdRing.of(RING);
    Random random = new Random(seed);
    byte[] id = new byte[16];
    do {
      random.nextBytes(id);
    } while (!ring.ownerEndpoint(id, 0).equals(owner));
    return HexFormat.of().formatHex(id);
  }

  private static JsonObject sink(String... traces) {
    JsonArray a = new JsonArray();
    for (String t : traces) {
      a.add(new JsonObject().put("trace_id", t).put("spans", 6));
    }
    return new JsonObject().put("duplicate_traces", a).put("duplicate_traces_total", traces.length);
  }

  private static JsonArray killOf(String endpoint) {
    return new JsonArray().add(new JsonObject().put("node", "sampling-2").put("endpoint", endpoint)
        .put("ring", new JsonArray(RING)));
  }

  @Test
  void duplicatesPassOnlyInTracesOfAKilledNode() {
    String onKilled = ownedBy("127.0.2.2:4317", 1);
    String onOther = ownedBy("127.0.2.1:4317", 2);
    ClusterVerdict.Check explained =
        ClusterVerdict.duplicatesAcrossKills(SINK, sink(onKilled, ownedBy("127.0.2.2:4317", 3)), killOf("127.0.2.2:4317"));
    assertTrue(explained.pass(), explained.toString());
    assertTrue(explained.measured().contains("SIGKILLed"), explained.measured());

    ClusterVerdict.Check mixed =
        ClusterVerdict.duplicatesAcrossKills(SINK, sink(onKilled, onOther), killOf("127.0.2.2:4317"));
    assertFalse(mixed.pass(), mixed.toString());
    assertTrue(mixed.measured().contains("1 trace(s) not owned"), mixed.measured());

    assertSame(SINK, ClusterVerdict.duplicatesAcrossKills(SINK, sink(onKilled), new JsonArray()), "no kill: no excuse");
    JsonObject truncated = sink(onKilled).put("duplicate_traces_total", 20_000);
    assertSame(SINK, ClusterVerdict.duplicatesAcrossKills(SINK, truncated, killOf("127.0.2.2:4317")),
        "an incomplete list explains nothing");
  }
}

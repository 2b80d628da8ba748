package io.tailshard.sampling.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tailshard.common.telemetry.MetricRegistry;
import io.tailshard.sampling.store.TraceWorkload.Placed;
import io.tailshard.sampling.store.TraceWorkload.TraceKey;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kill -9 proof at store level: a child JVM ({@link CrashAppender}) appends and decides, the
 * test kills it with SIGKILL ({@code ProcessHandle.destroyForcibly()}) mid-run, and reopening the
 * store must give back every span whose append had completed and every decision that had
 * completed. One write batch per append also makes the append that was in flight all or nothing.
 */
class WindowStoreCrashTest {
  static final long SEED = 21;
  static final int TRACES = 2000;
  static final int KILL_AFTER = 60;

  @TempDir
  Path dir;

  @Test
  void sigkillMidRunLosesNoAcknowledgedSpanOrDecision() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(java.toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), CrashAppender.class.getName(),
        dir.toString(), Long.toString(SEED), Integer.toString(TRACES))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    int acknowledged = 0;
    Map<TraceKey, Boolean> decided = new HashMap<>();
    boolean done = false;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean killed = false;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("appended ")) {
          acknowledged = Integer.parseInt(line.substring(9));
          if (acknowledged >= KILL_AFTER && !killed) {
            // SIGKILL through the process handle: unlike Process.destroyForcibly() it leaves our
            // end of the pipe open, so the lines the child printed before dying are still read.
            assertTrue(child.toHandle().destroyForcibly());
            killed = true;
          }
        } else if (line.startsWith("decided ")) {
          String[] p = line.split(" ");
          decided.put(new TraceKey(Long.parseLong(p[1]), Long.parseLong(p[2])), Boolean.parseBoolean(p[3]));
        } else if (line.equals("done")) {
          done = true;
        }
        // After the kill, lines already in the pipe are still read: they were acknowledged too.
      }
    } finally {
      child.destroyForcibly();
      assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child did not die");
    }
    TraceWorkload w = CrashAppender.workload(SEED, TRACES);
    assertTrue(!done && acknowledged < w.requests.size(),
        "killed mid-run: " + acknowledged + " of " + w.requests.size());
    assertTrue(acknowledged >= KILL_AFTER);
    assertEquals(137, child.exitValue(), "SIGKILL");
    assertTrue(decided.size() > 0, "decisions were made before the kill");

    // What each request sent, per trace: spans acknowledged (requests 1..k) and the one in flight.
    Map<TraceKey, List<Placed>> acked = new HashMap<>();
    Map<TraceKey, List<Placed>> inFlight = new HashMap<>();
    for (int i = 0; i < Math.min(acknowledged + 1, w.requests.size()); i++) {
      ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(w.requests.get(i).bytes());
      for (Placed p : TraceWorkload.flatten(req)) {
        TraceKey k = TraceKey.of(p.span().getTraceId());
        (i < acknowledged ? acked : inFlight).computeIfAbsent(k, x -> new ArrayList<>()).add(p);
      }
    }

    try (WindowStore store = WindowStore.open(CrashAppender.config(dir), new MetricRegistry())) {
      for (Map.Entry<TraceKey, Boolean> e : decided.entrySet()) {
        Optional<CachedDecision> c = store.cachedDecision(e.getKey().high(), e.getKey().low()).join();
        assertEquals(e.getValue(), c.orElseThrow().sampled(), "acknowledged decision lost");
      }
      int inFlightStored = 0;
      int inFlightMissing = 0;
      Set<TraceKey> all = new HashSet<>(acked.keySet());
      all.addAll(inFlight.keySet());
      for (TraceKey k : all) {
        if (store.cachedDecision(k.high(), k.low()).join().isPresent()) {
          continue;
        }
        List<Placed> stored = TraceWorkload.parseEach(store.readTrace(k.high(), k.low()).join());
        List<Placed> mustHave = acked.getOrDefault(k, List.of());
        List<Placed> mayHave = inFlight.getOrDefault(k, List.of());
        List<Placed> withFlight = new ArrayList<>(mustHave);
        withFlight.addAll(mayHave);
        if (TraceWorkload.sorted(stored).equals(TraceWorkload.sorted(mustHave)) && !mayHave.isEmpty()) {
          inFlightMissing++;
        } else if (!mayHave.isEmpty()) {
          assertEquals(TraceWorkload.sorted(withFlight), TraceWorkload.sorted(stored), "trace " + k);
          inFlightStored++;
        } else {
          assertEquals(TraceWorkload.sorted(mustHave), TraceWorkload.sorted(stored),
              "acknowledged spans lost: " + k);
        }
        TraceView v = store.summary(k.high(), k.low()).join().orElse(null);
        if (!stored.isEmpty()) {
          assertNotNull(v);
          assertEquals(stored.size(), v.spanCount());
        }
      }
      // The append in flight was one write batch: all of it or none of it.
      if (inFlightStored > 0 && inFlightMissing > 0) {
        fail("the append in flight was torn: " + inFlightStored + " traces stored, " + inFlightMissing + " not");
      }
      System.out.printf("crash test: killed after %d acknowledged appends of %d; %d decisions acknowledged; "
              + "in-flight append %s; %d live traces recovered%n", acknowledged, w.requests.size(), decided.size(),
          inFlightStored > 0 ? "recovered" : "absent", store.bufferedTraces());
    }
  }
}

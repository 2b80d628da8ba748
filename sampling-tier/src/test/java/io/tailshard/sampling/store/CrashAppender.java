package io.tailshard.sampling.store;

import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.telemetry.MetricRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The child process of {@link WindowStoreCrashTest}: appends the requests of a
 * {@link TraceWorkload} one by one and prints {@code appended k} once the k-th append's future
 * completed; every few requests it decides the due traces and prints {@code decided high low
 * sampled} per decision once that completed. Then it waits to be killed.
 *
 * <p>Arguments: data directory, workload seed, traces.
 */
public final class CrashAppender {
  static final Duration WAIT = Duration.ofSeconds(2);
  static final int DECIDE_EVERY = 10;
  static final long PAUSE_MILLIS = 5;

  private CrashAppender() {}

  static TraceWorkload workload(long seed, int traces) {
    return TraceWorkload.generate(seed, traces, 5, 1000, 50);
  }

  static WindowStoreConfig config(Path dir) {
    return WindowStoreConfig.defaults(dir).withDecisionWait(WAIT).withWriteBufferBytes(8L << 20);
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    TraceWorkload w = workload(Long.parseLong(args[1]), Integer.parseInt(args[2]));
    WindowStore store = WindowStore.open(config(dir), new MetricRegistry());
    TraceRequestIndex idx = new TraceRequestIndex();
    int k = 0;
    for (TraceWorkload.Request r : w.requests) {
      idx.index(r.bytes());
      store.append(idx, r.atMillis()).join();
      k++;
      System.out.println("appended " + k);
      System.out.flush();
      if (k % DECIDE_EVERY == 0) {
        List<Decision> decisions = new ArrayList<>();
        for (TraceView v : store.dueTraces(r.atMillis(), 100_000).join()) {
          decisions.add(new Decision(v.traceIdHigh(), v.traceIdLow(), (v.traceIdLow() & 1) == 0));
        }
        store.decide(decisions, r.atMillis()).join();
        StringBuilder sb = new StringBuilder();
        for (Decision d : decisions) {
          sb.append("decided ").append(d.traceIdHigh()).append(' ').append(d.traceIdLow()).append(' ')
              .append(d.sampled()).append('\n');
        }
        System.out.print(sb);
        System.out.flush();
      }
      Thread.sleep(PAUSE_MILLIS);
    }
    System.out.println("done");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}

package io.tailshard.loadtest.generate;

import io.tailshard.loadtest.cli.ProcessCpu;
import io.tailshard.loadtest.truth.GroundTruthFiles;
import io.tailshard.loadtest.truth.SpanMetricsTable;
import io.tailshard.loadtest.truth.TraceTruth;
import io.vertx.core.Future;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The load loop. One planner thread runs a fixed tick: a token bucket admits traces at the target
 * span rate; each admitted trace's spans are put on a timeline at their emission times (spread over
 * the trace spread, late spans after the late delay) grouped by connection; due spans go into their
 * connection's open batch, which is encoded into one request when it is full or old enough (like an
 * SDK's batch span processor); encoded requests go out while the connection has an in-flight slot.
 * Answers arrive on event loops; a trace whose spans are all answered gets its ground-truth line.
 *
 * <p>When the receiver cannot keep up, encoded requests wait in the connection's queue; past about
 * two seconds of traffic the bucket stops admitting traces, so the offered rate drops below the
 * target and the report shows it (the generator never drops or retries spans by itself).
 */
final class Generator {
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final GeneratorOptions o;
  private final PrintStream log;
  private final SpanTemplates templates;
  private final RequestEncoder encoder;
  private final TraceFactory factory;
  private final Lane[] lanes;
  private final PriorityQueue<Emission> timeline = new PriorityQueue<>();
  private final ConcurrentLinkedQueue<TracePlan> completed = new ConcurrentLinkedQueue<>();
  private final Set<TracePlan> live = Collections.newSetFromMap(new IdentityHashMap<>());
  private final SpanMetricsTable spanMetrics = new SpanMetricsTable();
  private final SpanMetricsTable.Key[][][][] keyCache;
  private final Recorder latency = new Recorder(3);
  private final Histogram latencyTotal = new Histogram(3);
  private final LongAdder acceptedSpans = new LongAdder();
  private final LongAdder failedSpans = new LongAdder();
  private final LongAdder requestsDone = new LongAdder();
  private final LongAdder requestsFailed = new LongAdder();
  private final LongAccumulator lastAcceptAt = new LongAccumulator(Long::max, Long.MIN_VALUE);
  private final AtomicReference<String> lastError = new AtomicReference<>();
  private final long backlogLimit;
  private final long intervalNanos;

  // Planner-confined state.
  private double tokens;
  private long admittedTraces;
  private long admittedSpans;
  private long errorTraces;
  private long lateSpansAccepted;
  private long tracesWithFailures;
  private long throttledTicks;
  private long wallBaseNanos;
  private long monoBase;

  Generator(GeneratorOptions options, List<Transport> transports, PrintStream log) {
    this.o = options;
    this.log = log;
    SplittableRandom random = new SplittableRandom(options.seed());
    this.templates = new SpanTemplates(options.services(), options.operations(), options.attributes(),
        options.attributeSize(), random.split());
    this.encoder = options.protocol() == GeneratorOptions.Protocol.HTTP_JSON
        ? new JsonRequestEncoder(templates) : new ProtobufRequestEncoder(templates);
    this.factory = new TraceFactory(options, random.split());
    this.lanes = new Lane[transports.size()];
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new Lane(transports.get(i), options.batchSpans());
    }
    this.keyCache = new SpanMetricsTable.Key[options.services()][options.operations()][4][3];
    double peak = options.rateSteps().stream().mapToDouble(GeneratorOptions.RateStep::rate).max().orElse(0);
    this.backlogLimit = Math.max((long) (2 * Math.max(options.rate(), peak)), 2L * options.batchSpans() * lanes.length);
    this.intervalNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), options.batchInterval().toNanos());
  }

  /** One connection: its open batch, its encoded requests waiting for a slot, its in-flight count. */
  private static final class Lane {
    final Transport transport;
    final TracePlan[] plans;
    final int[] spans;
    int size;
    long openedAt;
    final ArrayDeque<Request> ready = new ArrayDeque<>();
    long readySpans;
    final AtomicInteger inflight = new AtomicInteger();

    Lane(Transport transport, int batchSpans) {
      this.transport = transport;
      this.plans = new TracePlan[batchSpans];
      this.spans = new int[batchSpans];
    }
  }

  private record Request(byte[] body, TracePlan[] plans, int[] spans, int count) {}

  /** Spans of one trace due on one connection at one time. */
  private record Emission(long due, TracePlan plan, int lane, int[] spans) implements Comparable<Emission> {
    @Override
    public int compareTo(Emission other) {
      return Long.compare(due, other.due);
    }
  }

  /** Runs to the end (duration or trace count, then drain) and writes the run directory. */
  GenerateSummary run() throws IOException {
    Files.createDirectories(o.out());
    Instant startInstant = Instant.now();
    monoBase = System.nanoTime();
    wallBaseNanos = startInstant.getEpochSecond() * 1_000_000_000L + startInstant.getNano();
    long start = monoBase;
    long stopCreatingAt = start + o.duration().toNanos();
    long forcedStopAt = Long.MAX_VALUE;
    long creationEnd = -1;
    boolean creating = true;
    boolean forced = false;
    long lastRefill = start;
    long nextTick = start;
    long nextSecond = start + SECOND;
    long cpuStart = ProcessCpu.nanos();
    TracePlan next = factory.next();
    List<Second> seconds = new ArrayList<>();
    Second previous = new Second(0, 0, 0, 0, 0);
    lastAcceptAt.accumulate(start);

    try (GroundTruthFiles.Writer truth = new GroundTruthFiles.Writer(o.out().resolve(GroundTruthFiles.TRUTH));
        BufferedWriter series = Files.newBufferedWriter(o.out().resolve(GroundTruthFiles.GENERATE_TIMESERIES),
            StandardCharsets.UTF_8)) {
      series.write("t_s,unix_ms,target_spans_per_s,offered_spans_per_s,accepted_spans_per_s,failed_spans_per_s,"
          + "requests_per_s,inflight_requests,backlog_spans,latency_p50_ms,latency_p90_ms,latency_p99_ms,"
          + "latency_max_ms,cpu_seconds\n");
      while (true) {
        long now = System.nanoTime();
        if (creating) {
          double rate = o.rateAt(now - start);
          tokens = Math.min(tokens + rate * (now - lastRefill) / 1e9, Math.max(rate, GeneratorOptions.MAX_SPANS_PER_TRACE));
          lastRefill = now;
          while (true) {
            if (now >= stopCreatingAt || (o.maxTraces() > 0 && admittedTraces >= o.maxTraces())) {
              creating = false;
              creationEnd = now;
              forcedStopAt = now + o.traceSpread().toNanos() + o.lateDelay().toNanos() + 2 * intervalNanos
                  + o.drainTimeout().toNanos();
              break;
            }
            if (backlog() > backlogLimit) {
              throttledTicks++;
              break;
            }
            if (tokens < next.spanCount) {
              break;
            }
            tokens -= next.spanCount;
            admit(next, now);
            next = factory.next();
          }
        }
        releaseDue(now);
        for (Lane lane : lanes) {
          if (lane.size > 0 && (now - lane.openedAt >= intervalNanos || timeline.isEmpty() && !creating)) {
            seal(lane);
          }
          dispatch(lane);
        }
        drainCompleted(truth);

        if (now >= nextSecond) {
          truth.flush();
          Second s = second(seconds.size() + 1, 1.0, previous, series, cpuStart);
          seconds.add(s);
          previous = s;
          nextSecond += SECOND;
        }
        if (!creating && idle()) {
          break;
        }
        if (!creating && now >= forcedStopAt) {
          forced = true;
          break;
        }
        nextTick += TICK_NANOS;
        long sleep = nextTick - System.nanoTime();
        if (sleep > 0) {
          LockSupport.parkNanos(sleep);
        } else {
          nextTick = System.nanoTime();
        }
      }
      long end = System.nanoTime();
      Future<?> closing = Future.all(Arrays.stream(lanes).map(l -> l.transport.close()).toList());
      try {
        closing.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.println("generate: closing connections: " + e);
      }
      drainCompleted(truth);
      if (forced) {
        // Spans still unsent or unanswered at the deadline: their traces go into the truth with
        // those spans counted as failed, so the sink does not judge them.
        for (TracePlan plan : new ArrayList<>(live)) {
          writeTruth(plan, truth);
        }
        live.clear();
      }
      // The last, partial second: its counts become rates over the part of a second it covers.
      double part = Math.min(1.0, Math.max(0.05, (System.nanoTime() - (nextSecond - SECOND)) / 1e9));
      Second last = second(seconds.size() + 1, part, previous, series, cpuStart);
      if (last.accepted + last.failed + last.offered > 0) {
        seconds.add(last);
      }
      GroundTruthFiles.writeSpanMetrics(o.out().resolve(GroundTruthFiles.SPANMETRICS), spanMetrics);
      long cpu = ProcessCpu.nanos() - cpuStart;
      return new GenerateSummary(o, startInstant, (end - start) / 1e9,
          creationEnd < 0 ? (end - start) / 1e9 : (creationEnd - start) / 1e9,
          Math.max(1e-9, (lastAcceptAt.get() - start) / 1e9), admittedTraces, admittedSpans,
          acceptedSpans.sum(), failedSpans.sum(), requestsDone.sum(), requestsFailed.sum(), errorTraces,
          lateSpansAccepted, tracesWithFailures, throttledTicks * TICK_NANOS / 1e9, latencyTotal.copy(),
          cpu < 0 ? -1 : cpu / 1e9, forced, lastError.get(), seconds);
    }
  }

  /** One line of the per-second series (cumulative counters, to take differences). */
  record Second(int t, long offered, long accepted, long failed, long requests) {}

  /** Writes one series line; {@code part} is the share of a second the line covers (1 but for the last). */
  private Second second(int t, double part, Second prev, BufferedWriter series, long cpuStart) throws IOException {
    long acc = acceptedSpans.sum();
    long fail = failedSpans.sum();
    long req = requestsDone.sum();
    Histogram h = latency.getIntervalHistogram();
    latencyTotal.add(h);
    int inflight = 0;
    for (Lane l : lanes) {
      inflight += l.inflight.get();
    }
    Second s = new Second(t, admittedSpans, acc, fail, req);
    long cpu = ProcessCpu.nanos();
    double target = o.rateAt((long) ((t - 1 + part) * SECOND));
    series.write(t + "," + System.currentTimeMillis() + "," + fmt(target) + "," + rate(s.offered - prev.offered, part)
        + "," + rate(acc - prev.accepted, part) + "," + rate(fail - prev.failed, part) + ","
        + rate(req - prev.requests, part) + "," + inflight + "," + backlog() + ","
        + ms(h, 50) + "," + ms(h, 90) + "," + ms(h, 99) + "," + ms(h, 100) + ","
        + (cpu < 0 ? "" : fmt((cpu - cpuStart) / 1e9)) + "\n");
    series.flush();
    if (!o.quiet()) {
      log.printf("generate %4ds  target %.0f/s  offered %d/s  accepted %d/s  failed %d/s  inflight %d  backlog %d"
              + "  latency p50 %s p99 %s max %s ms%n",
          t, target, s.offered - prev.offered, acc - prev.accepted, fail - prev.failed, inflight, backlog(),
          ms(h, 50), ms(h, 99), ms(h, 100));
    }
    return s;
  }

  private static String rate(long count, double part) {
    return fmt(Math.round(count / part));
  }

  static String ms(Histogram h, double percentile) {
    if (h.getTotalCount() == 0) {
      return "";
    }
    long us = percentile >= 100 ? h.getMaxValue() : h.getValueAtPercentile(percentile);
    return fmt(us / 1000.0);
  }

  static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format("%.3f", v);
  }

  private long backlog() {
    long n = 0;
    for (Lane l : lanes) {
      n += l.readySpans;
    }
    return n;
  }

  private boolean idle() {
    if (!timeline.isEmpty() || !live.isEmpty()) {
      return false;
    }
    for (Lane l : lanes) {
      if (l.size > 0 || !l.ready.isEmpty() || l.inflight.get() > 0) {
        return false;
      }
    }
    return true;
  }

  private void admit(TracePlan plan, long now) {
    plan.startUnixNano = wallBaseNanos + (now - monoBase);
    admittedTraces++;
    admittedSpans += plan.spanCount;
    live.add(plan);
    int n = plan.spanCount;
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      long slot = plan.emitOffset[i] / intervalNanos;
      keys[i] = ((slot * lanes.length + laneOf(plan, i)) << 16) | i;
    }
    Arrays.sort(keys);
    int from = 0;
    while (from < n) {
      long group = keys[from] >>> 16;
      int to = from;
      while (to < n && keys[to] >>> 16 == group) {
        to++;
      }
      int[] spans = new int[to - from];
      for (int k = from; k < to; k++) {
        spans[k - from] = (int) (keys[k] & 0xFFFF);
      }
      long slot = group / lanes.length;
      timeline.add(new Emission(now + slot * intervalNanos, plan, (int) (group % lanes.length), spans));
      from = to;
    }
  }

  /**
   * The connection a span goes out on: fixed per trace and service (one service instance's
   * exporter), different services of a trace mostly on different connections.
   */
  private int laneOf(TracePlan plan, int span) {
    long h = plan.id.low() + plan.service[span] * 0x9E3779B97F4A7C15L;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return (int) Math.floorMod(h, (long) lanes.length);
  }

  private void releaseDue(long now) {
    Emission e;
    while ((e = timeline.peek()) != null && e.due <= now) {
      timeline.poll();
      Lane lane = lanes[e.lane];
      for (int s : e.spans) {
        if (lane.size == 0) {
          lane.openedAt = now;
        }
        lane.plans[lane.size] = e.plan;
        lane.spans[lane.size] = s;
        lane.size++;
        if (lane.size == lane.plans.length) {
          seal(lane);
        }
      }
    }
  }

  private void seal(Lane lane) {
    int n = lane.size;
    byte[] body = encoder.encode(lane.plans, lane.spans, n);
    lane.ready.add(new Request(body, Arrays.copyOf(lane.plans, n), Arrays.copyOf(lane.spans, n), n));
    lane.readySpans += n;
    Arrays.fill(lane.plans, 0, n, null);
    lane.size = 0;
  }

  private void dispatch(Lane lane) {
    while (!lane.ready.isEmpty() && lane.inflight.get() < o.maxInflight()) {
      Request r = lane.ready.poll();
      lane.readySpans -= r.count;
      lane.inflight.incrementAndGet();
      long sentAt = System.nanoTime();
      lane.transport.send(r.body, r.count, outcome -> answered(lane, r, sentAt, outcome));
    }
  }

  /** On an event loop: records the answer and hands finished traces to the planner. */
  private void answered(Lane lane, Request r, long sentAt, Transport.Outcome outcome) {
    long now = System.nanoTime();
    latency.recordValue(Math.max(1, (now - sentAt) / 1000));
    if (outcome.ok()) {
      for (int k = 0; k < r.count; k++) {
        r.plans[k].accept(r.spans[k]);
      }
      acceptedSpans.add(r.count);
      lastAcceptAt.accumulate(now);
    } else {
      failedSpans.add(r.count);
      requestsFailed.increment();
      lastError.set(lane.transport.endpoint() + ": " + outcome.error());
    }
    for (int k = 0; k < r.count; k++) {
      if (r.plans[k].resolveOne()) {
        completed.add(r.plans[k]);
      }
    }
    requestsDone.increment();
    lane.inflight.decrementAndGet();
  }

  private void drainCompleted(GroundTruthFiles.Writer truth) throws IOException {
    TracePlan p;
    while ((p = completed.poll()) != null) {
      if (live.remove(p)) {
        writeTruth(p, truth);
      }
    }
  }

  private void writeTruth(TracePlan p, GroundTruthFiles.Writer truth) throws IOException {
    int accepted = 0;
    int late = 0;
    boolean error = false;
    BitSet services = new BitSet();
    for (int i = 0; i < p.spanCount; i++) {
      services.set(p.service[i]);
      if (!p.accepted(i)) {
        continue;
      }
      accepted++;
      if (p.late[i]) {
        late++;
      }
      int status = p.error(i) ? 2 : 0;
      error |= status == 2;
      spanMetrics.record(key(p.service[i], p.operation[i], p.kind[i], status), p.endOffset[i] - p.startOffset[i]);
    }
    List<String> names = new ArrayList<>();
    services.stream().forEach(s -> names.add(templates.serviceNames[s]));
    truth.write(new TraceTruth(p.id, accepted, error, late, p.spanCount - accepted, p.startUnixNano, names));
    if (error) {
      errorTraces++;
    }
    lateSpansAccepted += late;
    if (accepted < p.spanCount) {
      tracesWithFailures++;
    }
  }

  private SpanMetricsTable.Key key(int service, int op, int kind, int status) {
    SpanMetricsTable.Key k = keyCache[service][op][kind][status];
    if (k == null) {
      k = new SpanMetricsTable.Key(templates.serviceNames[service], templates.spanNames[service][op],
          SpanMetricsTable.kindName(kind), SpanMetricsTable.statusName(status));
      keyCache[service][op][kind][status] = k;
    }
    return k;
  }
}

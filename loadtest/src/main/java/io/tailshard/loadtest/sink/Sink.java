package io.tailshard.loadtest.sink;

import io.tailshard.loadtest.cli.ProcessCpu;
import io.tailshard.loadtest.truth.GroundTruthFiles;
import io.tailshard.loadtest.truth.ProbabilisticRule;
import io.tailshard.loadtest.truth.SpanMetricsTable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A running sink: the OTLP listeners, the ledgers, and the loop on the caller's thread that once a
 * second reads new ground-truth lines, prints the live line, appends the series, and decides when
 * to stop: at {@code duration}, or {@code settle} after the generator's summary appeared (its
 * ground truth is then complete), or on {@link #requestStop}.
 */
final class Sink implements AutoCloseable {
  private final SinkOptions o;
  private final PrintStream log;
  private final Vertx vertx;
  private final SpanLedger spans = new SpanLedger();
  private final MetricsLedger metrics;
  private final SinkServer server;
  private final int[] ports;
  private final CountDownLatch stop = new CountDownLatch(1);

  private Sink(SinkOptions o, PrintStream log) throws IOException {
    this.o = o;
    this.log = log;
    this.metrics = new MetricsLedger(o.metricsNamespace());
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    this.server = new SinkServer(vertx, spans, metrics, o.maxMessageSize());
    try {
      this.ports = server.start(o.grpc(), o.http()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new IOException("sink: cannot listen: " + (e.getCause() != null ? e.getCause() : e), e);
    }
  }

  /** Starts the listeners and prints where they are. */
  static Sink start(SinkOptions o, PrintStream log) throws IOException {
    Sink s = new Sink(o, log);
    log.printf("sink listening: grpc %s http %s%n",
        s.ports[0] < 0 ? "off" : o.grpc().host() + ":" + s.ports[0],
        s.ports[1] < 0 ? "off" : o.http().host() + ":" + s.ports[1]);
    return s;
  }

  int grpcPort() {
    return ports[0];
  }

  int httpPort() {
    return ports[1];
  }

  SpanLedger spans() {
    return spans;
  }

  /** Makes {@link #runUntilDone} stop at its next second. */
  void requestStop() {
    stop.countDown();
  }

  /** Blocks until a stop condition holds, then judges, writes the result file and returns the verdict. */
  Verdict runUntilDone() throws IOException, InterruptedException {
    Files.createDirectories(o.out());
    long start = System.nanoTime();
    long deadline = start + o.duration().toNanos();
    long settledAt = Long.MAX_VALUE;
    long cpuStart = ProcessCpu.nanos();
    Path truthFile = o.truthDir() == null ? null : o.truthDir().resolve(GroundTruthFiles.TRUTH);
    Path summaryFile = o.truthDir() == null ? null : o.truthDir().resolve(GroundTruthFiles.GENERATE_SUMMARY);
    GroundTruthFiles.Follower follower = truthFile == null ? null : new GroundTruthFiles.Follower(truthFile);
    SpanLedger.Snapshot previous = spans.snapshot();
    int t = 0;
    try (BufferedWriter series = Files.newBufferedWriter(o.out().resolve(GroundTruthFiles.SINK_TIMESERIES),
        StandardCharsets.UTF_8)) {
      series.write("t_s,unix_ms,spans_per_s,requests_per_s,spans_total,duplicates_total,traces_seen,traces_with_truth,"
          + "traces_complete,age_p50_ms,age_p99_ms,cpu_seconds\n");
      while (true) {
        long next = start + (t + 1) * 1_000_000_000L;
        boolean stopRequested = stop.await(Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS);
        t++;
        if (follower != null) {
          spans.expect(follower.poll());
        }
        SpanLedger.Snapshot s = spans.snapshot();
        writeSecond(series, t, previous, s, cpuStart);
        previous = s;
        long now = System.nanoTime();
        if (summaryFile != null && settledAt == Long.MAX_VALUE && Files.exists(summaryFile)) {
          settledAt = now + o.settle().toNanos();
          if (!o.quiet()) {
            log.printf("sink: the generator finished; settling for %ds%n", o.settle().toSeconds());
          }
        }
        if (stopRequested || now >= deadline || now >= settledAt) {
          break;
        }
      }
    }
    try {
      server.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.println("sink: closing listeners: " + e);
    }
    boolean truthRead = false;
    if (follower != null) {
      spans.expect(follower.poll());
      follower.close();
      truthRead = Files.exists(truthFile);
    }
    SpanMetricsTable expected = null;
    if (o.checkSpanmetrics()) {
      Path file = o.truthDir() == null ? null : o.truthDir().resolve(GroundTruthFiles.SPANMETRICS);
      expected = file != null && Files.exists(file) ? GroundTruthFiles.readSpanMetrics(file) : new SpanMetricsTable();
    }
    Verdict v = Verdict.judge(spans, new ProbabilisticRule(o.samplingPercentage(), o.hashSalt()), o.exactRule(),
        truthRead, expected, o.checkSpanmetrics() ? metrics : null);
    long cpu = ProcessCpu.nanos();
    JsonObject result = v.toJson()
        .put("command", "sink")
        .put("seconds", t)
        .put("sampling_percentage", o.samplingPercentage())
        .put("requests_refused", server.refused())
        .put("metrics_requests", metrics.requests())
        .put("metrics_points", metrics.points())
        .put("cpu_seconds", cpu < 0 ? null : (cpu - cpuStart) / 1e9)
        .put("cpu_seconds_per_million_spans", cpu < 0 || v.spansReceived == 0 ? null
            : (cpu - cpuStart) / 1e9 / (v.spansReceived / 1e6));
    Histogram age = spans.ageTotal();
    result.put("span_age_ms", new JsonObject()
        .put("p50", age.getValueAtPercentile(50) / 1000.0)
        .put("p99", age.getValueAtPercentile(99) / 1000.0)
        .put("max", age.getMaxValue() / 1000.0));
    GroundTruthFiles.writeAtomically(o.out().resolve(GroundTruthFiles.SINK_RESULT), result.encodePrettily());
    log.print(v.text());
    return v;
  }

  private void writeSecond(BufferedWriter series, int t, SpanLedger.Snapshot prev, SpanLedger.Snapshot s, long cpuStart)
      throws IOException {
    Histogram age = s.ageInterval();
    String p50 = age.getTotalCount() == 0 ? "" : fmt(age.getValueAtPercentile(50) / 1000.0);
    String p99 = age.getTotalCount() == 0 ? "" : fmt(age.getValueAtPercentile(99) / 1000.0);
    long cpu = ProcessCpu.nanos();
    series.write(t + "," + System.currentTimeMillis() + "," + (s.spans() - prev.spans()) + "," + (s.requests() - prev.requests()) + "," + s.spans() + ","
        + s.duplicates() + "," + s.tracesSeen() + "," + s.tracesWithTruth() + "," + s.tracesComplete() + ","
        + p50 + "," + p99 + "," + (cpu < 0 ? "" : fmt((cpu - cpuStart) / 1e9)) + "\n");
    series.flush();
    if (!o.quiet()) {
      log.printf("sink %4ds  received %d spans/s (total %d)  traces seen %d, complete %d of %d in truth"
              + "  duplicates %d  span age p50 %s ms%n",
          t, s.spans() - prev.spans(), s.spans(), s.tracesSeen(), s.tracesComplete(), s.tracesWithTruth(),
          s.duplicates(), p50.isEmpty() ? "-" : p50);
    }
  }

  private static String fmt(double v) {
    return String.format("%.3f", v);
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.println("sink: closing Vert.x: " + e);
    }
  }
}

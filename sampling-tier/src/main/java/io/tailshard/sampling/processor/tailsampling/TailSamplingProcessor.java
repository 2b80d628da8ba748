package io.tailshard.sampling.processor.tailsampling;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.otlp.wire.TraceRequestWriter;
import io.tailshard.common.otlp.wire.WireFormatException;
import io.tailshard.sampling.store.AppendResult;
import io.tailshard.sampling.store.KeptTrace;
import io.tailshard.sampling.store.LateTrace;
import io.tailshard.sampling.store.WindowStore;
import io.tailshard.sampling.store.WindowStoreConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The {@code tail_sampling} processor on a disk-backed buffer (DESIGN §7).
 *
 * <p><b>Ingest</b> ({@link #consumeTraces}, any event loop): the request is indexed on the wire and
 * appended to the {@link WindowStore} (one RocksDB write batch, WAL on). The sender is answered only
 * once the append is durable, so an acknowledged span survives a killed process. Spans of traces
 * already decided are not buffered: kept ones are forwarded at once, dropped ones are counted.
 *
 * <p><b>Decisions</b> (one Vert.x context, every {@link #TICK}): due traces (first seen +
 * {@code decision_wait}, or, with {@code decision_wait_after_root_received}, root span arrival +
 * that option when sooner; the store keeps the due order) are evaluated on their in-memory
 * summaries. Not-sampled ones are recorded
 * as decided right away. Kept ones are read back, handed to the next consumer, and recorded as
 * decided only once the next consumer accepted them: a crash in between re-decides the trace after
 * restart (at worst a duplicate downstream), never loses it. A kept trace refused downstream stays
 * buffered and is retried. Spans that arrive while a kept trace is being exported are handed back
 * by the decision and forwarded right after it.
 *
 * <p><b>Shutdown</b>: stop taking data, finish the round in progress, close the store. Undecided
 * traces are decided after the restart, on all their spans, unless
 * {@code drop_pending_traces_on_shutdown} asks to drop them. After a restart with recovered traces
 * the first decision round waits one {@code decision_wait}, so spans held for the node while it was
 * down (an lb node's retries) reach their traces before those are decided.
 */
final class TailSamplingProcessor implements TracesProcessor {
  static final Duration TICK = Duration.ofMillis(200);
  /** Due traces taken per round; a backlog is worked off over several rounds, oldest first. */
  static final int MAX_DUE_PER_ROUND = 20_000;
  /** Kept traces are exported in batches of about this many spans. */
  static final int KEPT_BATCH_SPANS = 4096;
  private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
  /** Bound of {@link #pendingForwards}: spans that arrived during exports are few, a stuck downstream is not. */
  static final int MAX_PENDING_FORWARDS = 1000;
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);

  private final ComponentSettings settings;
  private final TailSamplingConfig config;
  private final WindowStoreConfig storeConfig;
  private final TracesConsumer next;
  private final PolicyEvaluator evaluator;
  private final Evaluation evaluation;
  private final SummaryView view = new SummaryView();
  private final TailSamplingMetrics metrics;
  private final LongSupplier clock;
  private final Logger log;
  private final String id;
  private final ThreadLocal<TraceRequestIndex> index = ThreadLocal.withInitial(TraceRequestIndex::new);
  /** Kept traces whose export was refused downstream; retried, oldest first. Decision context only. */
  private final ArrayDeque<io.tailshard.sampling.store.TraceView> retry = new ArrayDeque<>();
  /** Spans of already kept traces whose forward was refused downstream; retried. Decision context only. */
  private final ArrayDeque<TraceData> pendingForwards = new ArrayDeque<>();

  private volatile WindowStore store;
  private volatile boolean stopping;
  private volatile long lagMillis;
  private Context context;
  private long timer = -1;
  private boolean roundRunning;
  private long nextRetryMillis;
  private boolean reportedFull;

  TailSamplingProcessor(ComponentSettings settings, TailSamplingConfig config, WindowStoreConfig storeConfig,
      TracesConsumer next, LongSupplier clock) {
    this.settings = settings;
    this.config = config;
    this.storeConfig = storeConfig;
    this.next = next;
    this.clock = clock;
    this.log = settings.logger();
    this.id = settings.id().toString();
    this.evaluator = PolicyEvaluator.create(config);
    this.evaluation = evaluator.newEvaluation();
    this.metrics = new TailSamplingMetrics(settings.telemetry().metrics(), id, evaluator);
    metrics.gauges(() -> store == null ? 0 : store.bufferedTraces(), () -> lagMillis / 1000.0);
  }

  @Override
  public Future<Void> start() {
    Vertx vertx = settings.vertx();
    context = vertx.getOrCreateContext();
    settings.telemetry().health().notReady(id, "opening the trace buffer at " + storeConfig.directory());
    Duration afterRoot = config.decisionWaitAfterRootReceived();
    if (!afterRoot.isZero() && afterRoot.compareTo(config.decisionWait()) >= 0) {
      // As in the Collector, the option only ever brings a decision forward.
      log.warning("decision_wait_after_root_received (" + afterRoot + ") is not below decision_wait ("
          + config.decisionWait() + "): it has no effect, traces are decided decision_wait after their first span");
    }
    // Opening recovers the buffered traces (a scan): a worker thread, never an event loop.
    return vertx.executeBlocking(() -> WindowStore.open(storeConfig, settings.telemetry().metrics()), false)
        .map(s -> {
          store = s;
          log.info("trace buffer open at " + storeConfig.directory() + " with " + s.bufferedTraces()
              + " undecided traces (" + s.bufferedSpans() + " spans)");
          settings.telemetry().health().ready(id);
          // Recovered traces are mostly overdue after the downtime, but senders (lb nodes retrying)
          // still hold spans of theirs: decided at once, they would be decided on part of their
          // spans, and a late error span would follow a "not sampled". So the first round waits one
          // decision_wait, as long as a trace first seen now waits anyway; no new trace is delayed.
          long firstRound = s.bufferedTraces() > 0 ? config.decisionWait().toMillis() : TICK.toMillis();
          if (s.bufferedTraces() > 0) {
            log.info("deciding the " + s.bufferedTraces() + " recovered traces in " + config.decisionWait()
                .toMillis() + " ms, once spans held for this node while it was down have arrived");
          }
          context.runOnContext(v -> timer = vertx.setTimer(firstRound, first -> {
            if (!stopping) {
              timer = vertx.setPeriodic(TICK.toMillis(), t -> round());
              round();
            }
          }));
          return (Void) null;
        });
  }

  // ---- ingest

  @Override
  public Future<Void> consumeTraces(TraceData data) {
    WindowStore s = store;
    if (stopping || s == null) {
      return Future.failedFuture(RefusedException.retryable(
          stopping ? "tail_sampling is shutting down" : "tail_sampling is still opening its buffer"));
    }
    TraceRequestIndex idx = index.get();
    try {
      idx.index(data.array(), data.offset(), data.length());
    } catch (WireFormatException e) {
      return Future.failedFuture(RefusedException.permanent(e.getMessage()));
    }
    long now = clock.getAsLong();
    Context here = settings.vertx().getOrCreateContext();
    Future<AppendResult> appended = fromStage(s.append(idx, now), here);
    if (config.onStoreFull() == TailSamplingConfig.OnStoreFull.DROP_OLDEST) {
      appended = appended.recover(err -> {
        if (!(err instanceof RefusedException) || !s.isFull()) {
          return Future.failedFuture(err);
        }
        // The Collector's behaviour when full: make room by dropping the oldest undecided traces.
        return dropOldest(s, now).compose(v -> reindexAndAppend(s, data, now, here));
      });
    }
    return appended.compose(r -> afterAppend(r, now));
  }

  private Future<AppendResult> reindexAndAppend(WindowStore s, TraceData data, long now, Context here) {
    TraceRequestIndex idx = index.get();
    try {
      idx.index(data.array(), data.offset(), data.length());
    } catch (WireFormatException e) {
      return Future.failedFuture(RefusedException.permanent(e.getMessage()));
    }
    return fromStage(s.append(idx, now), here);
  }

  private Future<Void> dropOldest(WindowStore s, long now) {
    // Asking for the traces due far in the future yields the oldest undecided ones, in order.
    return fromStage(s.dueTraces(Long.MAX_VALUE / 2, 1000), settings.vertx().getOrCreateContext())
        .compose(oldest -> {
          List<io.tailshard.sampling.store.Decision> drop = new ArrayList<>(oldest.size());
          for (io.tailshard.sampling.store.TraceView t : oldest) {
            drop.add(new io.tailshard.sampling.store.Decision(t.traceIdHigh(), t.traceIdLow(), false));
          }
          metrics.droppedTooEarly.add(drop.size());
          return fromStage(s.decide(drop, now), settings.vertx().getOrCreateContext()).mapEmpty();
        });
  }

  private Future<Void> afterAppend(AppendResult r, long now) {
    metrics.newTraces.add(r.newTraces());
    if (r.late().isEmpty()) {
      return Future.succeededFuture();
    }
    ByteArrayOutputStream kept = null;
    int keptSpans = 0;
    for (LateTrace late : r.late()) {
      metrics.lateSpanAge.record(Math.max(0, now - late.decision().decidedAtMillis()) / 1000.0);
      if (late.decision().sampled()) {
        metrics.earlyReleaseSampled.add(late.spanCount());
        if (kept == null) {
          kept = new ByteArrayOutputStream();
        }
        // Concatenated requests parse as one request holding all their resource spans.
        kept.writeBytes(late.request());
        keptSpans += late.spanCount();
      } else {
        metrics.earlyReleaseNotSampled.add(late.spanCount());
      }
    }
    return kept == null ? Future.succeededFuture() : next.consumeTraces(new TraceData(kept.toByteArray(), keptSpans));
  }

  // ---- decisions

  private void round() {
    WindowStore s = store;
    if (roundRunning || s == null || stopping) {
      return;
    }
    reportFullness(s);
    roundRunning = true;
    long started = System.nanoTime();
    long now = clock.getAsLong();
    retryKept(s, now)
        .compose(v -> fromStage(s.dueTraces(now, MAX_DUE_PER_ROUND), context))
        .compose(due -> decide(s, due, now))
        .onComplete(ar -> {
          roundRunning = false;
          metrics.timerLatency.record((System.nanoTime() - started) / 1e6);
          if (ar.failed()) {
            log.warning("decision round failed (will run again): " + ar.cause());
          }
        });
  }

  /** A full buffer refuses new spans (retryable); say so in health, so the node shows why. */
  private void reportFullness(WindowStore s) {
    boolean full = s.isFull();
    if (full != reportedFull) {
      reportedFull = full;
      if (full) {
        settings.telemetry().health().notReady(id + "/buffer", "trace buffer full (max_store_size "
            + storeConfig.maxSizeBytes() + " bytes or num_traces " + storeConfig.maxTraces() + "): new spans are refused");
        log.warning("trace buffer full: refusing new spans until decided traces free room");
      } else {
        settings.telemetry().health().ready(id + "/buffer");
        log.info("trace buffer has room again");
      }
    }
  }

  private Future<Void> decide(WindowStore s, List<io.tailshard.sampling.store.TraceView> due, long now) {
    if (due.isEmpty()) {
      lagMillis = 0;
      return Future.succeededFuture();
    }
    lagMillis = Math.max(0, now - due.get(0).dueMillis());
    List<io.tailshard.sampling.store.Decision> notSampled = new ArrayList<>();
    List<io.tailshard.sampling.store.TraceView> kept = new ArrayList<>();
    long maxBytes = config.maximumTraceSizeBytes();
    for (io.tailshard.sampling.store.TraceView t : due) {
      Decision d;
      if (maxBytes > 0 && t.bytes() > maxBytes) {
        metrics.tooLarge.inc();
        d = Decision.NOT_SAMPLED;
      } else {
        long t0 = System.nanoTime();
        d = evaluator.evaluate(view.of(t), evaluation);
        metrics.decisionLatency.record((System.nanoTime() - t0) / 1e3);
        for (int p = 0; p < evaluation.evaluatedCount(); p++) {
          metrics.perPolicy[p][evaluation.policyDecision(p).ordinal()].inc();
        }
      }
      metrics.global[d.ordinal()].inc();
      metrics.removalAge.record(Math.max(0, now - t.firstSeenMillis()) / 1000.0);
      if (d == Decision.SAMPLED || d == Decision.INVERT_SAMPLED) {
        kept.add(t);
      } else {
        notSampled.add(new io.tailshard.sampling.store.Decision(t.traceIdHigh(), t.traceIdLow(), false));
      }
    }
    Future<Void> dropped = notSampled.isEmpty()
        ? Future.succeededFuture()
        : fromStage(s.decide(notSampled, now), context).mapEmpty();
    return dropped.compose(v -> exportKept(s, kept, 0, now));
  }

  /** Exports kept traces from {@code from} on in batches, recording each batch as decided once accepted. */
  private Future<Void> exportKept(WindowStore s, List<io.tailshard.sampling.store.TraceView> kept, int from, long now) {
    if (from >= kept.size()) {
      return Future.succeededFuture();
    }
    int to = from;
    int spans = 0;
    while (to < kept.size() && (to == from || spans + kept.get(to).spanCount() <= KEPT_BATCH_SPANS)) {
      spans += kept.get(to).spanCount();
      to++;
    }
    List<io.tailshard.sampling.store.TraceView> batch = kept.subList(from, to);
    int end = to;
    return exportBatch(s, batch, now).compose(v -> exportKept(s, kept, end, now));
  }

  private Future<Void> exportBatch(WindowStore s, List<io.tailshard.sampling.store.TraceView> batch, long now) {
    List<Future<List<byte[]>>> reads = new ArrayList<>(batch.size());
    for (io.tailshard.sampling.store.TraceView t : batch) {
      reads.add(fromStage(s.readTrace(t.traceIdHigh(), t.traceIdLow()), context));
    }
    return Future.all(reads).compose(all -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int spans = 0;
      for (int i = 0; i < batch.size(); i++) {
        for (byte[] fragment : reads.get(i).result()) {
          out.writeBytes(fragment);
        }
        spans += batch.get(i).spanCount();
      }
      TraceData data = withoutRepeatedSpans(out.toByteArray(), spans);
      return next.consumeTraces(data).transform(ar -> {
        if (ar.failed()) {
          metrics.exportFailures.inc();
          retry.addAll(batch);
          nextRetryMillis = now + RETRY_PAUSE.toMillis();
          log.fine("kept traces refused downstream, will retry: " + ar.cause());
          return Future.succeededFuture();
        }
        // Span metrics attach exemplars only for kept traces: tell them which ones were kept.
        settings.host().keptTraces().publish(data);
        List<io.tailshard.sampling.store.Decision> decided = new ArrayList<>(batch.size());
        for (io.tailshard.sampling.store.TraceView t : batch) {
          decided.add(new io.tailshard.sampling.store.Decision(t.traceIdHigh(), t.traceIdLow(), true));
        }
        return fromStage(s.decide(decided, clock.getAsLong()), context)
            .compose(atDecision -> forwardArrivedDuringExport(batch, reads, atDecision));
      });
    });
  }

  /**
   * A kept trace stays live, and keeps taking spans, while its read-back is being exported; the
   * decision that follows removes everything stored under it. Spans that arrived in between (a
   * late span, or batches an lb node held for this node while it restarted) are in the fragments
   * the decision hands back, after those already exported (fragments are in arrival order): they
   * go out now, and are retried with the refused exports if downstream refuses them. Only a crash
   * in the milliseconds between the decision and this forward can still lose them.
   */
  private Future<Void> forwardArrivedDuringExport(List<io.tailshard.sampling.store.TraceView> batch,
      List<Future<List<byte[]>>> reads, List<KeptTrace> atDecision) {
    ByteArrayOutputStream arrived = null;
    int b = 0;
    for (KeptTrace k : atDecision) {
      // The decision hands back the live traces of the batch, in batch order.
      while (b < batch.size() && !sameTrace(batch.get(b), k.summary())) {
        b++;
      }
      if (b == batch.size()) {
        break;
      }
      List<byte[]> fragments = k.fragments();
      for (int f = reads.get(b).result().size(); f < fragments.size(); f++) {
        if (arrived == null) {
          arrived = new ByteArrayOutputStream();
        }
        arrived.writeBytes(fragments.get(f));
      }
      b++;
    }
    if (arrived == null) {
      return Future.succeededFuture();
    }
    byte[] bytes = arrived.toByteArray();
    int spans;
    try {
      spans = index.get().index(bytes, 0, bytes.length).spanCount();
    } catch (WireFormatException e) {
      // Fragments were indexed when they arrived; this cannot happen short of disk corruption.
      log.warning("spans that arrived during a kept trace's export cannot be read back: " + e.getMessage());
      return Future.succeededFuture();
    }
    metrics.earlyReleaseSampled.add(spans);
    return forward(new TraceData(bytes, spans));
  }

  private Future<Void> forward(TraceData data) {
    return next.consumeTraces(data).transform(ar -> {
      if (ar.failed()) {
        metrics.exportFailures.inc();
        if (pendingForwards.size() >= MAX_PENDING_FORWARDS) {
          log.severe("dropping " + data.spanCount() + " spans of kept traces: downstream refuses and "
              + MAX_PENDING_FORWARDS + " forwards already wait for it");
        } else {
          pendingForwards.add(data);
          nextRetryMillis = clock.getAsLong() + RETRY_PAUSE.toMillis();
        }
      }
      return Future.succeededFuture();
    });
  }

  /**
   * The kept traces' fragments with every span once. A sender that retries after a lost
   * acknowledgement (an lb node whose sampling node was killed, or timed out, between storing a
   * batch and answering) delivers the same spans again, and both copies are buffered under the
   * trace; a span is the same span when its trace id and span id are. Cold path: kept traces only.
   */
  private TraceData withoutRepeatedSpans(byte[] bytes, int spans) {
    TraceRequestIndex idx = index.get();
    try {
      idx.index(bytes, 0, bytes.length);
    } catch (WireFormatException e) {
      return new TraceData(bytes, spans); // stored fragments were indexed on arrival; send as read
    }
    int n = idx.spanCount();
    Set<SpanKey> seen = new HashSet<>(n * 2);
    boolean[] repeat = new boolean[n];
    int repeats = 0;
    byte[] b = idx.buffer();
    for (int i = 0; i < n; i++) {
      long span = spanId(b, idx.spanIdOffset(i), idx.spanIdLength(i));
      if (!seen.add(new SpanKey(idx.traceIdHigh(i), idx.traceIdLow(i), span))) {
        repeat[i] = true;
        repeats++;
      }
    }
    if (repeats == 0) {
      return new TraceData(bytes, n);
    }
    metrics.duplicateSpans.add(repeats);
    byte[] once = TraceRequestWriter.select(idx, i -> !repeat[i]);
    return new TraceData(once, n - repeats);
  }

  private record SpanKey(long traceHigh, long traceLow, long spanId) {}

  private static long spanId(byte[] b, int offset, int length) {
    long v = 0;
    for (int i = 0; i < length && i < 8; i++) {
      v = (v << 8) | (b[offset + i] & 0xFF);
    }
    return v;
  }

  private static boolean sameTrace(io.tailshard.sampling.store.TraceView a, io.tailshard.sampling.store.TraceView b) {
    return a.traceIdHigh() == b.traceIdHigh() && a.traceIdLow() == b.traceIdLow();
  }

  private Future<Void> retryKept(WindowStore s, long now) {
    if ((retry.isEmpty() && pendingForwards.isEmpty()) || now < nextRetryMillis) {
      return Future.succeededFuture();
    }
    List<TraceData> forwards = new ArrayList<>(pendingForwards);
    pendingForwards.clear();
    Future<Void> forwarded = Future.succeededFuture();
    for (TraceData d : forwards) {
      forwarded = forwarded.compose(v -> forward(d));
    }
    List<io.tailshard.sampling.store.TraceView> again = new ArrayList<>(retry);
    retry.clear();
    return forwarded.compose(v -> exportKept(s, again, 0, now));
  }

  // ---- shutdown

  @Override
  public Future<Void> shutdown() {
    if (stopping) {
      return Future.succeededFuture();
    }
    stopping = true;
    Vertx vertx = settings.vertx();
    if (context == null) {
      return Future.succeededFuture();
    }
    Promise<Void> quiet = Promise.promise();
    context.runOnContext(v -> {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      waitForRound(quiet, System.nanoTime() + SHUTDOWN_WAIT.toNanos());
    });
    return quiet.future().compose(v -> {
      WindowStore s = store;
      if (s == null) {
        return Future.succeededFuture();
      }
      Future<Void> dropPending = config.dropPendingTracesOnShutdown() ? dropAllPending(s) : Future.succeededFuture();
      return dropPending.compose(x -> vertx.executeBlocking(() -> {
        s.close();
        log.info("trace buffer closed with " + s.bufferedTraces() + " undecided traces; they are decided after restart");
        return null;
      }, false));
    });
  }

  private void waitForRound(Promise<Void> quiet, long deadline) {
    if (!roundRunning || System.nanoTime() > deadline) {
      quiet.tryComplete();
      return;
    }
    settings.vertx().setTimer(20, t -> waitForRound(quiet, deadline));
  }

  private Future<Void> dropAllPending(WindowStore s) {
    long now = clock.getAsLong();
    return fromStage(s.dueTraces(Long.MAX_VALUE / 2, Integer.MAX_VALUE), context).compose(all -> {
      List<io.tailshard.sampling.store.Decision> drop = new ArrayList<>(all.size());
      for (io.tailshard.sampling.store.TraceView t : all) {
        drop.add(new io.tailshard.sampling.store.Decision(t.traceIdHigh(), t.traceIdLow(), false));
      }
      log.info("drop_pending_traces_on_shutdown: dropping " + drop.size() + " undecided traces");
      return fromStage(s.decide(drop, now), context).mapEmpty();
    });
  }

  /** The store completes futures on its writer thread; hop back to a Vert.x context before going on. */
  private static <T> Future<T> fromStage(CompletionStage<T> stage, Context ctx) {
    return Future.fromCompletionStage(stage, ctx);
  }
}

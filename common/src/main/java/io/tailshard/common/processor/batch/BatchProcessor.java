package io.tailshard.common.processor.batch;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.otlp.wire.TraceRequestWriter;
import io.tailshard.common.otlp.wire.WireFormatException;
import io.tailshard.common.telemetry.MetricRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gathers requests into batches of {@code send_batch_size} spans, or whatever arrived within
 * {@code timeout}, and hands each batch downstream as one request.
 *
 * <p><b>No protobuf objects.</b> An {@code ExportTraceServiceRequest} has one field, the repeated
 * {@code resource_spans}; protobuf parses concatenated messages as one message with the repeated
 * fields appended, so the bytes of several requests laid end to end are one valid request holding
 * all their resource spans. A batch is therefore one array copy. Only a batch above
 * {@code send_batch_max_size} is indexed and split, with {@link TraceRequestWriter}.
 *
 * <p><b>Acknowledgement differs from the Collector, on purpose.</b> The Collector's batch processor
 * reports success upstream as soon as data is in its buffer, so a crash loses the buffer while the
 * sender believes it delivered. Here the upstream future of a request completes only when the
 * downstream consumer accepted the batch (every batch, when split) holding that request's spans,
 * and a downstream refusal fails every upstream request of that batch with the same refusal. In
 * tailshard the upstream of kept traces is a durable buffer that deletes a trace once its export is
 * acknowledged, so early acknowledgement would turn the buffer's durability into a fiction.
 *
 * <p>Bounded: the pending batch is sent when it reaches {@code send_batch_size} spans (with a size
 * of 0, the timeout bounds it); requests not yet acknowledged are held by their senders, which wait.
 *
 * <p>Differs in one detail: when one send splits a batch above {@code send_batch_max_size}, the
 * remainder is sent at once with the rest rather than waiting for more data.
 *
 * <p>Metrics, labelled {@code processor=<id>}: {@code otelcol_processor_batch_batch_send_size}
 * (spans per batch sent), {@code otelcol_processor_batch_batch_send_size_bytes},
 * {@code otelcol_processor_batch_batch_size_trigger_send} and
 * {@code otelcol_processor_batch_timeout_trigger_send} (batches sent for each reason).
 *
 * <p>Thread-safe: requests may come from several event loops; the pending batch is guarded by a
 * lock that is never held while calling downstream.
 */
final class BatchProcessor implements TracesProcessor {
  /** The Collector's buckets for batch sizes. */
  private static final double[] SIZE_BUCKETS = {
    10, 25, 50, 75, 100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 20000,
    30000, 50000, 100000
  };
  private static final double[] BYTES_BUCKETS = {
    10, 25, 50, 75, 100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 20000,
    30000, 50000, 100000, 200000, 300000, 400000, 500000, 600000, 700000, 800000, 900000, 1000000, 2000000,
    3000000, 4000000, 5000000, 6000000, 7000000, 8000000, 9000000
  };

  private enum Trigger {
    SIZE,
    TIMEOUT,
    /** Sent at once: a timeout of 0, or after shutdown. */
    IMMEDIATE
  }

  /** One upstream request waiting for the downstream batches that hold it. */
  private static final class Entry {
    final TraceData data;
    final Promise<Void> done = Promise.promise();
    /** Downstream batches still to accept this request; set before any is sent. */
    final AtomicInteger parts = new AtomicInteger();

    Entry(TraceData data) {
      this.data = data;
    }

    void partAccepted() {
      if (parts.decrementAndGet() == 0) {
        done.tryComplete();
      }
    }

    void fail(Throwable cause) {
      done.tryFail(cause);
    }
  }

  /** One downstream request and the upstream entries it acknowledges. */
  private record Outgoing(TraceData data, List<Entry> entries) {}

  private final Vertx vertx;
  private final BatchConfig config;
  private final TracesConsumer next;
  private final MetricRegistry.Histogram sendSize;
  private final MetricRegistry.Histogram sendSizeBytes;
  private final MetricRegistry.Counter sizeTriggers;
  private final MetricRegistry.Counter timeoutTriggers;

  private final Object lock = new Object();
  private List<Entry> pending = new ArrayList<>();
  private long pendingSpans;
  /** Incremented on every send, so a timer armed for an earlier batch does nothing. */
  private long generation;
  private long timerId = -1;
  private boolean stopped;

  BatchProcessor(ComponentSettings settings, BatchConfig config, TracesConsumer next) {
    this.vertx = settings.vertx();
    this.config = config;
    this.next = next;
    String id = settings.id().toString();
    MetricRegistry m = settings.telemetry().metrics();
    sendSize = m.histogram("otelcol_processor_batch_batch_send_size",
        "Number of units in the batch", SIZE_BUCKETS, "processor", id);
    sendSizeBytes = m.histogram("otelcol_processor_batch_batch_send_size_bytes",
        "Number of bytes in batch that was sent", BYTES_BUCKETS, "processor", id);
    sizeTriggers = m.counter("otelcol_processor_batch_batch_size_trigger_send",
        "Number of times the batch was sent due to a size trigger", "processor", id);
    timeoutTriggers = m.counter("otelcol_processor_batch_timeout_trigger_send",
        "Number of times the batch was sent due to a timeout trigger", "processor", id);
  }

  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> consumeTraces(TraceData data) {
    if (data.length() == 0) {
      return Future.succeededFuture();
    }
    Entry entry = new Entry(data);
    List<Entry> toSend = null;
    Trigger trigger = null;
    synchronized (lock) {
      if (stopped || config.timeout().isZero()) {
        toSend = List.of(entry);
        trigger = Trigger.IMMEDIATE;
      } else {
        pending.add(entry);
        pendingSpans += data.spanCount();
        if (config.sendBatchSize() > 0 && pendingSpans >= config.sendBatchSize()) {
          toSend = takePending();
          trigger = Trigger.SIZE;
        } else if (pending.size() == 1) {
          long armedFor = generation;
          timerId = vertx.setTimer(Math.max(1, config.timeout().toMillis()), t -> onTimeout(armedFor));
        }
      }
    }
    if (toSend != null) {
      send(toSend, trigger);
    }
    return entry.done.future();
  }

  private void onTimeout(long armedFor) {
    List<Entry> toSend;
    synchronized (lock) {
      if (armedFor != generation || pending.isEmpty()) {
        return;
      }
      timerId = -1;
      toSend = takePending();
    }
    send(toSend, Trigger.TIMEOUT);
  }

  /** Takes the pending batch; caller holds the lock. */
  private List<Entry> takePending() {
    List<Entry> taken = pending;
    pending = new ArrayList<>();
    pendingSpans = 0;
    generation++;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
    return taken;
  }

  /** Builds the downstream requests for {@code entries}, then sends them; returns when all settled. */
  private Future<Void> send(List<Entry> entries, Trigger trigger) {
    List<Outgoing> outgoing;
    try {
      outgoing = build(entries);
    } catch (WireFormatException e) {
      RefusedException refused = RefusedException.permanent("batch: cannot split a malformed request: " + e.getMessage());
      entries.forEach(en -> en.fail(refused));
      return Future.succeededFuture();
    }
    // Every entry knows how many batches it waits for before the first one can complete.
    for (Outgoing o : outgoing) {
      for (Entry en : o.entries()) {
        en.parts.incrementAndGet();
      }
    }
    List<Future<Void>> results = new ArrayList<>(outgoing.size());
    for (Outgoing o : outgoing) {
      switch (trigger) {
        case SIZE:
          sizeTriggers.inc();
          break;
        case TIMEOUT:
          timeoutTriggers.inc();
          break;
        default:
      }
      sendSize.record(o.data().spanCount());
      sendSizeBytes.record(o.data().length());
      Future<Void> f;
      try {
        f = next.consumeTraces(o.data());
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        for (Entry en : o.entries()) {
          if (ar.succeeded()) {
            en.partAccepted();
          } else {
            en.fail(ar.cause());
          }
        }
      });
      results.add(f);
    }
    return Future.join(results).transform(ar -> Future.succeededFuture());
  }

  /** The downstream requests: the entries concatenated, split when above the max size. */
  private List<Outgoing> build(List<Entry> entries) throws WireFormatException {
    int totalBytes = 0;
    long totalSpans = 0;
    for (Entry en : entries) {
      totalBytes = Math.addExact(totalBytes, en.data.length());
      totalSpans += en.data.spanCount();
    }
    byte[] joined;
    if (entries.size() == 1) {
      TraceData only = entries.get(0).data;
      joined = only.offset() == 0 && only.length() == only.array().length ? only.array() : only.toByteArray();
    } else {
      joined = new byte[totalBytes];
      int p = 0;
      for (Entry en : entries) {
        System.arraycopy(en.data.array(), en.data.offset(), joined, p, en.data.length());
        p += en.data.length();
      }
    }
    int max = config.sendBatchMaxSize();
    if (max == 0 || totalSpans <= max) {
      return List.of(new Outgoing(new TraceData(joined, (int) totalSpans), entries));
    }
    return split(joined, entries, max);
  }

  private static List<Outgoing> split(byte[] joined, List<Entry> entries, int max) throws WireFormatException {
    TraceRequestIndex idx = new TraceRequestIndex().index(joined);
    int n = idx.spanCount();
    // Where each entry starts in the joined bytes, to find the entry a span came from.
    int[] starts = new int[entries.size()];
    int p = 0;
    for (int e = 0; e < entries.size(); e++) {
      starts[e] = p;
      p += entries.get(e).data.length();
    }
    int[] order = new int[n];
    Arrays.setAll(order, i -> i);
    TraceRequestWriter writer = new TraceRequestWriter();
    List<Outgoing> out = new ArrayList<>();
    boolean[] placed = new boolean[entries.size()];
    for (int from = 0; from < n; from += max) {
      int to = Math.min(n, from + max);
      List<Entry> holders = new ArrayList<>();
      int last = -1;
      for (int s = from; s < to; s++) {
        int e = entryOf(starts, idx.spanOffset(s));
        if (e != last) {
          holders.add(entries.get(e));
          placed[e] = true;
          last = e;
        }
      }
      out.add(new Outgoing(new TraceData(writer.write(idx, order, from, to), to - from), holders));
    }
    // A request without spans has nothing to wait for but must still be acknowledged: it rides
    // with the first batch.
    for (int e = 0; e < entries.size(); e++) {
      if (!placed[e]) {
        out.get(0).entries().add(entries.get(e));
      }
    }
    return out;
  }

  private static int entryOf(int[] starts, int offset) {
    int i = Arrays.binarySearch(starts, offset);
    return i >= 0 ? i : -i - 2;
  }

  @Override
  public Future<Void> shutdown() {
    List<Entry> toSend;
    synchronized (lock) {
      if (stopped) {
        return Future.succeededFuture();
      }
      stopped = true;
      toSend = pending.isEmpty() ? List.of() : takePending();
    }
    // Flush what is pending downstream; its outcome reaches each sender through its own future.
    return toSend.isEmpty() ? Future.succeededFuture() : send(toSend, Trigger.IMMEDIATE);
  }
}

package io.tailshard.common.exporter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.telemetry.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A merging {@link MemoryQueue} (the loadbalancing exporter's backends): batches waiting when a lane
 * frees up go out as one request that is the concatenation of theirs, within the byte limit; with
 * {@code sending_queue.batch}, a free lane waits for {@code min_size} or {@code flush_timeout};
 * sizes, in-flight counts and the give-up handler see a merged send as one unit of all its parts.
 */
class MemoryQueueMergeTest {
  private Vertx vertx;
  private final List<TraceData> sent = new CopyOnWriteArrayList<>();
  private final List<Long> sentAtNanos = new CopyOnWriteArrayList<>();
  private final List<Promise<SendResult>> answers = new CopyOnWriteArrayList<>();
  private final List<TraceData> givenUp = new CopyOnWriteArrayList<>();
  private volatile boolean holdAnswers;
  private volatile SendResult answer = SendResult.sent(0, null);

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private MemoryQueue queue(int consumers, QueueConfig.Sizer sizer, MemoryQueue.Merging merging) {
    return new MemoryQueue("test", vertx, new QueueConfig(true, consumers, 100_000, sizer, null),
        new RetryConfig(true, Duration.ofMillis(10), 0, 1, Duration.ofMillis(10), Duration.ofMillis(50)),
        this::send, (d, last) -> givenUp.add(d),
        new ExporterMetrics(Telemetry.forTests("q").metrics(), "exporter", "test"), merging);
  }

  private Future<SendResult> send(TraceData d) {
    sent.add(d);
    sentAtNanos.add(System.nanoTime());
    if (!holdAnswers) {
      return Future.succeededFuture(answer);
    }
    Promise<SendResult> p = Promise.promise();
    answers.add(p);
    return p.future();
  }

  private void releaseAnswers() {
    holdAnswers = false;
    vertx.runOnContext(v -> {
      for (Promise<SendResult> p : answers) {
        p.tryComplete(answer);
      }
    });
  }

  /** A request of exactly {@code spans} spans under one resource and scope. */
  private static TraceData request(long seed, int spans) {
    java.util.Random r = new java.util.Random(seed);
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    for (int i = 0; i < spans; i++) {
      byte[] trace = new byte[16];
      byte[] span = new byte[8];
      r.nextBytes(trace);
      r.nextBytes(span);
      ss.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(trace)).setSpanId(ByteString.copyFrom(span))
          .setName("op-" + i));
    }
    byte[] b = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue("svc-" + seed))))
        .addScopeSpans(ss)).build().toByteArray();
    return new TraceData(b, spans);
  }

  private static void waitFor(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!done.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(2);
    }
  }

  private static byte[] concat(List<TraceData> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (TraceData d : parts) {
      out.write(d.array(), d.offset(), d.length());
    }
    return out.toByteArray();
  }

  @Test
  void batchesWaitingWhenALaneFreesUpGoOutAsOneRequestHoldingThemAll() throws Exception {
    MemoryQueue q = queue(1, QueueConfig.Sizer.REQUESTS, new MemoryQueue.Merging(1 << 20, null));
    holdAnswers = true;
    TraceData first = request(1, 3);
    q.offer(first);
    waitFor("the first send", () -> sent.size() == 1);
    List<TraceData> waiting = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waiting.add(request(10 + i, 2 + i));
      assertTrue(q.offer(waiting.get(i)));
    }
    assertEquals(6, q.size(), "every part counts in the queue's unit (requests) until it settles");
    assertEquals(1, q.inFlight());
    releaseAnswers();
    waitFor("the merged send", () -> sent.size() == 2);
    TraceData merged = sent.get(1);
    assertEquals(2 + 3 + 4 + 5 + 6, merged.spanCount(), "span count of the merged send = sum of its parts");
    assertArrayEquals(concat(waiting), merged.toByteArray(), "the parts' bytes, concatenated in queue order");
    // Concatenated requests are one valid request with every part's resource spans, in order.
    ExportTraceServiceRequest parsed = ExportTraceServiceRequest.parseFrom(merged.toByteArray());
    List<ResourceSpans> expected = new ArrayList<>();
    for (TraceData d : waiting) {
      expected.addAll(ExportTraceServiceRequest.parseFrom(d.toByteArray()).getResourceSpansList());
    }
    assertEquals(expected, parsed.getResourceSpansList());
    waitFor("the queue to settle", () -> q.inFlight() == 0);
    assertEquals(0, q.size(), "settled: nothing counted, nothing negative");
  }

  @Test
  void aMergedRequestStaysWithinTheByteLimitAndALargerBatchGoesAlone() throws Exception {
    TraceData big = request(2, 50);
    TraceData small = request(3, 2);
    long limit = big.length() - 1;
    MemoryQueue q = queue(1, QueueConfig.Sizer.BYTES, new MemoryQueue.Merging(limit, null));
    holdAnswers = true;
    q.offer(request(4, 1));
    waitFor("the first send", () -> sent.size() == 1);
    int smalls = (int) (limit / small.length()) + 3; // more than fit under the limit together
    for (int i = 0; i < smalls; i++) {
      q.offer(small);
    }
    q.offer(big);
    releaseAnswers();
    int total = 1 + smalls * 2 + 50;
    waitFor("every span sent", () -> sent.stream().mapToInt(TraceData::spanCount).sum() == total);
    for (int i = 1; i < sent.size(); i++) {
      TraceData d = sent.get(i);
      assertTrue(d.length() <= limit || d.spanCount() == 50, "within the limit, or the one larger batch alone: " + d);
    }
    assertTrue(sent.size() >= 4, "the smalls took at least two sends, the big one its own: " + sent);
    waitFor("the queue to settle", () -> q.inFlight() == 0);
    assertEquals(0, q.size());
  }

  @Test
  void withBatchAFreeLaneWaitsForFlushTimeoutOrMinSize() throws Exception {
    BatchConfig batch = new BatchConfig(Duration.ofMillis(300), 40, 0, BatchConfig.Sizer.ITEMS);
    MemoryQueue q = queue(4, QueueConfig.Sizer.ITEMS, new MemoryQueue.Merging(1 << 20, batch));
    long t0 = System.nanoTime();
    q.offer(request(5, 5));
    q.offer(request(6, 5));
    waitFor("the flush_timeout send", () -> sent.size() == 1);
    long waitedMs = (sentAtNanos.get(0) - t0) / 1_000_000;
    assertTrue(waitedMs >= 290, "held for flush_timeout (300ms) while under min_size: " + waitedMs + " ms");
    assertEquals(10, sent.get(0).spanCount(), "both batches in one request");

    long t1 = System.nanoTime();
    for (int i = 0; i < 4; i++) {
      q.offer(request(20 + i, 10)); // 40 spans: min_size reached with the fourth
    }
    waitFor("the min_size send", () -> sent.stream().mapToInt(TraceData::spanCount).sum() == 50);
    long tookMs = (sentAtNanos.get(sentAtNanos.size() - 1) - t1) / 1_000_000;
    assertTrue(tookMs < 250, "sent once min_size was reached, not after flush_timeout: " + tookMs + " ms");
    waitFor("the queue to settle", () -> q.size() == 0);
  }

  @Test
  void shutdownSendsWhatWaitsForFlushTimeoutAtOnce() throws Exception {
    BatchConfig batch = new BatchConfig(Duration.ofSeconds(30), 1_000_000, 0, BatchConfig.Sizer.ITEMS);
    MemoryQueue q = queue(2, QueueConfig.Sizer.ITEMS, new MemoryQueue.Merging(1 << 20, batch));
    q.offer(request(7, 3));
    q.offer(request(8, 4));
    Thread.sleep(100);
    assertEquals(0, sent.size(), "waiting for min_size or flush_timeout");
    long t0 = System.nanoTime();
    q.shutdown(Duration.ofSeconds(10)).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3), "shutdown does not wait for flush_timeout");
    assertEquals(1, sent.size());
    assertEquals(7, sent.get(0).spanCount());
    assertEquals(0, q.size());
  }

  @Test
  void aMergedBatchThatFailsGoesToTheGiveUpHandlerWholeAndTheSizeSettles() throws Exception {
    MemoryQueue q = queue(1, QueueConfig.Sizer.ITEMS, new MemoryQueue.Merging(1 << 20, null));
    answer = SendResult.permanent("refused for good");
    holdAnswers = true;
    q.offer(request(9, 2));
    waitFor("the first send", () -> sent.size() == 1);
    q.offer(request(11, 3));
    q.offer(request(12, 4));
    assertEquals(9, q.size());
    releaseAnswers();
    waitFor("both sends given up", () -> givenUp.size() == 2);
    assertEquals(2, givenUp.get(0).spanCount());
    assertEquals(7, givenUp.get(1).spanCount(), "the merged batch, with every span of its parts");
    waitFor("the queue to settle", () -> q.inFlight() == 0);
    assertEquals(0, q.size());
  }

  @Test
  void drainTakesWhatWaitsForFlushTimeout() throws Exception {
    BatchConfig batch = new BatchConfig(Duration.ofSeconds(30), 1_000_000, 0, BatchConfig.Sizer.ITEMS);
    MemoryQueue q = queue(2, QueueConfig.Sizer.ITEMS, new MemoryQueue.Merging(1 << 20, batch));
    TraceData a = request(13, 3);
    TraceData b = request(14, 4);
    q.offer(a);
    q.offer(b);
    Thread.sleep(50);
    assertEquals(List.of(a, b), q.drain());
    assertEquals(0, q.size());
    assertEquals(0, sent.size());
  }
}

package io.tailshard.sampling.extension.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.exporter.ExporterMetrics;
import io.tailshard.common.exporter.PersistentQueue;
import io.tailshard.common.exporter.QueueConfig;
import io.tailshard.common.exporter.RetryConfig;
import io.tailshard.common.exporter.SendResult;
import io.tailshard.common.exporter.SendingQueue;
import io.tailshard.common.telemetry.MetricRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The persistent sending queue on the rocksdb extension's record store, on a temp dir. */
class PersistentQueueTest {
  private static final RetryConfig FAST_RETRY =
      new RetryConfig(true, Duration.ofMillis(20), 0, 1.5, Duration.ofMillis(100), Duration.ZERO);
  private static final ComponentId OWNER = ComponentId.parse("otlp/backend");

  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final MetricRegistry registry = new MetricRegistry();
  private final List<String> gaveUp = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static TraceData batch(int i) {
    return new TraceData(("batch-" + i).getBytes(StandardCharsets.UTF_8), i + 1);
  }

  private static String text(TraceData d) {
    return new String(d.array(), d.offset(), d.length(), StandardCharsets.UTF_8);
  }

  private PersistentQueue queue(QueueConfig config, Function<TraceData, SendResult> destination) {
    RocksDbStorage storage = new RocksDbStorage(vertx, new RocksDbStorageConfig(dir));
    await(storage.start());
    SendingQueue.Sender sender = d -> Future.succeededFuture(destination.apply(d));
    return new PersistentQueue("test queue", vertx, config, FAST_RETRY, storage, OWNER, PersistentQueue.STORE_NAME, sender,
        (d, last) -> gaveUp.add(text(d)), new ExporterMetrics(registry, "exporter", OWNER.toString()));
  }

  private static QueueConfig config(int consumers, long size) {
    return new QueueConfig(true, consumers, size, QueueConfig.Sizer.REQUESTS, ComponentId.of("rocksdb"));
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void eventually(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void batchesAcceptedWhileTheDestinationIsDownAreSentAfterARestart() throws Exception {
    PersistentQueue first = queue(config(4, 1000), d -> SendResult.retryable("down", Duration.ZERO));
    await(first.start());
    for (int i = 0; i < 50; i++) {
      await(first.submit(batch(i)));
    }
    assertEquals(50, first.size());
    await(first.shutdown(Duration.ofSeconds(5)));
    assertTrue(gaveUp.isEmpty(), "nothing is given up at shutdown: " + gaveUp);
    assertTrue(Files.isDirectory(dir.resolve("otlp_backend").resolve(PersistentQueue.STORE_NAME)));

    Set<String> received = Collections.synchronizedSet(new HashSet<>());
    PersistentQueue second = queue(config(4, 1000), d -> {
      received.add(text(d));
      return SendResult.sent(0, null);
    });
    await(second.start());
    eventually("all 50 re-queued batches sent", () -> received.size() == 50 && second.size() == 0);
    for (int i = 0; i < 50; i++) {
      assertTrue(received.contains("batch-" + i), "batch " + i);
    }
    await(second.shutdown(Duration.ofSeconds(5)));

    // Sent batches were deleted: a third start has nothing to send.
    List<String> again = Collections.synchronizedList(new ArrayList<>());
    PersistentQueue third = queue(config(4, 1000), d -> {
      again.add(text(d));
      return SendResult.sent(0, null);
    });
    await(third.start());
    Thread.sleep(200);
    assertEquals(List.of(), again);
    assertEquals(0, third.size());
    await(third.shutdown(Duration.ofSeconds(5)));
    assertEquals(50 * 51 / 2, (long) registry.sum("otelcol_exporter_sent_spans"));
  }

  @Test
  void aPermanentRefusalIsGivenUpCountedAndDeleted() throws Exception {
    PersistentQueue q = queue(config(1, 10), d -> SendResult.permanent("bad request"));
    await(q.start());
    await(q.submit(batch(7)));
    eventually("given up", () -> gaveUp.size() == 1 && q.size() == 0);
    assertEquals(List.of("batch-7"), gaveUp);
    await(q.shutdown(Duration.ofSeconds(5)));

    List<String> resent = Collections.synchronizedList(new ArrayList<>());
    PersistentQueue after = queue(config(1, 10), d -> {
      resent.add(text(d));
      return SendResult.sent(0, null);
    });
    await(after.start());
    Thread.sleep(200);
    assertEquals(List.of(), resent, "a given-up batch is not stored any more");
    await(after.shutdown(Duration.ofSeconds(5)));
  }

  @Test
  void aFullQueueRefusesRetryablyAndCountsTheSpans() throws Exception {
    PersistentQueue q = queue(config(1, 3), d -> SendResult.retryable("down", Duration.ZERO));
    await(q.start());
    for (int i = 0; i < 3; i++) {
      await(q.submit(batch(i)));
    }
    Throwable refused = q.submit(batch(3)).toCompletionStage().toCompletableFuture()
        .handle((v, e) -> e).get(10, TimeUnit.SECONDS);
    assertTrue(refused instanceof RefusedException r && r.retryable(), String.valueOf(refused));
    assertEquals(4, (long) registry.sum("otelcol_exporter_enqueue_failed_spans"));
    assertEquals(3, (long) registry.sum("otelcol_exporter_queue_size"));
    await(q.shutdown(Duration.ofSeconds(5)));
  }

  @Test
  void submitsBeforeStartAndAfterShutdownAreRefusedRetryably() throws Exception {
    PersistentQueue q = queue(config(1, 3), d -> SendResult.sent(0, null));
    Throwable early = q.submit(batch(0)).toCompletionStage().toCompletableFuture().handle((v, e) -> e).get();
    assertTrue(early instanceof RefusedException r && r.retryable(), String.valueOf(early));
    await(q.start());
    await(q.shutdown(Duration.ofSeconds(5)));
    await(q.shutdown(Duration.ofSeconds(5)));
    Throwable late = q.submit(batch(1)).toCompletionStage().toCompletableFuture().handle((v, e) -> e).get();
    assertTrue(late instanceof RefusedException r && r.retryable(), String.valueOf(late));
  }

  @Test
  void concurrentSubmitsAreAllStoredAndAllSentAfterARestart() throws Exception {
    PersistentQueue first = queue(config(10, 10_000), d -> SendResult.retryable("down", Duration.ZERO));
    await(first.start());
    List<Future<Void>> submits = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      submits.add(first.submit(batch(i)));
    }
    await(Future.all(submits));
    await(first.shutdown(Duration.ofSeconds(5)));
    Set<String> received = Collections.synchronizedSet(new HashSet<>());
    PersistentQueue second = queue(config(10, 10_000), d -> {
      received.add(text(d));
      return SendResult.sent(0, null);
    });
    await(second.start());
    eventually("all 2000 sent", () -> received.size() == 2000);
    await(second.shutdown(Duration.ofSeconds(5)));
  }

  @Test
  void aStoreOpenInOneQueueCannotBeOpenedByAnother() throws Exception {
    PersistentQueue a = queue(config(1, 10), d -> SendResult.sent(0, null));
    await(a.start());
    PersistentQueue b = queue(config(1, 10), d -> SendResult.sent(0, null));
    Throwable e = b.start().toCompletionStage().toCompletableFuture().handle((v, err) -> err).get(30, TimeUnit.SECONDS);
    assertTrue(e != null && String.valueOf(e.getMessage()).contains("cannot open the record store"), String.valueOf(e));
    await(b.shutdown(Duration.ofSeconds(1)));
    await(a.shutdown(Duration.ofSeconds(5)));
  }

  @Test
  void shutdownWithoutStartIsSafe() {
    PersistentQueue q = queue(config(1, 3), d -> SendResult.sent(0, null));
    await(q.shutdown(Duration.ofSeconds(1)));
  }
}

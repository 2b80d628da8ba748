package io.tailshard.common.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tailshard.common.component.TraceData;
import io.tailshard.common.telemetry.Telemetry;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Draining a queue (its destination left the ring or failed) takes the waiting batches only; the
 * ones in flight stay counted until they settle, so the size never goes below zero (the
 * {@code otelcol_exporter_queue_size} gauge read -1 after a re-route before).
 */
class MemoryQueueDrainTest {
  @Test
  void drainingLeavesBatchesInFlightCountedAndTheSizeNeverNegative() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Promise<SendResult> inFlight = Promise.promise();
      MemoryQueue q = new MemoryQueue("test", vertx, new QueueConfig(true, 1, 100, QueueConfig.Sizer.REQUESTS, null),
          RetryConfig.DEFAULT, d -> inFlight.future(), (d, last) -> { },
          new ExporterMetrics(Telemetry.forTests("q").metrics(), "exporter", "test"));
      TraceData a = new TraceData(new byte[0], 1);
      TraceData b = new TraceData(new byte[0], 1);
      q.offer(a);
      q.offer(b);
      long until = System.currentTimeMillis() + 5_000;
      while (q.inFlight() == 0 && System.currentTimeMillis() < until) {
        Thread.sleep(5);
      }
      assertEquals(1, q.inFlight(), "one consumer: the first batch is in flight, the second waits");
      assertEquals(List.of(b), q.drain());
      assertEquals(1, q.size(), "the batch in flight is still counted");
      vertx.runOnContext(v -> inFlight.complete(SendResult.sent(0, "")));
      until = System.currentTimeMillis() + 5_000;
      while (q.inFlight() > 0 && System.currentTimeMillis() < until) {
        Thread.sleep(5);
      }
      assertEquals(0, q.size(), "settled: empty, not negative");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}

package io.tailshard.common.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FanOutConsumerTest {
  private static final TraceData DATA = new TraceData(new byte[4], 1);
  private static final TracesConsumer ACCEPTS = d -> Future.succeededFuture();
  private static final TracesConsumer FULL = d -> Future.failedFuture(RefusedException.retryable("full"));
  private static final TracesConsumer INVALID = d -> Future.failedFuture(RefusedException.permanent("invalid"));

  @Test
  void oneConsumerIsUsedAsIs() {
    assertSame(ACCEPTS, FanOutConsumer.of(List.of(ACCEPTS)));
    assertThrows(IllegalArgumentException.class, () -> FanOutConsumer.of(List.of()));
  }

  @Test
  void completesOnlyWhenEveryBranchHasAccepted() {
    Promise<Void> slow = Promise.promise();
    Future<Void> f = FanOutConsumer.of(List.of(ACCEPTS, d -> slow.future())).consumeTraces(DATA);
    assertTrue(!f.isComplete());
    slow.complete();
    Await.result(f);
  }

  @Test
  void retryableRefusalWinsOverPermanent() {
    Throwable t = Await.failure(FanOutConsumer.of(List.of(INVALID, ACCEPTS, FULL)).consumeTraces(DATA));
    assertEquals("full", t.getMessage());
    assertTrue(((RefusedException) t).retryable());
  }

  @Test
  void permanentRefusalWinsOverOtherFailures() {
    TracesConsumer broken = d -> Future.failedFuture(new IllegalStateException("bug"));
    Throwable t = Await.failure(FanOutConsumer.of(List.of(broken, INVALID)).consumeTraces(DATA));
    assertEquals("invalid", t.getMessage());
  }

  @Test
  void aThrowingBranchDoesNotKeepTheDataFromTheOthers() {
    AtomicInteger got = new AtomicInteger();
    TracesConsumer throwing = d -> {
      throw new IllegalStateException("thrown");
    };
    TracesConsumer counting = d -> {
      got.incrementAndGet();
      return Future.succeededFuture();
    };
    Throwable t = Await.failure(FanOutConsumer.of(List.of(throwing, counting)).consumeTraces(DATA));
    assertEquals("thrown", t.getMessage());
    assertEquals(1, got.get());
  }
}

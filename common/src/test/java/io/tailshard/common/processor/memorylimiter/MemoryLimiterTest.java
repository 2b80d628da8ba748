package io.tailshard.common.processor.memorylimiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.processor.ProcessorTesting;
import io.tailshard.common.processor.ProcessorTesting.Recorder;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MemoryLimiterTest {
  private static final long MIB = 1024L * 1024L;
  private final MemoryLimiterFactory factory = new MemoryLimiterFactory();
  private final Vertx vertx = Vertx.vertx();
  private final Telemetry telemetry = Telemetry.forTests("test");

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void refusesUnderAHeapSqueezeAndRecoversWithoutLosingAcceptedData() throws Exception {
    System.gc();
    long baselineMib = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / MIB;
    // Soft limit 64 MiB above what the test JVM holds now, hard limit 96 MiB above it.
    MemoryLimiterConfig config = ProcessorTesting.config(factory,
        "check_interval: 20ms\nlimit_mib: " + (baselineMib + 96) + "\nspike_limit_mib: 32");
    Recorder out = new Recorder();
    MemoryLimiterProcessor limiter = (MemoryLimiterProcessor) factory.createTracesProcessor(
        ProcessorTesting.settings(vertx, telemetry, "memory_limiter"), config, out);
    Await.result(limiter.start());
    assertFalse(limiter.refusing());

    // A sender that retries every refused request until it is accepted, as an OTLP client does.
    int requests = 400;
    AtomicInteger refusals = new AtomicInteger();
    AtomicReference<Throwable> unexpected = new AtomicReference<>();
    AtomicInteger sent = new AtomicInteger();
    Thread sender = new Thread(() -> {
      for (int i = 0; i < requests; i++) {
        TraceData d = new TraceData(new byte[] {(byte) i, (byte) (i >> 8)}, 1);
        while (true) {
          try {
            limiter.consumeTraces(d).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            sent.incrementAndGet();
            break;
          } catch (ExecutionException e) {
            if (e.getCause() instanceof RefusedException r && r.retryable()
                && r.getMessage().equals("data refused due to high memory usage")) {
              refusals.incrementAndGet();
              sleep(5);
            } else {
              unexpected.set(e.getCause());
              return;
            }
          } catch (Exception e) {
            unexpected.set(e);
            return;
          }
        }
        sleep(1);
      }
    }, "test-sender");
    sender.start();

    // Squeeze: hold 160 MiB (above the hard limit) and let a collection see it.
    byte[][] ballast = new byte[160][];
    for (int i = 0; i < ballast.length; i++) {
      ballast[i] = new byte[(int) MIB];
    }
    System.gc();
    waitFor(limiter::refusing, "the limiter to refuse");
    waitFor(() -> refusals.get() > 0, "the sender to be refused");
    assertTrue(sent.get() < requests, "the squeeze came too late to test anything");

    // Release: the limiter's own forced collection finds the heap back under the limit.
    ballast = null;
    waitFor(() -> !limiter.refusing(), "the limiter to recover");
    sender.join(30_000);
    assertFalse(sender.isAlive());
    assertEquals(null, unexpected.get());

    // Every request arrived exactly once, in order: nothing accepted was lost.
    assertEquals(requests, out.received().size());
    for (int i = 0; i < requests; i++) {
      TraceData d = out.received().get(i);
      assertEquals(i & 0xFF, d.array()[0] & 0xFF);
      assertEquals((i >> 8) & 0xFF, d.array()[1] & 0xFF);
    }
    assertEquals(requests, telemetry.metrics().sum("otelcol_processor_accepted_spans", "processor", "memory_limiter"));
    assertEquals(refusals.get(), telemetry.metrics().sum("otelcol_processor_refused_spans", "processor", "memory_limiter"));
    Await.result(limiter.shutdown());
  }

  @Test
  void limitPercentageIsOfTheMaxHeapAndTheSpikeDefaultsToAFifth() {
    MemoryLimiterConfig pct = ProcessorTesting.config(factory,
        "check_interval: 1s\nlimit_percentage: 80\nspike_limit_percentage: 25");
    assertEquals(new MemoryLimiterConfig.Limits(800 * MIB, 550 * MIB), pct.limits(1000 * MIB));
    MemoryLimiterConfig fixed = ProcessorTesting.config(factory, "check_interval: 1s\nlimit_mib: 500");
    assertEquals(new MemoryLimiterConfig.Limits(500 * MIB, 400 * MIB), fixed.limits(4000 * MIB));
    MemoryLimiterConfig both = ProcessorTesting.config(factory,
        "check_interval: 1s\nlimit_mib: 100\nspike_limit_mib: 10\nlimit_percentage: 50");
    assertEquals(new MemoryLimiterConfig.Limits(100 * MIB, 90 * MIB), both.limits(4000 * MIB), "limit_mib wins");
  }

  @Test
  void invalidConfigsNameTheKey() {
    assertEquals("test.yaml:1: block.check_interval: must be greater than zero (the Collector has no default; 1s is usual)",
        assertThrows(ConfigException.class, () -> ProcessorTesting.config(factory, "limit_mib: 100")).getMessage());
    assertTrue(assertThrows(ConfigException.class,
        () -> ProcessorTesting.config(factory, "check_interval: 1s"))
        .getMessage().contains("limit_mib or limit_percentage: one of them must be greater than zero"));
    assertTrue(assertThrows(ConfigException.class,
        () -> ProcessorTesting.config(factory, "check_interval: 1s\nlimit_mib: 100\nspike_limit_mib: 100"))
        .getMessage().contains("spike_limit_mib: must be smaller than limit_mib"));
    assertTrue(assertThrows(ConfigException.class,
        () -> ProcessorTesting.config(factory, "check_interval: 1s\nlimit_percentage: 101"))
        .getMessage().contains("block.limit_percentage: must be between 0 and 100"));
    assertTrue(assertThrows(ConfigException.class,
        () -> ProcessorTesting.config(factory, "check_interval: 1s\nlimit_mib: 100\nballast_size_mib: 10"))
        .getMessage().contains("block.ballast_size_mib: unknown key; allowed: check_interval, limit_mib"));
  }

  @Test
  void shutdownWithoutStartAndTwiceIsSafe() {
    MemoryLimiterConfig config = ProcessorTesting.config(factory, "check_interval: 1s\nlimit_mib: 100000");
    var p = factory.createTracesProcessor(ProcessorTesting.settings(vertx, telemetry, "memory_limiter"), config,
        d -> Future.succeededFuture());
    Await.result(p.shutdown());
    Await.result(p.shutdown());
    Await.result(p.start());
    var q = factory.createTracesProcessor(ProcessorTesting.settings(vertx, telemetry, "memory_limiter/b"), config,
        d -> Future.succeededFuture());
    Await.result(q.start());
    Await.result(q.consumeTraces(new TraceData(new byte[0], 0)));
    Await.result(q.shutdown());
    Await.result(q.shutdown());
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      sleep(5);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

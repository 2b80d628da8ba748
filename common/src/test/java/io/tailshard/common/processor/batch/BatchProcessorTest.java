package io.tailshard.common.processor.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.processor.ProcessorTesting;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.testing.Await;
import io.tailshard.common.testing.RandomTraces;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchProcessorTest {
  private final BatchFactory factory = new BatchFactory();
  private final Vertx vertx = Vertx.vertx();
  private final Telemetry telemetry = Telemetry.forTests("test");

  /** A downstream consumer whose acceptance each test decides: it holds every batch until told. */
  private static final class Downstream implements TracesConsumer {
    final List<TraceData> batches = new CopyOnWriteArrayList<>();
    final List<Promise<Void>> acks = new CopyOnWriteArrayList<>();

    @Override
    public Future<Void> consumeTraces(TraceData data) {
      batches.add(data);
      Promise<Void> p = Promise.promise();
      acks.add(p);
      return p.future();
    }
  }

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void concatenatedRequestsParseAsOneRequestHoldingAllResourceSpans() throws Exception {
    RandomTraces random = new RandomTraces(7);
    ExportTraceServiceRequest a = random.request(3, 2, 5);
    ExportTraceServiceRequest b = random.request(3, 2, 5);
    byte[] joined = new byte[a.getSerializedSize() + b.getSerializedSize()];
    System.arraycopy(a.toByteArray(), 0, joined, 0, a.getSerializedSize());
    System.arraycopy(b.toByteArray(), 0, joined, a.getSerializedSize(), b.getSerializedSize());

    ExportTraceServiceRequest parsed = ExportTraceServiceRequest.parseFrom(joined);
    List<ResourceSpans> expected = new ArrayList<>(a.getResourceSpansList());
    expected.addAll(b.getResourceSpansList());
    assertEquals(expected, parsed.getResourceSpansList());
    assertEquals(ExportTraceServiceRequest.newBuilder().addAllResourceSpans(expected).build(), parsed);
  }

  @Test
  void sendsWhenTheBatchReachesSendBatchSizeAndAcknowledgesOnlyAfterDownstreamAccepts() {
    Downstream down = new Downstream();
    TracesProcessor batch = create("send_batch_size: 10\ntimeout: 1m", down);
    List<Future<Void>> upstream = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      upstream.add(batch.consumeTraces(ProcessorTesting.data(request("svc-" + i, i * 100, 4))));
      if (i < 2) {
        assertTrue(down.batches.isEmpty(), "sent before reaching the size");
      }
    }
    assertEquals(1, down.batches.size());
    TraceData sent = down.batches.get(0);
    assertEquals(12, sent.spanCount());
    ExportTraceServiceRequest decoded = ProcessorTesting.decode(sent);
    assertEquals(List.of("svc-0", "svc-1", "svc-2"),
        decoded.getResourceSpansList().stream().map(rs -> rs.getResource().getAttributes(0).getValue().getStringValue()).toList());

    upstream.forEach(f -> assertFalse(f.isComplete(), "acknowledged before downstream accepted"));
    down.acks.get(0).complete();
    upstream.forEach(Await::result);
    assertEquals(1, metric("otelcol_processor_batch_batch_size_trigger_send"));
    assertEquals(0, metric("otelcol_processor_batch_timeout_trigger_send"));
  }

  @Test
  void sendsWhatArrivedWhenTheTimeoutExpires() {
    Downstream down = new Downstream();
    TracesProcessor batch = create("send_batch_size: 8192\ntimeout: 50ms", down);
    Future<Void> a = batch.consumeTraces(ProcessorTesting.data(request("a", 0, 2)));
    Future<Void> b = batch.consumeTraces(ProcessorTesting.data(request("b", 10, 3)));
    long deadline = System.currentTimeMillis() + 5000;
    while (down.batches.isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(1, down.batches.size());
    assertEquals(5, down.batches.get(0).spanCount());
    down.acks.get(0).complete();
    Await.result(a);
    Await.result(b);
    assertEquals(1, metric("otelcol_processor_batch_timeout_trigger_send"));
    assertEquals(1, telemetry.metrics().sum("otelcol_processor_batch_batch_send_size", "processor", "batch"));
  }

  @Test
  void aDownstreamRefusalFailsEveryUpstreamRequestOfThatBatchWithTheSameRefusal() {
    Downstream down = new Downstream();
    TracesProcessor batch = create("send_batch_size: 4\ntimeout: 1m", down);
    Future<Void> a = batch.consumeTraces(ProcessorTesting.data(request("a", 0, 2)));
    Future<Void> b = batch.consumeTraces(ProcessorTesting.data(request("b", 10, 2)));
    Future<Void> c = batch.consumeTraces(ProcessorTesting.data(request("c", 20, 4)));
    assertEquals(2, down.batches.size());
    RefusedException full = RefusedException.retryable("exporter queue is full");
    down.acks.get(0).fail(full);
    down.acks.get(1).complete();
    assertSame(full, Await.failure(a));
    assertSame(full, Await.failure(b));
    Await.result(c);
  }

  @Test
  void splitsABatchAboveSendBatchMaxSizeAndAcknowledgesWhenEveryPartIsAccepted() {
    Downstream down = new Downstream();
    TracesProcessor batch = create("send_batch_size: 5\nsend_batch_max_size: 5\ntimeout: 1m", down);
    ExportTraceServiceRequest big = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(request("x", 0, 7).getResourceSpans(0))
        .addResourceSpans(request("y", 100, 5).getResourceSpans(0))
        .build();
    Future<Void> f = batch.consumeTraces(ProcessorTesting.data(big));
    assertEquals(List.of(5, 5, 2), down.batches.stream().map(TraceData::spanCount).toList());
    List<Span> all = new ArrayList<>();
    for (TraceData d : down.batches) {
      ExportTraceServiceRequest part = ProcessorTesting.decode(d);
      part.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss -> all.addAll(ss.getSpansList())));
      assertTrue(ProcessorTesting.decode(d).getResourceSpansList().stream().allMatch(ResourceSpans::hasResource));
    }
    List<Span> expected = new ArrayList<>();
    big.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss -> expected.addAll(ss.getSpansList())));
    assertEquals(expected, all);
    assertEquals("y", ProcessorTesting.decode(down.batches.get(1)).getResourceSpans(1).getResource().getAttributes(0)
        .getValue().getStringValue());

    down.acks.get(0).complete();
    down.acks.get(2).complete();
    assertFalse(f.isComplete(), "acknowledged while one part is still unaccepted");
    down.acks.get(1).complete();
    Await.result(f);
    assertEquals(3, metric("otelcol_processor_batch_batch_size_trigger_send"));
  }

  @Test
  void aTimeoutOfZeroSendsEachRequestAtOnce() {
    Downstream down = new Downstream();
    TracesProcessor batch = create("timeout: 0s", down);
    Future<Void> f = batch.consumeTraces(ProcessorTesting.data(request("a", 0, 1)));
    assertEquals(1, down.batches.size());
    down.acks.get(0).complete();
    Await.result(f);
  }

  @Test
  void shutdownFlushesThePendingBatchAndLaterDataPassesStraightThrough() {
    Downstream down = new Downstream();
    TracesProcessor batch = create("timeout: 1h", down);
    Future<Void> f = batch.consumeTraces(ProcessorTesting.data(request("a", 0, 3)));
    Future<Void> stop = batch.shutdown();
    assertEquals(1, down.batches.size());
    assertFalse(stop.isComplete(), "shutdown completed before the flush was accepted");
    down.acks.get(0).complete();
    Await.result(stop);
    Await.result(f);
    Await.result(batch.shutdown());
    Future<Void> late = batch.consumeTraces(ProcessorTesting.data(request("b", 0, 1)));
    assertEquals(2, down.batches.size());
    down.acks.get(1).complete();
    Await.result(late);
  }

  @Test
  void theDefaultsAreTheCollectorsAndBadSizesAreRefused() {
    assertEquals(new BatchConfig(8192, java.time.Duration.ofMillis(200), 0), ProcessorTesting.config(factory, "{}"));
    ConfigException e = assertThrows(ConfigException.class,
        () -> ProcessorTesting.config(factory, "send_batch_size: 100\nsend_batch_max_size: 10"));
    assertTrue(e.getMessage().contains("send_batch_max_size: must be greater than or equal to send_batch_size (100)"),
        e.getMessage());
    assertTrue(assertThrows(ConfigException.class, () -> ProcessorTesting.config(factory, "metadata_keys: [tenant]"))
        .getMessage().contains("block.metadata_keys: batching by client metadata is not supported"));
  }

  private TracesProcessor create(String yaml, TracesConsumer down) {
    TracesProcessor p = factory.createTracesProcessor(
        ProcessorTesting.settings(vertx, telemetry, "batch"), ProcessorTesting.config(factory, yaml), down);
    Await.result(p.start());
    return p;
  }

  private double metric(String name) {
    return telemetry.metrics().sum(name, "processor", "batch");
  }

  static ExportTraceServiceRequest request(String service, int firstSpan, int spans) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    for (int i = 0; i < spans; i++) {
      byte[] traceId = new byte[16];
      traceId[15] = (byte) (firstSpan + i + 1);
      ss.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(traceId))
          .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) (firstSpan + i)}))
          .setName("span-" + (firstSpan + i)));
    }
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue(service))))
        .addScopeSpans(ss)).build();
  }
}

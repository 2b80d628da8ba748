package io.tailshard.common.receiver.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The OpenTelemetry Java SDK's own OTLP exporters (gRPC and HTTP/protobuf, with and without gzip)
 * export to the receiver, and every span arrives with its ids, names, kinds, attributes, events
 * and status intact.
 */
@Timeout(60)
class OtlpSdkExporterInteropTest {
  private static Vertx vertx;
  private static List<SpanData> spans;

  @BeforeAll
  static void makeSpans() {
    vertx = Vertx.vertx();
    List<SpanData> collected = new CopyOnWriteArrayList<>();
    SpanExporter collector = new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> s) {
        collected.addAll(s);
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
    try (SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "interop")))
        .addSpanProcessor(SimpleSpanProcessor.create(collector))
        .build()) {
      Tracer tracer = provider.get("io.tailshard.test", "1.0");
      for (int t = 0; t < 20; t++) {
        Span root = tracer.spanBuilder("root-" + t).setSpanKind(SpanKind.SERVER)
            .setAttribute("http.route", "/r/" + t).setAttribute("retries", t).setAttribute("ratio", t / 4.0)
            .setAttribute("cached", t % 2 == 0).startSpan();
        for (int c = 0; c < 4; c++) {
          Span child = tracer.spanBuilder("child-" + c).setParent(Context.current().with(root)).setSpanKind(SpanKind.CLIENT)
              .setAttribute(AttributeKey.stringArrayKey("tags"), List.of("a", "b" + c)).startSpan();
          child.addEvent("sent", Attributes.of(AttributeKey.longKey("bytes"), 100L * c));
          if (c == 3) {
            child.setStatus(StatusCode.ERROR, "boom");
          }
          child.end();
        }
        root.end();
      }
    }
    spans = new ArrayList<>(collected);
    assertEquals(100, spans.size());
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void grpcExporter() throws Exception {
    exportAndCompare(true, "none");
  }

  @Test
  void grpcExporterWithGzip() throws Exception {
    exportAndCompare(true, "gzip");
  }

  @Test
  void httpProtobufExporter() throws Exception {
    exportAndCompare(false, "none");
  }

  @Test
  void httpProtobufExporterWithGzip() throws Exception {
    exportAndCompare(false, "gzip");
  }

  private void exportAndCompare(boolean grpc, String compression) throws Exception {
    try (ReceiverFixture f = ReceiverFixture.start(vertx)) {
      SpanExporter exporter = grpc
          ? OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + f.receiver.grpcPort())
              .setCompression(compression).setTimeout(Duration.ofSeconds(10)).build()
          : OtlpHttpSpanExporter.builder().setEndpoint("http://127.0.0.1:" + f.receiver.httpPort() + "/v1/traces")
              .setCompression(compression).setTimeout(Duration.ofSeconds(10)).build();
      try {
        CompletableResultCode result = exporter.export(spans).join(20, TimeUnit.SECONDS);
        assertTrue(result.isSuccess(), "export failed: " + result.getFailureThrowable());
      } finally {
        exporter.shutdown().join(10, TimeUnit.SECONDS);
      }
      compare(f.consumer.requests());
      assertEquals(spans.size(), f.counter(ReceiverMetrics.ACCEPTED_SPANS, grpc ? "grpc" : "http"));
    }
  }

  private static void compare(List<ExportTraceServiceRequest> received) {
    Map<String, io.opentelemetry.proto.trace.v1.Span> bySpanId = new HashMap<>();
    for (ExportTraceServiceRequest r : received) {
      for (ResourceSpans rs : r.getResourceSpansList()) {
        assertEquals("interop", attributes(rs.getResource().getAttributesList()).get("service.name").getStringValue());
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          assertEquals("io.tailshard.test", ss.getScope().getName());
          assertEquals("1.0", ss.getScope().getVersion());
          for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
            bySpanId.put(HexFormat.of().formatHex(s.getSpanId().toByteArray()), s);
          }
        }
      }
    }
    assertEquals(spans.size(), bySpanId.size(), "every span arrived once");
    for (SpanData sd : spans) {
      io.opentelemetry.proto.trace.v1.Span s = bySpanId.get(sd.getSpanId());
      assertNotNull(s, "span " + sd.getName());
      assertEquals(sd.getTraceId(), HexFormat.of().formatHex(s.getTraceId().toByteArray()));
      assertEquals(sd.getParentSpanContext().isValid() ? sd.getParentSpanId() : "", HexFormat.of().formatHex(s.getParentSpanId().toByteArray()));
      assertEquals(sd.getName(), s.getName());
      assertEquals(sd.getKind().ordinal() + 1, s.getKindValue());
      assertEquals(sd.getStartEpochNanos(), s.getStartTimeUnixNano());
      assertEquals(sd.getEndEpochNanos(), s.getEndTimeUnixNano());
      Map<String, AnyValue> attrs = attributes(s.getAttributesList());
      assertEquals(sd.getAttributes().size(), attrs.size());
      sd.getAttributes().forEach((k, v) -> {
        AnyValue a = attrs.get(k.getKey());
        assertNotNull(a, k.getKey());
        switch (k.getType()) {
          case STRING -> assertEquals(v, a.getStringValue());
          case LONG -> assertEquals(v, a.getIntValue());
          case DOUBLE -> assertEquals(v, a.getDoubleValue());
          case BOOLEAN -> assertEquals(v, a.getBoolValue());
          case STRING_ARRAY -> assertEquals(v, a.getArrayValue().getValuesList().stream().map(AnyValue::getStringValue).toList());
          default -> throw new AssertionError("unexpected attribute type " + k.getType());
        }
      });
      assertEquals(sd.getEvents().size(), s.getEventsCount());
      for (int i = 0; i < sd.getEvents().size(); i++) {
        assertEquals(sd.getEvents().get(i).getName(), s.getEvents(i).getName());
        assertEquals(sd.getEvents().get(i).getAttributes().get(AttributeKey.longKey("bytes")),
            attributes(s.getEvents(i).getAttributesList()).get("bytes").getIntValue());
      }
      if (sd.getStatus().getStatusCode() == StatusCode.ERROR) {
        assertEquals(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR, s.getStatus().getCode());
        assertEquals("boom", s.getStatus().getMessage());
      }
    }
  }

  private static Map<String, AnyValue> attributes(List<KeyValue> kvs) {
    Map<String, AnyValue> m = new HashMap<>();
    for (KeyValue kv : kvs) {
      m.put(kv.getKey(), kv.getValue());
    }
    return m;
  }
}

package io.tailshard.common.processor;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.Host;
import io.tailshard.common.component.ProcessorFactory;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.config.ConfigNode;
import io.tailshard.common.telemetry.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Helpers shared by the processor tests: settings, config from YAML text, and a recording consumer. */
public final class ProcessorTesting {
  private ProcessorTesting() {}

  public static ComponentSettings settings(Vertx vertx, Telemetry telemetry, String id) {
    return new ComponentSettings(ComponentId.parse(id), ComponentKind.PROCESSOR, vertx, telemetry, Host.empty());
  }

  /** The YAML text parsed as one component block (the whole text is the block). */
  public static <C> C config(ProcessorFactory<C> factory, String yaml) {
    ConfigNode root = new ConfigLoader(Map.<String, String>of()::get).parse("test.yaml", "block:\n" + indent(yaml));
    return factory.parseConfig(root.entries().get("block").asMap());
  }

  /** Parses the {@code processors} section of a YAML resource and returns one block's config. */
  public static <C> C configFromResource(ProcessorFactory<C> factory, String resource, String id) {
    ConfigNode root = new ConfigLoader(Map.<String, String>of()::get).loadResource(resource);
    return factory.parseConfig(root.entries().get("processors").entries().get(id).asMap());
  }

  private static String indent(String yaml) {
    StringBuilder sb = new StringBuilder();
    for (String line : yaml.split("\n", -1)) {
      sb.append("  ").append(line).append('\n');
    }
    return sb.toString();
  }

  /** An attribute; the value is a String, Long, Integer, Double, Boolean or an AnyValue. */
  public static KeyValue kv(String key, Object value) {
    return KeyValue.newBuilder().setKey(key).setValue(any(value)).build();
  }

  public static AnyValue any(Object v) {
    if (v instanceof AnyValue a) {
      return a;
    }
    if (v instanceof String s) {
      return AnyValue.newBuilder().setStringValue(s).build();
    }
    if (v instanceof Long || v instanceof Integer) {
      return AnyValue.newBuilder().setIntValue(((Number) v).longValue()).build();
    }
    if (v instanceof Double d) {
      return AnyValue.newBuilder().setDoubleValue(d).build();
    }
    if (v instanceof Boolean b) {
      return AnyValue.newBuilder().setBoolValue(b).build();
    }
    throw new IllegalArgumentException("no AnyValue for " + v);
  }

  /** Attributes as plain Java values (String, Long, Double, Boolean; others as AnyValue), in order. */
  public static Map<String, Object> plain(List<KeyValue> attributes) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (KeyValue kv : attributes) {
      AnyValue v = kv.getValue();
      Object o = switch (v.getValueCase()) {
        case STRING_VALUE -> v.getStringValue();
        case INT_VALUE -> v.getIntValue();
        case DOUBLE_VALUE -> v.getDoubleValue();
        case BOOL_VALUE -> v.getBoolValue();
        default -> v;
      };
      out.put(kv.getKey(), o);
    }
    return out;
  }

  /** A request of one resource with one scope holding {@code spans}. */
  public static ExportTraceServiceRequest request(List<KeyValue> resource, Span... spans) {
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAllAttributes(resource))
        .addScopeSpans(ScopeSpans.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("test-scope").setVersion("1.0"))
            .addAllSpans(List.of(spans))))
        .build();
  }

  /** A span with a trace id, a span id, a name and attributes. */
  public static Span span(String name, KeyValue... attributes) {
    byte[] traceId = new byte[16];
    traceId[15] = 1;
    return Span.newBuilder().setTraceId(ByteString.copyFrom(traceId))
        .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) name.hashCode()}))
        .setName(name).setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(1_000_000_000L).setEndTimeUnixNano(1_250_000_000L)
        .addAllAttributes(List.of(attributes)).build();
  }

  public static TraceData data(ExportTraceServiceRequest request) {
    int spans = request.getResourceSpansList().stream()
        .flatMap(rs -> rs.getScopeSpansList().stream())
        .mapToInt(ss -> ss.getSpansCount())
        .sum();
    return new TraceData(request.toByteArray(), spans);
  }

  /** A consumer that keeps everything it accepts. */
  public static final class Recorder implements TracesConsumer {
    private final List<TraceData> received = new CopyOnWriteArrayList<>();

    @Override
    public Future<Void> consumeTraces(TraceData data) {
      received.add(data);
      return Future.succeededFuture();
    }

    public List<TraceData> received() {
      return List.copyOf(received);
    }

    /** Everything received, decoded. */
    public List<ExportTraceServiceRequest> requests() {
      return received.stream().map(ProcessorTesting::decode).toList();
    }

    public int spans() {
      return received.stream().mapToInt(TraceData::spanCount).sum();
    }
  }

  public static ExportTraceServiceRequest decode(TraceData d) {
    try {
      return ExportTraceServiceRequest.parseFrom(d.toByteArray());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}

package io.tailshard.common.processor;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
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

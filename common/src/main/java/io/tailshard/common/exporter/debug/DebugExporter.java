package io.tailshard.common.exporter.debug;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesExporter;
import io.tailshard.common.exporter.ExporterMetrics;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.otlp.wire.WireFormatException;
import io.vertx.core.Future;
import java.util.HexFormat;
import java.util.logging.Logger;

/**
 * Logs batches. Exported spans are counted as sent, like the Collector's debug exporter; the
 * per-second log sampling bounds the log volume, not what is counted.
 */
final class DebugExporter implements TracesExporter {
  private static final HexFormat HEX = HexFormat.of();

  private final DebugExporterConfig config;
  private final Logger log;
  private final ExporterMetrics metrics;
  private long second;
  private int loggedThisSecond;

  DebugExporter(ComponentSettings settings, DebugExporterConfig config) {
    this.config = config;
    this.log = settings.logger();
    this.metrics = new ExporterMetrics(settings.telemetry().metrics(), "exporter", settings.id().toString());
    metrics.queueGauges(() -> 0, () -> 0);
  }

  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> consumeTraces(TraceData data) {
    metrics.sentSpans.add(data.spanCount());
    if (shouldLog()) {
      log.info(describe(data));
    }
    return Future.succeededFuture();
  }

  private synchronized boolean shouldLog() {
    long now = System.currentTimeMillis() / 1000;
    if (now != second) {
      second = now;
      loggedThisSecond = 0;
    }
    int n = ++loggedThisSecond;
    return n <= config.samplingInitial() || (n - config.samplingInitial()) % config.samplingThereafter() == 0;
  }

  private String describe(TraceData data) {
    StringBuilder sb = new StringBuilder("Traces {resource spans: ");
    TraceRequestIndex idx = new TraceRequestIndex();
    try {
      idx.index(data.array(), data.offset(), data.length());
    } catch (WireFormatException e) {
      return "Traces (unreadable: " + e.getMessage() + ")";
    }
    sb.append(idx.resourceCount()).append(", spans: ").append(idx.spanCount()).append('}');
    switch (config.verbosity()) {
      case "normal":
        for (int i = 0; i < idx.spanCount(); i++) {
          sb.append("\n  ").append(HEX.formatHex(idx.buffer(), idx.traceIdOffset(i),
                  idx.traceIdOffset(i) + Math.max(0, idx.traceIdLength(i))))
              .append(' ').append(idx.name(i))
              .append(" status=").append(idx.statusCode(i))
              .append(" duration_ms=").append((idx.endTimeUnixNano(i) - idx.startTimeUnixNano(i)) / 1_000_000.0);
        }
        break;
      case "detailed":
        try {
          sb.append('\n').append(ExportTraceServiceRequest.parseFrom(data.toByteArray()));
        } catch (InvalidProtocolBufferException e) {
          sb.append(" (cannot decode: ").append(e.getMessage()).append(')');
        }
        break;
      default:
    }
    return sb.toString();
  }

  @Override
  public Future<Void> shutdown() {
    return Future.succeededFuture();
  }
}

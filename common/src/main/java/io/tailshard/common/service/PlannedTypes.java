package io.tailshard.common.service;

import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.Components;

/**
 * The Collector component types tailshard recognizes and means to build, registered as "not built"
 * so that an operator's pasted config fails with "not built in this tier yet: why" rather than
 * "unknown type". A tier registers these, then its factories (a type with a factory is built: its
 * entry here no longer shows) and, where the reason differs in that tier, its own entries.
 */
public final class PlannedTypes {
  private PlannedTypes() {}

  /** Adds every planned type to {@code b} and returns it. */
  public static Components.Builder register(Components.Builder b) {
    b.notBuilt(ComponentKind.RECEIVER, "otlp", "the OTLP receiver (gRPC :4317, HTTP :4318) is still being written");

    String keptPath = "planned for the kept-trace path of sampling-tier";
    b.notBuilt(ComponentKind.PROCESSOR, "tail_sampling", "tail sampling on a RocksDB trace buffer is planned for sampling-tier");
    b.notBuilt(ComponentKind.PROCESSOR, "memory_limiter", "planned: refuses data with a retryable status above a memory limit");
    b.notBuilt(ComponentKind.PROCESSOR, "batch", keptPath);
    b.notBuilt(ComponentKind.PROCESSOR, "resource", keptPath);
    b.notBuilt(ComponentKind.PROCESSOR, "attributes", keptPath);
    b.notBuilt(ComponentKind.PROCESSOR, "transform", keptPath);
    b.notBuilt(ComponentKind.PROCESSOR, "filter", keptPath);
    b.notBuilt(ComponentKind.PROCESSOR, "redaction", keptPath);
    b.notBuilt(ComponentKind.PROCESSOR, "resourcedetection", keptPath);

    String ring = "planned: the trace-id ring exporter of lb-tier";
    b.notBuilt(ComponentKind.EXPORTER, "loadbalancing", ring);
    b.notBuilt(ComponentKind.EXPORTER, "load_balancing", ring);
    b.notBuilt(ComponentKind.EXPORTER, "otlp", "planned: sends traces over OTLP/gRPC");
    b.notBuilt(ComponentKind.EXPORTER, "otlphttp", "planned: sends traces over OTLP/HTTP");
    b.notBuilt(ComponentKind.EXPORTER, "file", "planned: writes kept traces to a file");
    b.notBuilt(ComponentKind.EXPORTER, "debug", "planned: logs a summary of the traces it gets");
    b.notBuilt(ComponentKind.EXPORTER, "prometheus", "planned: serves span metrics as Prometheus text on :8889");

    b.notBuilt(ComponentKind.CONNECTOR, "spanmetrics", "planned: request, error and duration metrics from every span, before sampling");

    b.notBuilt(
        ComponentKind.EXTENSION, "file_storage",
        "tailshard stores on RocksDB: configure the rocksdb extension instead (same 'directory' option)");
    b.notBuilt(ComponentKind.EXTENSION, "rocksdb", "planned: RocksDB storage for the trace buffer and persistent queues");
    return b;
  }
}

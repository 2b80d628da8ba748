package io.tailshard.lb.exporter.loadbalancing;

import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.Host;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.receiver.otlp.OtlpReceiverFactory;
import io.tailshard.common.component.Component;
import io.tailshard.common.telemetry.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A sampling node stand-in: the product's real OTLP receiver on {@code address:port}, recording
 * every span it accepts (keyed by span id) and which traces it saw. Shared counts across backends
 * go through a {@link Ledger}, so a test can check "each span exactly once, each trace on one node".
 */
final class RecordingBackend implements AutoCloseable {
  final String endpoint;
  private final Component receiver;
  private final Ledger ledger;
  private volatile boolean closed;

  /** What every backend of a test received, in one place. Thread-safe. */
  static final class Ledger {
    private final Map<String, Integer> timesSeen = new HashMap<>();
    private final Map<String, String> traceOwner = new HashMap<>();
    private final Map<String, Integer> spansPerBackend = new HashMap<>();
    private int splitTraces;
    private long spans;

    synchronized void record(String endpoint, String traceHex, String spanHex) {
      timesSeen.merge(spanHex, 1, Integer::sum);
      spansPerBackend.merge(endpoint, 1, Integer::sum);
      String owner = traceOwner.putIfAbsent(traceHex, endpoint);
      if (owner != null && !owner.equals(endpoint)) {
        splitTraces++;
        traceOwner.put(traceHex, owner + "," + endpoint);
      }
      spans++;
    }

    synchronized long spans() {
      return spans;
    }

    synchronized int distinctSpans() {
      return timesSeen.size();
    }

    synchronized long duplicates() {
      return timesSeen.values().stream().filter(n -> n > 1).mapToLong(n -> n - 1).sum();
    }

    synchronized int splitTraces() {
      return splitTraces;
    }

    synchronized String ownerOf(String traceHex) {
      return traceOwner.get(traceHex);
    }

    synchronized Map<String, Integer> spansPerBackend() {
      return new HashMap<>(spansPerBackend);
    }
  }

  RecordingBackend(Vertx vertx, String address, int port, Ledger ledger) throws Exception {
    this.endpoint = address + ":" + port;
    this.ledger = ledger;
    OtlpReceiverFactory factory = new OtlpReceiverFactory();
    var config = factory.parseConfig(new ConfigLoader(n -> null)
        .parse("backend.yaml", "protocols:\n  grpc:\n    endpoint: " + endpoint + "\n").asMap());
    ComponentSettings settings = new ComponentSettings(
        ComponentId.of("otlp"), ComponentKind.RECEIVER, vertx, Telemetry.forTests("backend"), Host.empty());
    receiver = factory.createTracesReceiver(settings, config, this::accept);
    receiver.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private Future<Void> accept(TraceData data) {
    if (closed) {
      return Future.failedFuture(io.tailshard.common.component.RefusedException.retryable("closing"));
    }
    TraceRequestIndex idx = new TraceRequestIndex();
    try {
      idx.index(data.array(), data.offset(), data.length());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    for (int i = 0; i < idx.spanCount(); i++) {
      ledger.record(endpoint, hex(idx.buffer(), idx.traceIdOffset(i), 16), hex(idx.buffer(), idx.spanIdOffset(i), 8));
    }
    return Future.succeededFuture();
  }

  static String hex(byte[] b, int off, int len) {
    return java.util.HexFormat.of().formatHex(b, off, off + len);
  }

  /** Stops the node as a crash would look from outside: the port closes. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      receiver.shutdown().toCompletionStage().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
    }
  }
}

package io.tailshard.common.testing;

import io.tailshard.common.component.Component;
import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.Host;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.receiver.otlp.OtlpReceiverFactory;
import io.tailshard.common.telemetry.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * An OTLP/gRPC endpoint for tests (a sampling node stand-in, or a backend): the product's real
 * receiver on {@code address:port}, recording every span it accepts into a {@link SpanLedger}.
 * {@link #setRefusing} makes it answer UNAVAILABLE, as a backend in trouble would.
 */
public final class RecordingOtlpSink implements AutoCloseable {
  private static final HexFormat HEX = HexFormat.of();

  public final String endpoint;
  private final Component receiver;
  private final SpanLedger ledger;
  private volatile boolean closed;
  private volatile boolean refusing;
  private volatile Future<Void> gate;
  private volatile Runnable onHeld;
  private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();

  public RecordingOtlpSink(Vertx vertx, String address, int port, SpanLedger ledger) throws Exception {
    this.endpoint = address + ":" + port;
    this.ledger = ledger;
    OtlpReceiverFactory factory = new OtlpReceiverFactory();
    var config = factory.parseConfig(new ConfigLoader(n -> null)
        .parse("sink.yaml", "protocols:\n  grpc:\n    endpoint: " + endpoint + "\n").asMap());
    ComponentSettings settings = new ComponentSettings(
        ComponentId.of("otlp"), ComponentKind.RECEIVER, vertx, Telemetry.forTests("sink"), Host.empty());
    receiver = factory.createTracesReceiver(settings, config, this::accept);
    receiver.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public void setRefusing(boolean refusing) {
    this.refusing = refusing;
  }

  /**
   * Until {@code gate} completes, requests are recorded as they arrive but answered only then, as a
   * slow backend would; {@code arrived} runs for each request held. {@code gate} null lifts the hold.
   */
  public void holdAnswers(Future<Void> gate, Runnable arrived) {
    this.onHeld = arrived;
    this.gate = gate;
  }

  /** Export requests taken (not refused) so far. */
  public long requests() {
    return requests.get();
  }

  private Future<Void> accept(TraceData data) {
    if (closed || refusing) {
      return Future.failedFuture(RefusedException.retryable("test sink refuses"));
    }
    requests.incrementAndGet();
    TraceRequestIndex idx = new TraceRequestIndex();
    try {
      idx.index(data.array(), data.offset(), data.length());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    for (int i = 0; i < idx.spanCount(); i++) {
      ledger.record(endpoint, hex(idx.buffer(), idx.traceIdOffset(i), 16), hex(idx.buffer(), idx.spanIdOffset(i), 8));
    }
    Future<Void> held = gate;
    if (held != null) {
      Runnable r = onHeld;
      if (r != null) {
        r.run();
      }
      return held;
    }
    return Future.succeededFuture();
  }

  public static String hex(byte[] b, int off, int len) {
    return HEX.formatHex(b, off, off + len);
  }

  /** Stops the endpoint as a crash would look from outside: the port closes. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      receiver.shutdown().toCompletionStage().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
    }
  }
}

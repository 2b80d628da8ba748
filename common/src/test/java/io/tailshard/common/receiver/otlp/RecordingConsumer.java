package io.tailshard.common.receiver.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConsumer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real consumer for receiver tests: records what it got, and accepts, refuses or holds it. */
final class RecordingConsumer implements TracesConsumer {
  enum Mode {
    ACCEPT,
    REFUSE_RETRYABLE,
    REFUSE_PERMANENT,
    /** Takes the data but completes only when {@link #releaseHeld()} is called. */
    HOLD
  }

  static final Duration RETRY_AFTER = Duration.ofSeconds(7);

  private final List<TraceData> received = new CopyOnWriteArrayList<>();
  private final List<Promise<Void>> held = new CopyOnWriteArrayList<>();
  private volatile Mode mode = Mode.ACCEPT;

  void mode(Mode mode) {
    this.mode = mode;
  }

  @Override
  public Future<Void> consumeTraces(TraceData data) {
    switch (mode) {
      case REFUSE_RETRYABLE:
        return Future.failedFuture(RefusedException.retryable("store is full", RETRY_AFTER));
      case REFUSE_PERMANENT:
        return Future.failedFuture(RefusedException.permanent("not wanted"));
      case HOLD: {
        received.add(data);
        Promise<Void> p = Promise.promise();
        held.add(p);
        return p.future();
      }
      default:
        received.add(data);
        return Future.succeededFuture();
    }
  }

  void releaseHeld() {
    for (Promise<Void> p : held) {
      p.tryComplete();
    }
    held.clear();
  }

  List<TraceData> received() {
    return received;
  }

  int spanCount() {
    return received.stream().mapToInt(TraceData::spanCount).sum();
  }

  /** Every received request, decoded with the generated classes (the test's cold path). */
  List<ExportTraceServiceRequest> requests() {
    List<ExportTraceServiceRequest> out = new ArrayList<>();
    for (TraceData d : received) {
      try {
        out.add(ExportTraceServiceRequest.parseFrom(d.toByteArray()));
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError("the receiver passed on bytes that do not parse", e);
      }
    }
    return out;
  }
}

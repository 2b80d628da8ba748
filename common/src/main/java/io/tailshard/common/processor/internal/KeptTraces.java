package io.tailshard.common.processor.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.otlp.model.TraceModel;
import io.vertx.core.Future;

/**
 * The step every span-editing processor shares: decode the request with the generated classes,
 * edit it, hand the result on. This is the cold path: these processors sit after the sampling
 * decision and see only kept traces, a small fraction of ingest, so a full decode (about 0.6 µs a
 * span) is affordable there and keeps the edits simple and exact. A request the editor left
 * unchanged is passed on as the same bytes; one whose spans were all dropped is acknowledged
 * without calling downstream, as the Collector's filter does.
 */
public final class KeptTraces {
  /** Edits a decoded request in place. May throw {@link RefusedException} to refuse the request. */
  @FunctionalInterface
  public interface Editor {
    void edit(TraceModel model);
  }

  private KeptTraces() {}

  /**
   * Decodes {@code data}, applies {@code editor} and passes the result to {@code next}. A request
   * that cannot be decoded is refused permanently, naming {@code component}; never throws.
   */
  public static Future<Void> edit(String component, TraceData data, TracesConsumer next, Editor editor) {
    TraceModel model;
    try {
      model = TraceModel.decode(data);
    } catch (InvalidProtocolBufferException e) {
      return Future.failedFuture(RefusedException.permanent(component + ": cannot decode the request: " + e.getMessage()));
    }
    try {
      editor.edit(model);
    } catch (RuntimeException e) {
      // A refusal is the editor's answer; anything else is a bug, reported to the sender as a
      // failure rather than thrown at the event loop.
      return Future.failedFuture(e);
    }
    if (model.changed() && model.spanCount() == 0) {
      return Future.succeededFuture();
    }
    return next.consumeTraces(model.encode());
  }
}

package io.tailshard.common.otlp.model;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.tailshard.common.component.TraceData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One decoded {@code ExportTraceServiceRequest} that processors can edit, then encode again. Cold
 * path only (see the package doc). A model that nothing changed encodes to the very bytes it was
 * decoded from, so a processor that matched nothing costs a decode and no re-encode.
 *
 * <p>Not thread-safe: decode, edit and encode on one thread.
 */
public final class TraceModel {
  private final TraceData source;
  private final List<ResourceNode> resources = new ArrayList<>();
  private boolean changed;

  private TraceModel(TraceData source, ExportTraceServiceRequest request) {
    this.source = source;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      resources.add(new ResourceNode(this, rs));
    }
  }

  /** Decodes {@code data} with the generated classes. */
  public static TraceModel decode(TraceData data) throws InvalidProtocolBufferException {
    return new TraceModel(data,
        ExportTraceServiceRequest.parser().parseFrom(data.array(), data.offset(), data.length()));
  }

  public List<ResourceNode> resources() {
    return Collections.unmodifiableList(resources);
  }

  /** Records that something changed, so {@link #encode()} writes a new request. */
  public void markChanged() {
    changed = true;
  }

  public boolean changed() {
    return changed;
  }

  /**
   * Removes scopes that hold no span any more and resources that hold no scope any more, as the
   * Collector's filter processor does after dropping spans.
   */
  public void removeEmpty() {
    for (ResourceNode r : resources) {
      if (r.removed()) {
        continue;
      }
      boolean anyScope = false;
      for (ScopeNode s : r.scopes()) {
        if (!s.removed() && s.liveSpanCount() == 0) {
          s.remove();
        }
        anyScope |= !s.removed();
      }
      if (!anyScope) {
        r.remove();
      }
    }
  }

  /** Spans not removed (nor inside a removed scope or resource). */
  public int spanCount() {
    int n = 0;
    for (ResourceNode r : resources) {
      if (r.removed()) {
        continue;
      }
      for (ScopeNode s : r.scopes()) {
        if (!s.removed()) {
          n += s.liveSpanCount();
        }
      }
    }
    return n;
  }

  /** The request as it is now: the original data when nothing changed. */
  public TraceData encode() {
    if (!changed) {
      return source;
    }
    return new TraceData(toRequest().toByteArray(), spanCount());
  }

  /** The request as it is now, as a generated message. */
  public ExportTraceServiceRequest toRequest() {
    ExportTraceServiceRequest.Builder out = ExportTraceServiceRequest.newBuilder();
    for (ResourceNode r : resources) {
      if (!r.removed()) {
        out.addResourceSpans(r.build());
      }
    }
    return out.build();
  }
}

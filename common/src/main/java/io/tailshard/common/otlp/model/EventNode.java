package io.tailshard.common.otlp.model;

import io.opentelemetry.proto.trace.v1.Span;

/** One event of a {@link SpanNode}; fields other than attributes through {@link #proto()}. */
public final class EventNode {
  private final TraceModel model;
  private final SpanNode span;
  private final Span.Event.Builder proto;
  private AttributeMap attributes;
  private boolean removed;

  EventNode(TraceModel model, SpanNode span, Span.Event source) {
    this.model = model;
    this.span = span;
    this.proto = source.toBuilder();
  }

  public SpanNode span() {
    return span;
  }

  public Span.Event.Builder proto() {
    return proto;
  }

  /** The event's attributes; changes are written back on encode. */
  public AttributeMap attributes() {
    if (attributes == null) {
      attributes = new AttributeMap(proto.getAttributesList(), model);
    }
    return attributes;
  }

  /** Drops this event from its span. */
  public void remove() {
    if (!removed) {
      removed = true;
      model.markChanged();
    }
  }

  public boolean removed() {
    return removed;
  }

  Span.Event build() {
    if (attributes != null && attributes.changed()) {
      proto.clearAttributes().addAllAttributes(attributes.toKeyValues());
    }
    return proto.build();
  }
}

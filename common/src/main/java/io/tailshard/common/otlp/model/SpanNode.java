package io.tailshard.common.otlp.model;

import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One span of a {@link TraceModel}. Attributes and events are nodes of their own; every other field
 * is read and written through {@link #proto()}, and a writer that changes a field through it calls
 * {@link TraceModel#markChanged()}.
 */
public final class SpanNode {
  private final TraceModel model;
  private final ScopeNode scope;
  private final Span.Builder proto;
  private AttributeMap attributes;
  private List<EventNode> events;
  private boolean removed;

  SpanNode(TraceModel model, ScopeNode scope, Span source) {
    this.model = model;
    this.scope = scope;
    this.proto = source.toBuilder();
  }

  public ScopeNode scope() {
    return scope;
  }

  public ResourceNode resource() {
    return scope.resource();
  }

  public TraceModel model() {
    return model;
  }

  /** The span's fields other than attributes and events. */
  public Span.Builder proto() {
    return proto;
  }

  /** The span's attributes; changes are written back on encode. */
  public AttributeMap attributes() {
    if (attributes == null) {
      attributes = new AttributeMap(proto.getAttributesList(), model);
    }
    return attributes;
  }

  /** The span's events, as nodes (made on first call). */
  public List<EventNode> events() {
    if (events == null) {
      events = new ArrayList<>(proto.getEventsCount());
      for (Span.Event e : proto.getEventsList()) {
        events.add(new EventNode(model, this, e));
      }
    }
    return Collections.unmodifiableList(events);
  }

  /** Drops this span from the encoded request. */
  public void remove() {
    if (!removed) {
      removed = true;
      model.markChanged();
    }
  }

  public boolean removed() {
    return removed;
  }

  Span build() {
    if (attributes != null && attributes.changed()) {
      proto.clearAttributes().addAllAttributes(attributes.toKeyValues());
    }
    if (events != null) {
      proto.clearEvents();
      for (EventNode e : events) {
        if (!e.removed()) {
          proto.addEvents(e.build());
        }
      }
    }
    return proto.build();
  }
}

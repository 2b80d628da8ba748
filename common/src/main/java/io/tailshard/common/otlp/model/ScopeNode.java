package io.tailshard.common.otlp.model;

import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One {@code ScopeSpans} of a {@link TraceModel}: the instrumentation scope and its spans. */
public final class ScopeNode {
  private final TraceModel model;
  private final ResourceNode resource;
  private final ScopeSpans.Builder proto;
  private final List<SpanNode> spans = new ArrayList<>();
  private AttributeMap attributes;
  private boolean removed;

  ScopeNode(TraceModel model, ResourceNode resource, ScopeSpans source) {
    this.model = model;
    this.resource = resource;
    this.proto = source.toBuilder().clearSpans();
    for (var span : source.getSpansList()) {
      spans.add(new SpanNode(model, this, span));
    }
  }

  public ResourceNode resource() {
    return resource;
  }

  /** The scope's attributes; changes are written back on encode. */
  public AttributeMap attributes() {
    if (attributes == null) {
      attributes = new AttributeMap(proto.getScope().getAttributesList(), model);
    }
    return attributes;
  }

  public List<SpanNode> spans() {
    return Collections.unmodifiableList(spans);
  }

  public String name() {
    return proto.getScope().getName();
  }

  public void setName(String name) {
    proto.getScopeBuilder().setName(name);
    model.markChanged();
  }

  public String version() {
    return proto.getScope().getVersion();
  }

  public void setVersion(String version) {
    proto.getScopeBuilder().setVersion(version);
    model.markChanged();
  }

  public int droppedAttributesCount() {
    return proto.getScope().getDroppedAttributesCount();
  }

  public void setDroppedAttributesCount(int count) {
    proto.getScopeBuilder().setDroppedAttributesCount(count);
    model.markChanged();
  }

  public String schemaUrl() {
    return proto.getSchemaUrl();
  }

  /** Drops this scope and all its spans from the encoded request. */
  public void remove() {
    if (!removed) {
      removed = true;
      model.markChanged();
    }
  }

  public boolean removed() {
    return removed;
  }

  /** Spans not removed. */
  public int liveSpanCount() {
    int n = 0;
    for (SpanNode s : spans) {
      if (!s.removed()) {
        n++;
      }
    }
    return n;
  }

  ScopeSpans build() {
    if (attributes != null && attributes.changed()) {
      proto.getScopeBuilder().clearAttributes().addAllAttributes(attributes.toKeyValues());
    }
    proto.clearSpans();
    for (SpanNode s : spans) {
      if (!s.removed()) {
        proto.addSpans(s.build());
      }
    }
    return proto.build();
  }
}

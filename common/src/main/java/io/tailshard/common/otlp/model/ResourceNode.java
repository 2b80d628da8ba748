package io.tailshard.common.otlp.model;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One {@code ResourceSpans} of a {@link TraceModel}: the resource's attributes and its scopes. */
public final class ResourceNode {
  private final TraceModel model;
  private final ResourceSpans.Builder proto;
  private final List<ScopeNode> scopes = new ArrayList<>();
  private AttributeMap attributes;
  private boolean removed;

  ResourceNode(TraceModel model, ResourceSpans source) {
    this.model = model;
    this.proto = source.toBuilder().clearScopeSpans();
    for (var ss : source.getScopeSpansList()) {
      scopes.add(new ScopeNode(model, this, ss));
    }
  }

  /** The resource's attributes; changes are written back on encode. */
  public AttributeMap attributes() {
    if (attributes == null) {
      attributes = new AttributeMap(proto.getResource().getAttributesList(), model);
    }
    return attributes;
  }

  public List<ScopeNode> scopes() {
    return Collections.unmodifiableList(scopes);
  }

  public int droppedAttributesCount() {
    return proto.getResource().getDroppedAttributesCount();
  }

  public void setDroppedAttributesCount(int count) {
    proto.getResourceBuilder().setDroppedAttributesCount(count);
    model.markChanged();
  }

  public String schemaUrl() {
    return proto.getSchemaUrl();
  }

  /** Sets the schema URL when the resource has none (a detector's URL never replaces one). */
  public void setSchemaUrlIfAbsent(String url) {
    if (proto.getSchemaUrl().isEmpty() && !url.isEmpty()) {
      proto.setSchemaUrl(url);
      model.markChanged();
    }
  }

  /** Drops this resource and all its spans from the encoded request. */
  public void remove() {
    if (!removed) {
      removed = true;
      model.markChanged();
    }
  }

  public boolean removed() {
    return removed;
  }

  ResourceSpans build() {
    if (attributes != null && attributes.changed()) {
      proto.getResourceBuilder().clearAttributes().addAllAttributes(attributes.toKeyValues());
    }
    proto.clearScopeSpans();
    for (ScopeNode s : scopes) {
      if (!s.removed()) {
        proto.addScopeSpans(s.build());
      }
    }
    return proto.build();
  }
}

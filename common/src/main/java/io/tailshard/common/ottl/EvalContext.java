package io.tailshard.common.ottl;

import io.tailshard.common.otlp.model.EventNode;
import io.tailshard.common.otlp.model.ResourceNode;
import io.tailshard.common.otlp.model.ScopeNode;
import io.tailshard.common.otlp.model.SpanNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The element one evaluation runs against (a resource, a scope, a span or a span event, with the
 * elements that enclose it) and its {@code cache} map, which lives as long as this context: make
 * one per element, as the Collector makes one transform context per element. Not thread-safe.
 */
public final class EvalContext {
  final ResourceNode resource;
  final ScopeNode scope;
  final SpanNode span;
  final EventNode event;
  private Map<String, Object> cache;

  private EvalContext(ResourceNode resource, ScopeNode scope, SpanNode span, EventNode event) {
    this.resource = resource;
    this.scope = scope;
    this.span = span;
    this.event = event;
  }

  public static EvalContext of(ResourceNode resource) {
    return new EvalContext(resource, null, null, null);
  }

  public static EvalContext of(ScopeNode scope) {
    return new EvalContext(scope.resource(), scope, null, null);
  }

  public static EvalContext of(SpanNode span) {
    return new EvalContext(span.resource(), span.scope(), span, null);
  }

  public static EvalContext of(EventNode event) {
    SpanNode span = event.span();
    return new EvalContext(span.resource(), span.scope(), span, event);
  }

  Map<String, Object> cache() {
    if (cache == null) {
      cache = new LinkedHashMap<>();
    }
    return cache;
  }
}

package io.tailshard.common.processor.attributes;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.otlp.model.ResourceNode;
import io.tailshard.common.otlp.model.ScopeNode;
import io.tailshard.common.otlp.model.SpanNode;
import io.tailshard.common.processor.internal.KeptTraces;
import io.tailshard.common.processor.internal.SpanMatcher;
import io.vertx.core.Future;

/**
 * Applies the configured actions to the attributes of every selected span. Edits decoded kept
 * traces ({@link KeptTraces}); stateless and thread-safe.
 */
final class AttributesProcessor implements TracesProcessor {
  private final String id;
  private final AttributesConfig config;
  private final TracesConsumer next;

  AttributesProcessor(ComponentSettings settings, AttributesConfig config, TracesConsumer next) {
    this.id = settings.id().toString();
    this.config = config;
    this.next = next;
  }

  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> consumeTraces(TraceData data) {
    return KeptTraces.edit(id, data, next, model -> {
      for (ResourceNode r : model.resources()) {
        for (ScopeNode s : r.scopes()) {
          for (SpanNode span : s.spans()) {
            if (!SpanMatcher.skip(config.include(), config.exclude(), span)) {
              config.actions().apply(span.attributes());
            }
          }
        }
      }
    });
  }

  @Override
  public Future<Void> shutdown() {
    return Future.succeededFuture();
  }
}

package io.tailshard.common.processor.resource;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.otlp.model.ResourceNode;
import io.tailshard.common.processor.internal.KeptTraces;
import io.vertx.core.Future;

/** Applies the configured actions to every resource's attributes. Stateless and thread-safe. */
final class ResourceProcessor implements TracesProcessor {
  private final String id;
  private final ResourceConfig config;
  private final TracesConsumer next;

  ResourceProcessor(ComponentSettings settings, ResourceConfig config, TracesConsumer next) {
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
        config.attributes().apply(r.attributes());
      }
    });
  }

  @Override
  public Future<Void> shutdown() {
    return Future.succeededFuture();
  }
}

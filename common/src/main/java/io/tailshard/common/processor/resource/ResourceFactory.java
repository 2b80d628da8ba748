package io.tailshard.common.processor.resource;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ProcessorFactory;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.ConfigMap;

/** The {@code resource} processor: attribute actions on resource attributes. */
public final class ResourceFactory implements ProcessorFactory<ResourceConfig> {
  @Override
  public String type() {
    return "resource";
  }

  @Override
  public ResourceConfig parseConfig(ConfigMap block) {
    return ResourceConfig.parse(block);
  }

  @Override
  public TracesProcessor createTracesProcessor(ComponentSettings settings, ResourceConfig config, TracesConsumer next) {
    return new ResourceProcessor(settings, config, next);
  }
}

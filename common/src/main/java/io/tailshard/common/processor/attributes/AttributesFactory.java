package io.tailshard.common.processor.attributes;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ProcessorFactory;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.ConfigMap;

/** The {@code attributes} processor: inserts, updates, deletes, hashes, extracts and converts span attributes. */
public final class AttributesFactory implements ProcessorFactory<AttributesConfig> {
  @Override
  public String type() {
    return "attributes";
  }

  @Override
  public AttributesConfig parseConfig(ConfigMap block) {
    return AttributesConfig.parse(block);
  }

  @Override
  public TracesProcessor createTracesProcessor(
      ComponentSettings settings, AttributesConfig config, TracesConsumer next) {
    return new AttributesProcessor(settings, config, next);
  }
}

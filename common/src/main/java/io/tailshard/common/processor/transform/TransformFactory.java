package io.tailshard.common.processor.transform;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ProcessorFactory;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.ConfigMap;

/** The {@code transform} processor: OTTL statements over kept traces (see {@link TransformConfig}). */
public final class TransformFactory implements ProcessorFactory<TransformConfig> {
  @Override
  public String type() {
    return "transform";
  }

  @Override
  public TransformConfig parseConfig(ConfigMap block) {
    return TransformConfig.parse(block);
  }

  @Override
  public TracesProcessor createTracesProcessor(ComponentSettings settings, TransformConfig config, TracesConsumer next) {
    return new TransformProcessor(settings, config, next);
  }
}

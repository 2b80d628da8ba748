package io.tailshard.common.processor.redaction;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ProcessorFactory;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.ConfigMap;

/** The {@code redaction} processor: deletes attributes not allowed and masks blocked values. */
public final class RedactionFactory implements ProcessorFactory<RedactionConfig> {
  @Override
  public String type() {
    return "redaction";
  }

  @Override
  public RedactionConfig parseConfig(ConfigMap block) {
    return RedactionConfig.parse(block);
  }

  @Override
  public TracesProcessor createTracesProcessor(ComponentSettings settings, RedactionConfig config, TracesConsumer next) {
    return new RedactionProcessor(settings, config, next);
  }
}

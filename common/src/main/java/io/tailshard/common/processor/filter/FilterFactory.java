package io.tailshard.common.processor.filter;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ProcessorFactory;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.ConfigMap;

/** The {@code filter} processor: drops spans and span events of kept traces by OTTL condition. */
public final class FilterFactory implements ProcessorFactory<FilterConfig> {
  @Override
  public String type() {
    return "filter";
  }

  @Override
  public FilterConfig parseConfig(ConfigMap block) {
    return FilterConfig.parse(block);
  }

  @Override
  public TracesProcessor createTracesProcessor(ComponentSettings settings, FilterConfig config, TracesConsumer next) {
    return new FilterProcessor(settings, config, next);
  }
}

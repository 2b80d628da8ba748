package io.tailshard.common.processor.memorylimiter;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ProcessorFactory;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.ConfigMap;

/**
 * The {@code memory_limiter} processor: refuses data with a retryable status while the heap is
 * above a limit (see {@link MemoryLimiterConfig} for options). Put it first in a pipeline, right
 * after the receivers, as the Collector advises. Usable in both tiers.
 */
public final class MemoryLimiterFactory implements ProcessorFactory<MemoryLimiterConfig> {
  @Override
  public String type() {
    return "memory_limiter";
  }

  @Override
  public MemoryLimiterConfig parseConfig(ConfigMap block) {
    return MemoryLimiterConfig.parse(block);
  }

  @Override
  public TracesProcessor createTracesProcessor(
      ComponentSettings settings, MemoryLimiterConfig config, TracesConsumer next) {
    return new MemoryLimiterProcessor(settings, config, next);
  }
}

package io.tailshard.common.processor.batch;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ProcessorFactory;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.ConfigMap;

/**
 * The {@code batch} processor: gathers requests into larger ones by size or time, on the wire
 * codec (no protobuf objects). Acknowledges upstream only once downstream took the batch; see
 * {@link BatchProcessor}.
 */
public final class BatchFactory implements ProcessorFactory<BatchConfig> {
  @Override
  public String type() {
    return "batch";
  }

  @Override
  public BatchConfig parseConfig(ConfigMap block) {
    return BatchConfig.parse(block);
  }

  @Override
  public TracesProcessor createTracesProcessor(ComponentSettings settings, BatchConfig config, TracesConsumer next) {
    return new BatchProcessor(settings, config, next);
  }
}

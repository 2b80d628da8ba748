package io.tailshard.common.service;

import io.tailshard.common.component.ComponentId;
import io.tailshard.common.config.ConfigNode;
import java.util.List;

/**
 * One entry of {@code service.pipelines}: the ids of its receivers, processors (in the order data
 * flows through them) and exporters. A receiver or exporter id may also name a connector.
 *
 * @param node the pipeline's YAML node, for errors found after parsing
 */
public record PipelineConfig(
    PipelineId id, List<ComponentId> receivers, List<ComponentId> processors, List<ComponentId> exporters,
    ConfigNode node) {
  public PipelineConfig {
    receivers = List.copyOf(receivers);
    processors = List.copyOf(processors);
    exporters = List.copyOf(exporters);
  }
}

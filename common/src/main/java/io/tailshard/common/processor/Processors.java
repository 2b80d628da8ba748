package io.tailshard.common.processor;

import io.tailshard.common.component.ProcessorFactory;
import io.tailshard.common.processor.attributes.AttributesFactory;
import io.tailshard.common.processor.batch.BatchFactory;
import io.tailshard.common.processor.filter.FilterFactory;
import io.tailshard.common.processor.memorylimiter.MemoryLimiterFactory;
import io.tailshard.common.processor.redaction.RedactionFactory;
import io.tailshard.common.processor.resource.ResourceFactory;
import io.tailshard.common.processor.resourcedetection.ResourceDetectionFactory;
import io.tailshard.common.processor.transform.TransformFactory;
import java.util.List;

/**
 * The Collector processors built in {@code common}, for the tiers to register. Each factory's type
 * is the Collector's, so a registered factory replaces that type's "not built" entry of
 * {@link io.tailshard.common.service.PlannedTypes}.
 */
public final class Processors {
  private Processors() {}

  /** A new instance of every processor factory, in no particular order. */
  public static List<ProcessorFactory<?>> all() {
    return List.of(new MemoryLimiterFactory(), new BatchFactory(), new ResourceFactory(), new AttributesFactory(),
        new TransformFactory(), new FilterFactory(), new RedactionFactory(), new ResourceDetectionFactory());
  }
}

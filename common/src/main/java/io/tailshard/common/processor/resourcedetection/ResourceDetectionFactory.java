package io.tailshard.common.processor.resourcedetection;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ProcessorFactory;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.ConfigMap;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The {@code resourcedetection} processor with the {@code env} and {@code system} detectors (see
 * {@link ResourceDetectionConfig}).
 */
public final class ResourceDetectionFactory implements ProcessorFactory<ResourceDetectionConfig> {
  private final Function<String, String> env;
  private final Path root;

  /** Reads the process environment and the real host. */
  public ResourceDetectionFactory() {
    this(System::getenv, Path.of("/"));
  }

  /** For tests: another environment and a directory standing for "/". */
  ResourceDetectionFactory(Function<String, String> env, Path root) {
    this.env = env;
    this.root = root;
  }

  @Override
  public String type() {
    return "resourcedetection";
  }

  @Override
  public ResourceDetectionConfig parseConfig(ConfigMap block) {
    return ResourceDetectionConfig.parse(block);
  }

  @Override
  public TracesProcessor createTracesProcessor(
      ComponentSettings settings, ResourceDetectionConfig config, TracesConsumer next) {
    List<Detector> detectors = new ArrayList<>();
    for (String d : config.detectors()) {
      detectors.add(d.equals("env")
          ? new EnvDetector(env)
          : new SystemDetector(root, config.hostnameSources(), config.systemAttributes()));
    }
    return new ResourceDetectionProcessor(settings, config, next, detectors);
  }
}

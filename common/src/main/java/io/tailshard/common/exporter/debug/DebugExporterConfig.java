package io.tailshard.common.exporter.debug;

import io.tailshard.common.config.ConfigMap;

/**
 * The {@code debug} exporter's config, as the Collector's: {@code verbosity} ({@code basic}: one
 * line per batch; {@code normal}: one line per span; {@code detailed}: every field of every span),
 * {@code sampling_initial} (2) and {@code sampling_thereafter} (1): of the batches logged each
 * second, the first {@code sampling_initial} are logged, then every {@code sampling_thereafter}-th.
 */
public record DebugExporterConfig(String verbosity, int samplingInitial, int samplingThereafter) {
  static DebugExporterConfig parse(ConfigMap m) {
    DebugExporterConfig c = new DebugExporterConfig(
        m.oneOf("verbosity", "basic", "basic", "normal", "detailed"),
        m.integer("sampling_initial", 2, 0, Integer.MAX_VALUE),
        m.integer("sampling_thereafter", 1, 1, Integer.MAX_VALUE));
    m.done();
    return c;
  }
}

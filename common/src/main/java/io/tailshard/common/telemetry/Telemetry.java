package io.tailshard.common.telemetry;

import java.util.Map;
import java.util.UUID;

/**
 * What a node tells about itself: metrics, health, and who it is. One per process; components get
 * it through their settings.
 */
public final class Telemetry {
  private final String serviceName;
  private final String instanceId;
  private final MetricRegistry metrics;
  private final Health health = new Health();

  public Telemetry(String serviceName, String instanceId, String version) {
    this(serviceName, instanceId, Map.of(
        "service_name", serviceName,
        "service_instance_id", instanceId,
        "service_version", version));
  }

  /**
   * A telemetry whose series carry exactly {@code constLabels} (the service's resource attributes
   * from {@code service.telemetry.resource}, already turned into Prometheus label names).
   */
  public Telemetry(String serviceName, String instanceId, Map<String, String> constLabels) {
    this.serviceName = serviceName;
    this.instanceId = instanceId;
    this.metrics = new MetricRegistry(constLabels);
  }

  /** A telemetry with a random instance id, for tests and tools. */
  public static Telemetry forTests(String serviceName) {
    return new Telemetry(serviceName, UUID.randomUUID().toString(), "test");
  }

  public String serviceName() {
    return serviceName;
  }

  public String instanceId() {
    return instanceId;
  }

  public MetricRegistry metrics() {
    return metrics;
  }

  public Health health() {
    return health;
  }
}

package io.tailshard.common.extension.healthcheck;

import io.tailshard.common.component.Component;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ExtensionFactory;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.config.HostPort;

/**
 * The {@code health_check} extension: an HTTP endpoint for Kubernetes probes that answers 200
 * {@code {"status":"Server available",...}} while the node is ready and 503 with the reasons while
 * it is not (starting, shutting down, or a component's own reason: no backends, store not open).
 * Keys: {@code endpoint} (default {@code 0.0.0.0:13133}), {@code path} (default {@code /}).
 * Stateless and thread-safe.
 */
public final class HealthCheckExtensionFactory implements ExtensionFactory<HealthCheckConfig> {
  public static final String TYPE = "health_check";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public HealthCheckConfig parseConfig(ConfigMap block) {
    HostPort endpoint = block.get("endpoint").filter(n -> !n.isNull()).map(HostPort::parse).orElse(HealthCheckConfig.DEFAULT_ENDPOINT);
    String path = block.string("path", HealthCheckConfig.DEFAULT_PATH);
    if (!path.startsWith("/")) {
      throw block.error("path", "must start with '/', found '" + path + "'");
    }
    block.done();
    return new HealthCheckConfig(endpoint, path);
  }

  @Override
  public Component createExtension(ComponentSettings settings, HealthCheckConfig config) {
    return new HealthCheckExtension(settings, config);
  }
}

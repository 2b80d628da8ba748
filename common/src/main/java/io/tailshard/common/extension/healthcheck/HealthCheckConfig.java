package io.tailshard.common.extension.healthcheck;

import io.tailshard.common.config.HostPort;
import java.util.Objects;

/**
 * Config of the {@code health_check} extension, with the Collector's keys and defaults.
 *
 * @param endpoint {@code endpoint}: where to listen, default {@code 0.0.0.0:13133}
 * @param path {@code path}: the path that answers, default {@code /}
 */
public record HealthCheckConfig(HostPort endpoint, String path) {
  public static final HostPort DEFAULT_ENDPOINT = new HostPort("0.0.0.0", 13133);
  public static final String DEFAULT_PATH = "/";

  public HealthCheckConfig {
    Objects.requireNonNull(endpoint, "endpoint");
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/', found '" + path + "'");
    }
  }

  public static HealthCheckConfig defaults() {
    return new HealthCheckConfig(DEFAULT_ENDPOINT, DEFAULT_PATH);
  }
}

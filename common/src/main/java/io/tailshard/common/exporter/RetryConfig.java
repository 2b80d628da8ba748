package io.tailshard.common.exporter;

import io.tailshard.common.config.ConfigMap;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code retry_on_failure}, as the Collector's exporters take it: exponential backoff with jitter
 * between attempts of one batch, until {@code max_elapsed_time} since its first attempt (0 = retry
 * forever). Defaults: enabled, 5s initial, 0.5 randomization, x1.5, 30s max interval, 300s elapsed.
 */
public record RetryConfig(
    boolean enabled,
    Duration initialInterval,
    double randomizationFactor,
    double multiplier,
    Duration maxInterval,
    Duration maxElapsedTime) {

  public static final RetryConfig DEFAULT =
      new RetryConfig(true, Duration.ofSeconds(5), 0.5, 1.5, Duration.ofSeconds(30), Duration.ofSeconds(300));

  public RetryConfig {
    if (initialInterval.isNegative() || maxInterval.isNegative() || maxElapsedTime.isNegative()) {
      throw new IllegalArgumentException("retry intervals must not be negative");
    }
  }

  /** Reads a {@code retry_on_failure} block; absent keys take {@code defaults}. */
  public static RetryConfig parse(ConfigMap m, RetryConfig defaults) {
    RetryConfig c = new RetryConfig(
        m.bool("enabled", defaults.enabled),
        m.duration("initial_interval", defaults.initialInterval),
        m.decimal("randomization_factor", defaults.randomizationFactor, 0, 1),
        m.decimal("multiplier", defaults.multiplier, 1, 100),
        m.duration("max_interval", defaults.maxInterval),
        m.duration("max_elapsed_time", defaults.maxElapsedTime));
    m.done();
    if (c.maxInterval.compareTo(c.initialInterval) < 0) {
      throw m.error("max_interval", "must not be shorter than initial_interval (" + c.initialInterval.toMillis() + "ms)");
    }
    return c;
  }

  /**
   * The pause before retry number {@code retry} (1 = the first retry): initial x multiplier^(retry-1),
   * capped at max_interval, then spread by +/- randomization_factor so that many senders that failed
   * together do not come back together.
   */
  public Duration backoff(int retry) {
    double base = initialInterval.toMillis() * Math.pow(multiplier, Math.max(0, retry - 1));
    base = Math.min(base, maxInterval.toMillis());
    double delta = randomizationFactor * base;
    double jittered = base - delta + ThreadLocalRandom.current().nextDouble() * (2 * delta);
    return Duration.ofMillis(Math.max(1, Math.round(jittered)));
  }

  /** True when another attempt may start {@code elapsed} after the first one. */
  public boolean mayRetryAfter(Duration elapsed) {
    return enabled && (maxElapsedTime.isZero() || elapsed.compareTo(maxElapsedTime) < 0);
  }
}

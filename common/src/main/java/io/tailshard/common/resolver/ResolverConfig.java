package io.tailshard.common.resolver;

import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.telemetry.MetricRegistry;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.function.Consumer;

/**
 * The loadbalancing exporter's {@code resolver} block: exactly one of {@code static} or
 * {@code dns}, with the Collector's option names. The Collector's {@code k8s} and
 * {@code aws_cloud_map} resolvers are refused with a message that says so, rather than ignored.
 */
public sealed interface ResolverConfig permits StaticResolverConfig, DnsResolverConfig {

  /**
   * Reads a {@code resolver} block strictly. Throws {@link io.tailshard.common.config.ConfigException}
   * naming the key path when no resolver, two resolvers, an unsupported one or a bad option is given.
   */
  static ResolverConfig parse(ConfigMap resolver) {
    boolean isStatic = resolver.has("static");
    boolean isDns = resolver.has("dns");
    for (String unsupported : List.of("k8s", "aws_cloud_map")) {
      if (resolver.has(unsupported)) {
        throw resolver.error(unsupported, "the " + unsupported + " resolver is not supported by tailshard; "
            + "use dns with the sampling tier's headless Service, or static");
      }
    }
    if (isStatic && isDns) {
      throw resolver.error("dns", "only one resolver may be set, found both static and dns");
    }
    if (!isStatic && !isDns) {
      resolver.done(); // an unknown key explains itself better than "none given"
      throw resolver.error("one resolver is required: static or dns");
    }
    ResolverConfig config = isStatic
        ? StaticResolverConfig.parse(resolver.map("static"))
        : DnsResolverConfig.parse(resolver.map("dns"));
    resolver.done();
    return config;
  }

  /**
   * A resolver for this config. It reports to {@code metrics} and calls {@code listener} with each
   * new endpoint set (see {@link Resolver}).
   */
  Resolver newResolver(Vertx vertx, MetricRegistry metrics, Consumer<List<String>> listener);
}

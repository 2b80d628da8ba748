package io.tailshard.sampling.processor.tailsampling;

import io.tailshard.common.component.ComponentId;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.config.ConfigNode;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.AlwaysSample;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.And;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.DecisionCache;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.Drop;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.Latency;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.Not;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.OnStoreFull;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.PolicyConfig;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.Probabilistic;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.SpanCount;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.StatusCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Reads a {@code tail_sampling} block into a {@link TailSamplingConfig}. Type and range errors come
 * from {@link ConfigMap}'s getters; the records' own rules come back as {@link
 * InvalidOptionException}s and are reported at the key they name. Start-up only; not thread-safe.
 */
final class TailSamplingConfigParser {
  /** Where a policy sits, which decides the types allowed there (as in the Collector). */
  private enum Position {
    TOP("policies", t -> true),
    AND_SUB("and_sub_policy", PolicyType::allowedInAndOrDrop),
    DROP_SUB("drop_sub_policy", PolicyType::allowedInAndOrDrop),
    NOT_SUB("not_sub_policy", PolicyType::allowedInNot);

    final String key;
    final Predicate<PolicyType> allows;

    Position(String key, Predicate<PolicyType> allows) {
      this.key = key;
      this.allows = allows;
    }

    String allowedNames() {
      List<String> out = new ArrayList<>();
      for (PolicyType t : PolicyType.values()) {
        if (allows.test(t)) {
          out.add(t.configName());
        }
      }
      return String.join(", ", out);
    }
  }

  private final String blockPath;

  private TailSamplingConfigParser(String blockPath) {
    this.blockPath = blockPath;
  }

  static TailSamplingConfig parse(ConfigMap block) {
    return new TailSamplingConfigParser(block.path()).config(block);
  }

  private TailSamplingConfig config(ConfigMap block) {
    Duration decisionWait = block.duration("decision_wait", TailSamplingConfig.DEFAULT_DECISION_WAIT);
    Duration afterRoot =
        block.duration(
            "decision_wait_after_root_received", TailSamplingConfig.DEFAULT_DECISION_WAIT_AFTER_ROOT_RECEIVED);
    // Wide ranges here: the record's constructor states the real limits with better words.
    long numTraces = block.longValue("num_traces", TailSamplingConfig.DEFAULT_NUM_TRACES, Long.MIN_VALUE, Long.MAX_VALUE);
    long expectedNewTraces =
        block.longValue(
            "expected_new_traces_per_sec",
            TailSamplingConfig.DEFAULT_EXPECTED_NEW_TRACES_PER_SEC,
            Long.MIN_VALUE,
            Long.MAX_VALUE);
    boolean blockOnOverflow = block.bool("block_on_overflow", TailSamplingConfig.DEFAULT_BLOCK_ON_OVERFLOW);
    boolean firstMatch = block.bool("sample_on_first_match", TailSamplingConfig.DEFAULT_SAMPLE_ON_FIRST_MATCH);
    boolean dropPending =
        block.bool("drop_pending_traces_on_shutdown", TailSamplingConfig.DEFAULT_DROP_PENDING_TRACES_ON_SHUTDOWN);
    long maxTraceSize = block.bytes("maximum_trace_size_bytes", TailSamplingConfig.DEFAULT_MAXIMUM_TRACE_SIZE_BYTES);
    DecisionCache cache = decisionCache(block.map("decision_cache"));
    List<PolicyConfig> policies = policies(block);
    Optional<ComponentId> storage = storage(block);
    long maxStoreSize = block.bytes("max_store_size", TailSamplingConfig.DEFAULT_MAX_STORE_SIZE);
    OnStoreFull onStoreFull =
        OnStoreFull.fromConfigName(
            block.oneOf(
                "on_store_full",
                TailSamplingConfig.DEFAULT_ON_STORE_FULL.configName(),
                OnStoreFull.REFUSE.configName(),
                OnStoreFull.DROP_OLDEST.configName()));
    block.done();
    return build(
        block,
        () ->
            new TailSamplingConfig(
                decisionWait,
                afterRoot,
                numTraces,
                expectedNewTraces,
                blockOnOverflow,
                firstMatch,
                dropPending,
                maxTraceSize,
                cache,
                policies,
                storage,
                maxStoreSize,
                onStoreFull));
  }

  private static DecisionCache decisionCache(ConfigMap m) {
    long sampled = m.longValue("sampled_cache_size", 0, Long.MIN_VALUE, Long.MAX_VALUE);
    long nonSampled = m.longValue("non_sampled_cache_size", 0, Long.MIN_VALUE, Long.MAX_VALUE);
    m.done();
    return build(m, () -> new DecisionCache(sampled, nonSampled));
  }

  private static Optional<ComponentId> storage(ConfigMap block) {
    String text = block.string("storage", null);
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ComponentId.parse(text));
    } catch (IllegalArgumentException e) {
      throw block.error("storage", "expected a storage extension id such as rocksdb or rocksdb/traces; " + e.getMessage());
    }
  }

  private List<PolicyConfig> policies(ConfigMap block) {
    ConfigNode list = block.required("policies");
    List<ConfigNode> items = list.items();
    if (items.isEmpty()) {
      throw ConfigException.at(list, "at least one policy is required");
    }
    Set<String> names = new HashSet<>();
    List<PolicyConfig> out = new ArrayList<>(items.size());
    for (ConfigNode item : items) {
      ConfigMap p = item.asMap();
      PolicyConfig policy = policy(p, Position.TOP);
      if (!names.add(policy.name())) {
        throw p.error(
            "name", "policy name '" + policy.name() + "' is used twice; names must be unique (they label the metrics)");
      }
      out.add(policy);
    }
    return out;
  }

  private PolicyConfig policy(ConfigMap p, Position position) {
    String name;
    if (position == Position.TOP) {
      name = p.requiredString("name");
      if (name.isEmpty()) {
        throw p.error("name", "must not be empty: a policy's name labels its metrics");
      }
    } else {
      name = p.string("name", "");
    }
    String typeName = p.requiredString("type");
    PolicyType type = PolicyType.fromConfigName(typeName);
    if (type == null) {
      throw p.error(
          "type",
          "unknown policy type '" + typeName + "'; allowed: " + PolicyType.builtNames()
              + "; recognized but not built yet: " + PolicyType.notBuiltNames());
    }
    if (!position.allows.test(type)) {
      throw p.error(
          "type",
          "policy type '" + typeName + "' is not allowed in " + position.key + "; allowed there: "
              + position.allowedNames());
    }
    if (!type.isBuilt()) {
      throw p.error(
          "type",
          "policy type '" + typeName + "' (" + relative(p.path()) + ") is not built yet; built so far: "
              + PolicyType.builtNames());
    }
    for (PolicyType other : PolicyType.values()) {
      // The Collector silently ignores the block of another type, which hides a mistyped 'type:'.
      if (other != type && p.keys().contains(other.configName())) {
        throw p.error(
            other.configName(),
            "a '" + other.configName() + "' block does not apply to a policy of type '" + typeName + "'");
      }
    }
    PolicyConfig result = typed(p, name, type);
    p.done();
    return result;
  }

  private PolicyConfig typed(ConfigMap p, String name, PolicyType type) {
    switch (type) {
      case ALWAYS_SAMPLE:
        return new AlwaysSample(name);
      case STATUS_CODE:
        return statusCode(p.map("status_code"), name);
      case PROBABILISTIC: {
        ConfigMap b = p.map("probabilistic");
        double percentage = b.decimal("sampling_percentage", 0, 0, 100);
        String salt = b.string("hash_salt", "");
        b.done();
        return build(b, () -> new Probabilistic(name, percentage, salt));
      }
      case LATENCY: {
        ConfigMap b = p.map("latency");
        long threshold = b.longValue("threshold_ms", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        long upper = b.longValue("upper_threshold_ms", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        b.done();
        return build(b, () -> new Latency(name, threshold, upper));
      }
      case SPAN_COUNT: {
        ConfigMap b = p.map("span_count");
        // The Collector holds both as int32.
        int min = b.integer("min_spans", 0);
        int max = b.integer("max_spans", 0);
        b.done();
        return build(b, () -> new SpanCount(name, min, max));
      }
      case AND: {
        ConfigMap b = p.map("and");
        List<PolicyConfig> subs = subPolicies(b, Position.AND_SUB);
        b.done();
        return build(b, () -> new And(name, subs));
      }
      case DROP: {
        ConfigMap b = p.map("drop");
        List<PolicyConfig> subs = subPolicies(b, Position.DROP_SUB);
        b.done();
        return build(b, () -> new Drop(name, subs));
      }
      case NOT: {
        ConfigMap b = p.map("not");
        PolicyConfig sub = policy(b.required(Position.NOT_SUB.key).asMap(), Position.NOT_SUB);
        b.done();
        return build(b, () -> new Not(name, sub));
      }
      default:
        // policy() lets only built types through; a type marked built must have a case above.
        throw new IllegalStateException("policy type marked built but not parsed: " + type);
    }
  }

  private static PolicyConfig statusCode(ConfigMap b, String name) {
    Set<SpanStatus> codes = EnumSet.noneOf(SpanStatus.class);
    for (ConfigNode n : b.list("status_codes", node -> node)) {
      SpanStatus s = SpanStatus.fromConfigName(n.text());
      if (s == null) {
        throw ConfigException.at(n, "unknown status code '" + n.text() + "'; allowed: OK, ERROR, UNSET");
      }
      codes.add(s);
    }
    b.done();
    return build(b, () -> new StatusCode(name, codes));
  }

  private List<PolicyConfig> subPolicies(ConfigMap b, Position position) {
    List<PolicyConfig> out = new ArrayList<>();
    for (ConfigNode item : b.required(position.key).items()) {
      out.add(policy(item.asMap(), position));
    }
    return out;
  }

  /** The path of a node inside the tail_sampling block, e.g. {@code policies[3]}. */
  private String relative(String path) {
    if (!blockPath.isEmpty() && path.startsWith(blockPath + ".")) {
      return path.substring(blockPath.length() + 1);
    }
    return path;
  }

  /** Runs a record constructor and reports its rule violations at the key they name. */
  private static <T> T build(ConfigMap block, Supplier<T> constructor) {
    try {
      return constructor.get();
    } catch (InvalidOptionException e) {
      throw block.error(e.key(), e.problem());
    }
  }
}

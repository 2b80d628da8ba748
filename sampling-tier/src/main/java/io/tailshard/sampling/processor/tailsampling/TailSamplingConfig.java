package io.tailshard.sampling.processor.tailsampling;

import static io.tailshard.sampling.processor.tailsampling.InvalidOptionException.check;

import io.tailshard.common.component.ComponentId;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.sampling.store.WindowStoreConfig;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code tail_sampling} processor's configuration. The Collector's options keep the Collector's
 * names, meanings and defaults, so an operator's block loads as written; tailshard's storage
 * options ({@link #storage()}, {@link #maxStoreSize()}, {@link #onStoreFull()}) are ours and say so.
 * Read from YAML with {@link #parse(ConfigMap)}, which rejects unknown keys and bad values with the
 * file, line and key path. Immutable and thread-safe.
 *
 * <p>The constructors of this record and of its nested records check every rule; a violation is
 * an {@link IllegalArgumentException} whose message starts with the YAML key concerned.
 *
 * @param decisionWait {@code decision_wait}: time from a trace's first span to its decision;
 *     default 30s, must be positive and at most 24 days
 * @param decisionWaitAfterRootReceived {@code decision_wait_after_root_received}: when positive,
 *     decide this long after the root span arrives if that is sooner; default 0 (off)
 * @param numTraces {@code num_traces}: the Collector's in-memory trace limit; default 50000, at least 1. Accepted for compatibility; how tailshard's disk-backed
 *     buffer uses it is the processor's to say
 * @param expectedNewTracesPerSec {@code expected_new_traces_per_sec}: a sizing hint; default 0
 * @param blockOnOverflow {@code block_on_overflow}: wait for room instead of evicting the oldest
 *     trace when {@code num_traces} is reached; default false
 * @param sampleOnFirstMatch {@code sample_on_first_match}: stop evaluating at the first policy
 *     that samples; default false
 * @param dropPendingTracesOnShutdown {@code drop_pending_traces_on_shutdown}: at shutdown, drop
 *     undecided traces instead of deciding them on partial data; default false
 * @param maximumTraceSizeBytes {@code maximum_trace_size_bytes}: a trace growing past this is
 *     dropped before its decision; default 0 (no limit)
 * @param decisionCache {@code decision_cache}: sizes of the kept / dropped trace-id caches
 * @param policies {@code policies}: required, at least one, top-level names non-empty and unique
 * @param storage ours: {@code storage}, the id of the storage extension (e.g. {@code rocksdb} or
 *     {@code rocksdb/traces}) that holds buffered traces; empty means the tier's default store on
 *     {@code ./data}
 * @param maxStoreSize ours: {@code max_store_size}, bytes of disk the buffer may use, with units
 *     ({@code 20GiB}); default 0, meaning derived from the free space of the store's volume
 * @param onStoreFull ours: {@code on_store_full}, what happens when the buffer reaches
 *     {@code max_store_size}; default {@link OnStoreFull#REFUSE}
 */
public record TailSamplingConfig(
    Duration decisionWait,
    Duration decisionWaitAfterRootReceived,
    long numTraces,
    long expectedNewTracesPerSec,
    boolean blockOnOverflow,
    boolean sampleOnFirstMatch,
    boolean dropPendingTracesOnShutdown,
    long maximumTraceSizeBytes,
    DecisionCache decisionCache,
    List<PolicyConfig> policies,
    Optional<ComponentId> storage,
    long maxStoreSize,
    OnStoreFull onStoreFull) {

  public static final Duration DEFAULT_DECISION_WAIT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_DECISION_WAIT_AFTER_ROOT_RECEIVED = Duration.ZERO;
  public static final long DEFAULT_NUM_TRACES = 50_000;
  public static final long DEFAULT_EXPECTED_NEW_TRACES_PER_SEC = 0;
  public static final boolean DEFAULT_BLOCK_ON_OVERFLOW = false;
  public static final boolean DEFAULT_SAMPLE_ON_FIRST_MATCH = false;
  public static final boolean DEFAULT_DROP_PENDING_TRACES_ON_SHUTDOWN = false;
  public static final long DEFAULT_MAXIMUM_TRACE_SIZE_BYTES = 0;
  public static final long DEFAULT_MAX_STORE_SIZE = 0;
  public static final OnStoreFull DEFAULT_ON_STORE_FULL = OnStoreFull.REFUSE;

  public TailSamplingConfig {
    Objects.requireNonNull(decisionWait, "decisionWait");
    Objects.requireNonNull(decisionWaitAfterRootReceived, "decisionWaitAfterRootReceived");
    Objects.requireNonNull(decisionCache, "decisionCache");
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(onStoreFull, "onStoreFull");
    check(!decisionWait.isNegative() && !decisionWait.isZero(), "decision_wait", "must be greater than 0");
    check(decisionWait.compareTo(WindowStoreConfig.MAX_DECISION_WAIT) <= 0, "decision_wait",
        "must be at most 24 days (596h31m23s)");
    check(!decisionWaitAfterRootReceived.isNegative(), "decision_wait_after_root_received", "must not be negative");
    check(numTraces >= 1, "num_traces", "must be at least 1");
    check(expectedNewTracesPerSec >= 0, "expected_new_traces_per_sec", "must not be negative");
    check(maximumTraceSizeBytes >= 0, "maximum_trace_size_bytes", "must not be negative");
    check(maxStoreSize >= 0, "max_store_size", "must not be negative");
    policies = List.copyOf(policies);
    check(!policies.isEmpty(), "policies", "at least one policy is required");
    Set<String> names = new HashSet<>();
    for (PolicyConfig p : policies) {
      // The Collector names each policy's metric series after it, so it refuses empty and
      // repeated names at the top level (sub-policy names are not checked, there or here).
      check(!p.name().isEmpty(), "policies", "every policy needs a name");
      check(names.add(p.name()), "policies", "policy name '" + p.name() + "' is used twice");
    }
  }

  /** A config with these policies and every other option at its default. */
  public static TailSamplingConfig of(List<PolicyConfig> policies) {
    return new TailSamplingConfig(
        DEFAULT_DECISION_WAIT,
        DEFAULT_DECISION_WAIT_AFTER_ROOT_RECEIVED,
        DEFAULT_NUM_TRACES,
        DEFAULT_EXPECTED_NEW_TRACES_PER_SEC,
        DEFAULT_BLOCK_ON_OVERFLOW,
        DEFAULT_SAMPLE_ON_FIRST_MATCH,
        DEFAULT_DROP_PENDING_TRACES_ON_SHUTDOWN,
        DEFAULT_MAXIMUM_TRACE_SIZE_BYTES,
        DecisionCache.DISABLED,
        policies,
        Optional.empty(),
        DEFAULT_MAX_STORE_SIZE,
        DEFAULT_ON_STORE_FULL);
  }

  /**
   * Reads a {@code tail_sampling} block strictly: every option above, nothing else. Throws {@link
   * io.tailshard.common.config.ConfigException} naming file, line and key path on an unknown key,
   * a bad value, a policy type that is unknown, misplaced or not built yet.
   */
  public static TailSamplingConfig parse(ConfigMap block) {
    return TailSamplingConfigParser.parse(block);
  }

  /**
   * {@code decision_cache}: LRU caches of trace ids whose decision was made, so that late spans
   * follow it. Both default to 0, which disables the cache, as in the Collector.
   *
   * @param sampledCacheSize {@code sampled_cache_size}: kept trace ids remembered
   * @param nonSampledCacheSize {@code non_sampled_cache_size}: dropped trace ids remembered
   */
  public record DecisionCache(long sampledCacheSize, long nonSampledCacheSize) {
    public static final DecisionCache DISABLED = new DecisionCache(0, 0);

    public DecisionCache {
      check(sampledCacheSize >= 0, "sampled_cache_size", "must not be negative");
      check(nonSampledCacheSize >= 0, "non_sampled_cache_size", "must not be negative");
    }
  }

  /** Ours: {@code on_store_full}, the defined and counted behaviour of a full trace buffer. */
  public enum OnStoreFull {
    /**
     * {@code refuse} (default): new spans are refused with a retryable error, so the sender (the
     * lb-tier's queues) holds them and retries; counted as refused spans. Nothing buffered is lost.
     */
    REFUSE("refuse"),
    /**
     * {@code drop_oldest}: the oldest undecided traces are dropped to make room, what the
     * Collector does when {@code num_traces} is reached; counted like its
     * {@code sampling_trace_dropped_too_early}.
     */
    DROP_OLDEST("drop_oldest");

    private final String configName;

    OnStoreFull(String configName) {
      this.configName = configName;
    }

    public String configName() {
      return configName;
    }

    static OnStoreFull fromConfigName(String name) {
      for (OnStoreFull v : values()) {
        if (v.configName.equals(name)) {
          return v;
        }
      }
      throw new IllegalArgumentException("unknown on_store_full value: " + name);
    }
  }

  /**
   * One policy, at the top level or as a sub-policy. {@link #name()} is required (non-empty) at
   * the top level and optional (may be empty) in sub-policies, as in the Collector.
   */
  public sealed interface PolicyConfig
      permits AlwaysSample, StatusCode, Probabilistic, Latency, SpanCount, And, Not, Drop {
    String name();

    PolicyType type();
  }

  /** {@code always_sample}: samples every trace. */
  public record AlwaysSample(String name) implements PolicyConfig {
    public AlwaysSample {
      Objects.requireNonNull(name, "name");
    }

    @Override
    public PolicyType type() {
      return PolicyType.ALWAYS_SAMPLE;
    }
  }

  /**
   * {@code status_code}: samples a trace in which some span has one of {@code status_codes}
   * ({@code OK}, {@code ERROR}, {@code UNSET}); at least one is required, as in the Collector.
   */
  public record StatusCode(String name, Set<SpanStatus> statusCodes) implements PolicyConfig {
    public StatusCode {
      Objects.requireNonNull(name, "name");
      check(!statusCodes.isEmpty(), "status_codes", "expected at least one status code; allowed: OK, ERROR, UNSET");
      statusCodes = Collections.unmodifiableSet(EnumSet.copyOf(statusCodes));
    }

    @Override
    public PolicyType type() {
      return PolicyType.STATUS_CODE;
    }
  }

  /**
   * {@code probabilistic}: samples {@code sampling_percentage} percent of traces by a salted hash
   * of the trace id, deciding exactly as the Collector for the same salt and percentage.
   *
   * @param samplingPercentage {@code sampling_percentage}: 0 to 100; default 0 (samples nothing)
   * @param hashSalt {@code hash_salt} as written; empty (the default) means the Collector's salt
   *     {@code default-hash-seed}
   */
  public record Probabilistic(String name, double samplingPercentage, String hashSalt) implements PolicyConfig {
    public Probabilistic {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(hashSalt, "hashSalt");
      // The Collector accepts any number (below 0 keeps nothing, above 100 everything); a value
      // outside 0..100 is refused here as the mistake it almost surely is.
      check(samplingPercentage >= 0 && samplingPercentage <= 100, "sampling_percentage", "must be between 0 and 100");
    }

    @Override
    public PolicyType type() {
      return PolicyType.PROBABILISTIC;
    }
  }

  /**
   * {@code latency}: samples a trace whose duration (latest span end minus earliest span start, in
   * whole milliseconds) is above {@code threshold_ms} and, when {@code upper_threshold_ms} is not
   * 0, at most {@code upper_threshold_ms}.
   *
   * @param thresholdMs {@code threshold_ms}: exclusive lower bound; default 0
   * @param upperThresholdMs {@code upper_threshold_ms}: inclusive upper bound; default 0 (none);
   *     when set it must be above {@code threshold_ms}, or no trace could ever match
   */
  public record Latency(String name, long thresholdMs, long upperThresholdMs) implements PolicyConfig {
    public Latency {
      Objects.requireNonNull(name, "name");
      check(thresholdMs >= 0, "threshold_ms", "must not be negative");
      check(upperThresholdMs >= 0, "upper_threshold_ms", "must not be negative (0 means no upper bound)");
      check(
          upperThresholdMs == 0 || upperThresholdMs > thresholdMs,
          "upper_threshold_ms",
          "must be greater than threshold_ms (" + thresholdMs + "), or 0 for no upper bound; found " + upperThresholdMs);
    }

    @Override
    public PolicyType type() {
      return PolicyType.LATENCY;
    }
  }

  /**
   * {@code span_count}: samples a trace with at least {@code min_spans} spans and, when
   * {@code max_spans} is not 0, at most {@code max_spans}; both bounds inclusive.
   *
   * @param minSpans {@code min_spans}: default 0
   * @param maxSpans {@code max_spans}: default 0 (no upper bound); when set, at least {@code
   *     min_spans}, or no trace could ever match
   */
  public record SpanCount(String name, int minSpans, int maxSpans) implements PolicyConfig {
    public SpanCount {
      Objects.requireNonNull(name, "name");
      check(minSpans >= 0, "min_spans", "must not be negative");
      check(maxSpans >= 0, "max_spans", "must not be negative (0 means no upper bound)");
      check(
          maxSpans == 0 || maxSpans >= minSpans,
          "max_spans",
          "must be at least min_spans (" + minSpans + "), or 0 for no upper bound; found " + maxSpans);
    }

    @Override
    public PolicyType type() {
      return PolicyType.SPAN_COUNT;
    }
  }

  /**
   * {@code and}: samples a trace when every policy of {@code and_sub_policy} does. Sub-policies
   * are single-trace types or {@code not}; at least one is required (the Collector would sample
   * every trace with an empty list).
   */
  public record And(String name, List<PolicyConfig> subPolicies) implements PolicyConfig {
    public And {
      Objects.requireNonNull(name, "name");
      subPolicies = checkSubPolicies(subPolicies, "and_sub_policy");
    }

    @Override
    public PolicyType type() {
      return PolicyType.AND;
    }
  }

  /**
   * {@code not}: samples a trace when {@code not_sub_policy} (one single-trace policy) does not,
   * and the other way round.
   */
  public record Not(String name, PolicyConfig subPolicy) implements PolicyConfig {
    public Not {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(subPolicy, "subPolicy");
      check(
          subPolicy.type().allowedInNot(),
          "not_sub_policy",
          "policy type '" + subPolicy.type().configName() + "' cannot be negated; not_sub_policy takes a single-trace policy");
    }

    @Override
    public PolicyType type() {
      return PolicyType.NOT;
    }
  }

  /**
   * {@code drop}: drops a trace, whatever any other policy says, when every policy of {@code
   * drop_sub_policy} samples it. Sub-policies as for {@link And}; at least one is required (the
   * Collector would drop every trace with an empty list).
   */
  public record Drop(String name, List<PolicyConfig> subPolicies) implements PolicyConfig {
    public Drop {
      Objects.requireNonNull(name, "name");
      subPolicies = checkSubPolicies(subPolicies, "drop_sub_policy");
    }

    @Override
    public PolicyType type() {
      return PolicyType.DROP;
    }
  }

  private static List<PolicyConfig> checkSubPolicies(List<PolicyConfig> subPolicies, String key) {
    List<PolicyConfig> copy = List.copyOf(subPolicies);
    check(!copy.isEmpty(), key, "at least one sub-policy is required");
    for (PolicyConfig p : copy) {
      check(
          p.type().allowedInAndOrDrop(),
          key,
          "policy type '" + p.type().configName() + "' is not allowed here; a sub-policy is a single-trace policy or 'not'");
    }
    return copy;
  }
}

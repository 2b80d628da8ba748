package io.tailshard.sampling.processor.tailsampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.component.ComponentId;
import io.tailshard.common.config.ConfigException;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.AlwaysSample;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.And;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.DecisionCache;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.Drop;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.Latency;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.Not;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.OnStoreFull;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.Probabilistic;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.SpanCount;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.StatusCode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TailSamplingConfigTest {
  private static final String PREFIX = "processors.tail_sampling.";

  @Test
  void seed001BlockLoadsAsWrittenWithTwoPolicies() {
    String yaml = Yaml.resource("tailsampling/seed-001-tail-sampling.yaml");
    TailSamplingConfig config = TailSamplingConfig.parse(Yaml.block("seed-001", yaml));

    assertEquals(
        List.of(
            new StatusCode("errors-policy", Set.of(SpanStatus.ERROR)),
            new Probabilistic("randomized-policy", 0.1, "")),
        config.policies());
    assertEquals(TailSamplingConfig.of(config.policies()), config, "every other option at its default");
  }

  @Test
  void defaultsAreTheCollectorsPlusOurStorageDefaults() {
    TailSamplingConfig config = Yaml.parse("policies: [{name: all, type: always_sample}]");

    assertEquals(Duration.ofSeconds(30), config.decisionWait());
    assertEquals(Duration.ZERO, config.decisionWaitAfterRootReceived());
    assertEquals(50_000, config.numTraces());
    assertEquals(0, config.expectedNewTracesPerSec());
    assertFalse(config.blockOnOverflow());
    assertFalse(config.sampleOnFirstMatch());
    assertFalse(config.dropPendingTracesOnShutdown());
    assertEquals(0, config.maximumTraceSizeBytes());
    assertEquals(new DecisionCache(0, 0), config.decisionCache());
    assertEquals(List.of(new AlwaysSample("all")), config.policies());
    assertEquals(Optional.empty(), config.storage());
    assertEquals(0, config.maxStoreSize());
    assertEquals(OnStoreFull.REFUSE, config.onStoreFull());
  }

  @Test
  void everyOptionIsRead() {
    TailSamplingConfig config =
        Yaml.parse(
            String.join(
                "\n",
                "decision_wait: 10s",
                "decision_wait_after_root_received: 2s",
                "num_traces: 100",
                "expected_new_traces_per_sec: 10",
                "block_on_overflow: true",
                "sample_on_first_match: true",
                "drop_pending_traces_on_shutdown: true",
                "maximum_trace_size_bytes: 1048576",
                "decision_cache:",
                "  sampled_cache_size: 100_000",
                "  non_sampled_cache_size: 200000",
                "storage: rocksdb/traces",
                "max_store_size: 20GiB",
                "on_store_full: drop_oldest",
                "policies:",
                "  - name: slow",
                "    type: latency",
                "    latency: {threshold_ms: 5000, upper_threshold_ms: 10000}",
                "  - name: big",
                "    type: span_count",
                "    span_count: {min_spans: 2, max_spans: 20}",
                "  - name: salted",
                "    type: probabilistic",
                "    probabilistic: {sampling_percentage: 10, hash_salt: tier-2}",
                "  - name: statuses",
                "    type: status_code",
                "    status_code: {status_codes: [ERROR, UNSET]}"));

    assertEquals(Duration.ofSeconds(10), config.decisionWait());
    assertEquals(Duration.ofSeconds(2), config.decisionWaitAfterRootReceived());
    assertEquals(100, config.numTraces());
    assertEquals(10, config.expectedNewTracesPerSec());
    assertTrue(config.blockOnOverflow());
    assertTrue(config.sampleOnFirstMatch());
    assertTrue(config.dropPendingTracesOnShutdown());
    assertEquals(1_048_576, config.maximumTraceSizeBytes());
    assertEquals(new DecisionCache(100_000, 200_000), config.decisionCache());
    assertEquals(Optional.of(new ComponentId("rocksdb", "traces")), config.storage());
    assertEquals(20L << 30, config.maxStoreSize());
    assertEquals(OnStoreFull.DROP_OLDEST, config.onStoreFull());
    assertEquals(
        List.of(
            new Latency("slow", 5000, 10000),
            new SpanCount("big", 2, 20),
            new Probabilistic("salted", 10, "tier-2"),
            new StatusCode("statuses", Set.of(SpanStatus.ERROR, SpanStatus.UNSET))),
        config.policies());
  }

  @Test
  void compoundPoliciesNestAsTheCollectorAllows() {
    TailSamplingConfig config =
        Yaml.parse(
            String.join(
                "\n",
                "policies:",
                "  [",
                "    {name: and-policy, type: and, and: {and_sub_policy: [",
                "      {name: errors, type: status_code, status_code: {status_codes: [ERROR]}},",
                "      {name: not-fast, type: not, not: {not_sub_policy: {name: fast, type: latency, latency: {threshold_ms: 0, upper_threshold_ms: 100}}}},",
                "      {type: probabilistic, probabilistic: {sampling_percentage: 50}}]}},",
                "    {name: drop-policy, type: drop, drop: {drop_sub_policy: [{name: tiny, type: span_count, span_count: {max_spans: 1}}]}},",
                "    {name: not-policy, type: not, not: {not_sub_policy: {name: ok, type: status_code, status_code: {status_codes: [OK]}}}},",
                "  ]"));

    assertEquals(
        List.of(
            new And(
                "and-policy",
                List.of(
                    new StatusCode("errors", Set.of(SpanStatus.ERROR)),
                    new Not("not-fast", new Latency("fast", 0, 100)),
                    new Probabilistic("", 50, ""))),
            new Drop("drop-policy", List.of(new SpanCount("tiny", 0, 1))),
            new Not("not-policy", new StatusCode("ok", Set.of(SpanStatus.OK)))),
        config.policies());
  }

  @Test
  void outOfRangePercentageNamesItsPath() {
    ConfigException e =
        fails(
            "policies:",
            "  - {name: a, type: always_sample}",
            "  - {name: p, type: probabilistic, probabilistic: {sampling_percentage: 150}}");
    assertEquals(PREFIX + "policies[1].probabilistic.sampling_percentage", e.path());
    assertTrue(
        e.getMessage()
            .contains("processors.tail_sampling.policies[1].probabilistic.sampling_percentage: must be between 0 and 100"),
        e.getMessage());
    assertTrue(e.getMessage().startsWith("test.yaml:"), "the message starts with the file and line");
  }

  @Test
  void negativePercentageIsRefused() {
    ConfigException e = fails("policies: [{name: p, type: probabilistic, probabilistic: {sampling_percentage: -1}}]");
    assertEquals(PREFIX + "policies[0].probabilistic.sampling_percentage", e.path());
  }

  @Test
  void typeTheCollectorHasButWeDoNotBuildFailsSayingSo() {
    ConfigException e =
        fails(
            "policies:",
            "  - {name: a, type: always_sample}",
            "  - {name: b, type: always_sample}",
            "  - {name: c, type: always_sample}",
            "  - {name: d, type: numeric_attribute, numeric_attribute: {key: http.status_code, min_value: 500}}");
    assertEquals(PREFIX + "policies[3].type", e.path());
    assertTrue(
        e.problem().startsWith("policy type 'numeric_attribute' (policies[3]) is not built yet"), e.problem());
  }

  @Test
  void everyRecognizedTypeThatIsNotBuiltFailsAtItsPath() {
    for (PolicyType t : PolicyType.values()) {
      if (t.isBuilt()) {
        continue;
      }
      ConfigException e = fails("policies: [{name: x, type: " + t.configName() + "}]");
      assertEquals(PREFIX + "policies[0].type", e.path());
      assertEquals(
          "policy type '" + t.configName() + "' (policies[0]) is not built yet; built so far: "
              + "always_sample, latency, probabilistic, status_code, span_count, and, not, drop",
          e.problem());
    }
  }

  @Test
  void notBuiltSubPolicyNamesItsNestedPath() {
    ConfigException e =
        fails(
            "policies:",
            "  - name: team",
            "    type: and",
            "    and:",
            "      and_sub_policy:",
            "        - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}",
            "        - {name: svc, type: string_attribute, string_attribute: {key: service.name, values: [a]}}");
    assertEquals(PREFIX + "policies[0].and.and_sub_policy[1].type", e.path());
    assertTrue(e.problem().contains("(policies[0].and.and_sub_policy[1]) is not built yet"), e.problem());
  }

  @Test
  void unknownTypeListsTheAllowedTypes() {
    ConfigException e = fails("policies: [{name: x, type: sometimes_sample}]");
    assertEquals(PREFIX + "policies[0].type", e.path());
    assertTrue(e.problem().startsWith("unknown policy type 'sometimes_sample'; allowed: always_sample, latency"), e.problem());
    assertTrue(e.problem().contains("recognized but not built yet: numeric_attribute"), e.problem());
  }

  @Test
  void compoundTypesAreRefusedWhereTheCollectorRefusesThem() {
    ConfigException andInAnd =
        fails("policies: [{name: x, type: and, and: {and_sub_policy: [{name: y, type: and, and: {and_sub_policy: [{name: z, type: always_sample}]}}]}}]");
    assertEquals(PREFIX + "policies[0].and.and_sub_policy[0].type", andInAnd.path());
    assertTrue(andInAnd.problem().startsWith("policy type 'and' is not allowed in and_sub_policy"), andInAnd.problem());

    ConfigException notInNot =
        fails("policies: [{name: x, type: not, not: {not_sub_policy: {name: y, type: not, not: {not_sub_policy: {type: always_sample}}}}}]");
    assertEquals(PREFIX + "policies[0].not.not_sub_policy.type", notInNot.path());

    ConfigException dropInDrop =
        fails("policies: [{name: x, type: drop, drop: {drop_sub_policy: [{name: y, type: drop, drop: {drop_sub_policy: [{type: always_sample}]}}]}}]");
    assertEquals(PREFIX + "policies[0].drop.drop_sub_policy[0].type", dropInDrop.path());

    ConfigException compositeInAnd =
        fails("policies: [{name: x, type: and, and: {and_sub_policy: [{name: y, type: composite}]}}]");
    assertTrue(compositeInAnd.problem().startsWith("policy type 'composite' is not allowed"), compositeInAnd.problem());
  }

  @Test
  void latencyUpperMustBeAboveThreshold() {
    ConfigException e =
        fails("policies: [{name: l, type: latency, latency: {threshold_ms: 5000, upper_threshold_ms: 5000}}]");
    assertEquals(PREFIX + "policies[0].latency.upper_threshold_ms", e.path());
    assertTrue(e.problem().startsWith("must be greater than threshold_ms (5000)"), e.problem());
    assertEquals(
        PREFIX + "policies[0].latency.threshold_ms",
        fails("policies: [{name: l, type: latency, latency: {threshold_ms: -1}}]").path());
  }

  @Test
  void spanCountMaxMustNotBeBelowMin() {
    ConfigException e = fails("policies: [{name: s, type: span_count, span_count: {min_spans: 10, max_spans: 5}}]");
    assertEquals(PREFIX + "policies[0].span_count.max_spans", e.path());
    assertTrue(e.problem().startsWith("must be at least min_spans (10)"), e.problem());
    // min == max is a valid, inclusive range; max 0 means no upper bound.
    assertEquals(
        List.of(new SpanCount("s", 5, 5), new SpanCount("t", 5, 0)),
        Yaml.parse(
                "policies: [{name: s, type: span_count, span_count: {min_spans: 5, max_spans: 5}},"
                    + " {name: t, type: span_count, span_count: {min_spans: 5}}]")
            .policies());
  }

  @Test
  void statusCodesAreCheckedLikeTheCollector() {
    ConfigException lower = fails("policies: [{name: s, type: status_code, status_code: {status_codes: [ERROR, error]}}]");
    assertEquals(PREFIX + "policies[0].status_code.status_codes[1]", lower.path());
    assertEquals("unknown status code 'error'; allowed: OK, ERROR, UNSET", lower.problem());

    ConfigException none = fails("policies: [{name: s, type: status_code, status_code: {status_codes: []}}]");
    assertEquals(PREFIX + "policies[0].status_code.status_codes", none.path());
    assertTrue(none.problem().startsWith("expected at least one status code"), none.problem());

    ConfigException noBlock = fails("policies: [{name: s, type: status_code}]");
    assertEquals(PREFIX + "policies[0].status_code.status_codes", noBlock.path());
  }

  @Test
  void policyNamesAreRequiredAndUnique() {
    ConfigException dup =
        fails(
            "policies:",
            "  - {name: same, type: always_sample}",
            "  - {name: same, type: probabilistic, probabilistic: {sampling_percentage: 1}}");
    assertEquals(PREFIX + "policies[1].name", dup.path());
    assertTrue(dup.problem().startsWith("policy name 'same' is used twice"), dup.problem());

    ConfigException missing = fails("policies: [{type: always_sample}]");
    assertEquals(PREFIX + "policies[0].name", missing.path());
    assertEquals("required key is missing", missing.problem());

    ConfigException empty = fails("policies: [{name: '', type: always_sample}]");
    assertEquals(PREFIX + "policies[0].name", empty.path());

    ConfigException noType = fails("policies: [{name: x}]");
    assertEquals(PREFIX + "policies[0].type", noType.path());
  }

  @Test
  void policiesAreRequiredAndNotEmpty() {
    assertEquals(PREFIX + "policies", fails("decision_wait: 10s").path());
    ConfigException empty = fails("policies: []");
    assertEquals(PREFIX + "policies", empty.path());
    assertEquals("at least one policy is required", empty.problem());
  }

  @Test
  void compoundPoliciesNeedSubPolicies() {
    ConfigException and = fails("policies: [{name: x, type: and, and: {and_sub_policy: []}}]");
    assertEquals(PREFIX + "policies[0].and.and_sub_policy", and.path());
    assertEquals("at least one sub-policy is required", and.problem());

    ConfigException drop = fails("policies: [{name: x, type: drop}]");
    assertEquals(PREFIX + "policies[0].drop.drop_sub_policy", drop.path());

    ConfigException not = fails("policies: [{name: x, type: not, not: {}}]");
    assertEquals(PREFIX + "policies[0].not.not_sub_policy", not.path());
  }

  @Test
  void unknownKeysAreRefusedListingTheAllowedOnes() {
    ConfigException top = fails("decision_wiat: 10s", "policies: [{name: a, type: always_sample}]");
    assertEquals(PREFIX + "decision_wiat", top.path());
    assertTrue(top.problem().startsWith("unknown key; allowed: decision_wait, decision_wait_after_root_received"), top.problem());

    ConfigException inPolicy =
        fails("policies: [{name: p, type: probabilistic, probabilistic: {sampling_percentage: 1, hash_seed: x}}]");
    assertEquals(PREFIX + "policies[0].probabilistic.hash_seed", inPolicy.path());
    assertEquals("unknown key; allowed: sampling_percentage, hash_salt", inPolicy.problem());

    ConfigException cache = fails("decision_cache: {sampled_cache: 10}", "policies: [{name: a, type: always_sample}]");
    assertEquals(PREFIX + "decision_cache.sampled_cache", cache.path());
  }

  @Test
  void aBlockOfAnotherTypeIsRefused() {
    // The Collector ignores it; it is almost always a mistyped 'type:'.
    ConfigException e =
        fails("policies: [{name: p, type: status_code, probabilistic: {sampling_percentage: 1}, status_code: {status_codes: [ERROR]}}]");
    assertEquals(PREFIX + "policies[0].probabilistic", e.path());
    assertEquals("a 'probabilistic' block does not apply to a policy of type 'status_code'", e.problem());
  }

  @Test
  void topLevelValuesAreChecked() {
    assertEquals(PREFIX + "decision_wait", fails("decision_wait: 0s", "policies: [{name: a, type: always_sample}]").path());
    assertEquals(PREFIX + "num_traces", fails("num_traces: 0", "policies: [{name: a, type: always_sample}]").path());
    assertEquals(
        PREFIX + "decision_cache.sampled_cache_size",
        fails("decision_cache: {sampled_cache_size: -1}", "policies: [{name: a, type: always_sample}]").path());
    assertEquals(PREFIX + "storage", fails("storage: 'rocks db/'", "policies: [{name: a, type: always_sample}]").path());
    ConfigException full = fails("on_store_full: block", "policies: [{name: a, type: always_sample}]");
    assertEquals(PREFIX + "on_store_full", full.path());
    assertEquals("'block' is not allowed; allowed: refuse, drop_oldest", full.problem());
  }

  @Test
  void recordsRefuseBadValuesInCodeToo() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Latency("l", 10, 5));
    assertTrue(e.getMessage().startsWith("upper_threshold_ms: "), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TailSamplingConfig.of(List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> TailSamplingConfig.of(List.of(new AlwaysSample("a"), new AlwaysSample("a"))));
    assertThrows(
        IllegalArgumentException.class,
        () -> new And("a", List.of(new And("b", List.of(new AlwaysSample(""))))));
  }

  private static ConfigException fails(String... lines) {
    return assertThrows(ConfigException.class, () -> Yaml.parse(String.join("\n", lines)));
  }
}

package io.tailshard.sampling.processor.tailsampling;

import java.util.ArrayList;
import java.util.List;

/**
 * Every policy type the Collector's {@code tail_sampling} processor knows, by its YAML name, and
 * whether tailshard builds it yet. A type that is recognized but not built fails at start-up with
 * a message that says so, instead of "unknown type".
 *
 * <p>Where a type may appear follows the Collector: every type at the top level; inside
 * {@code and_sub_policy} and {@code drop_sub_policy} the single-trace types (and {@code not}, see
 * {@link #allowedInAndOrDrop()}); inside {@code not_sub_policy} the single-trace types only.
 */
public enum PolicyType {
  ALWAYS_SAMPLE("always_sample", true, true),
  LATENCY("latency", true, true),
  NUMERIC_ATTRIBUTE("numeric_attribute", true, false),
  PROBABILISTIC("probabilistic", true, true),
  STATUS_CODE("status_code", true, true),
  STRING_ATTRIBUTE("string_attribute", true, false),
  RATE_LIMITING("rate_limiting", true, false),
  BYTES_LIMITING("bytes_limiting", true, false),
  SPAN_COUNT("span_count", true, true),
  TRACE_STATE("trace_state", true, false),
  BOOLEAN_ATTRIBUTE("boolean_attribute", true, false),
  OTTL_CONDITION("ottl_condition", true, false),
  TRACE_FLAGS("trace_flags", true, false),
  AND("and", false, true),
  NOT("not", false, true),
  DROP("drop", false, true),
  COMPOSITE("composite", false, false);

  private final String configName;
  private final boolean leaf;
  private final boolean built;

  PolicyType(String configName, boolean leaf, boolean built) {
    this.configName = configName;
    this.leaf = leaf;
    this.built = built;
  }

  /** The name used as {@code type:} and as the key of the type's own block. */
  public String configName() {
    return configName;
  }

  /** True for types that look at one trace themselves rather than combine other policies. */
  public boolean isLeaf() {
    return leaf;
  }

  /** True when tailshard can evaluate this type. */
  public boolean isBuilt() {
    return built;
  }

  /**
   * True when the type may be a sub-policy of {@code and} or {@code drop}: the single-trace types
   * and {@code not}. The Collector's code up to the versions read for this project accepted only
   * the single-trace types there; {@code not} is accepted as well because its meaning inside is
   * plain (see docs/tail-sampling.md).
   */
  public boolean allowedInAndOrDrop() {
    return leaf || this == NOT;
  }

  /** True when the type may be the sub-policy of {@code not}: the single-trace types. */
  public boolean allowedInNot() {
    return leaf;
  }

  /** The type for a YAML name, or null. */
  public static PolicyType fromConfigName(String name) {
    for (PolicyType t : values()) {
      if (t.configName.equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** YAML names of the built types, in declaration order, for error messages. */
  static String builtNames() {
    List<String> out = new ArrayList<>();
    for (PolicyType t : values()) {
      if (t.built) {
        out.add(t.configName);
      }
    }
    return String.join(", ", out);
  }

  /** YAML names of the recognized but not built types, for error messages. */
  static String notBuiltNames() {
    List<String> out = new ArrayList<>();
    for (PolicyType t : values()) {
      if (!t.built) {
        out.add(t.configName);
      }
    }
    return String.join(", ", out);
  }
}

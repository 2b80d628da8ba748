package io.tailshard.sampling.processor.tailsampling;

import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.AlwaysSample;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.And;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.Drop;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.Latency;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.Not;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.PolicyConfig;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.Probabilistic;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.SpanCount;
import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.StatusCode;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides one trace from its {@link TraceView} with every configured policy and the Collector's
 * precedence:
 *
 * <ol>
 *   <li>{@code drop} policies run first (in config order), then the others (in config order);
 *   <li>evaluation stops at the first {@link Decision#DROPPED}, and, with {@code
 *       sample_on_first_match}, at the first {@link Decision#SAMPLED};
 *   <li>final decision: dropped if any policy dropped; else not sampled if any said {@link
 *       Decision#INVERT_NOT_SAMPLED}; else sampled if any said {@link Decision#SAMPLED}; else sampled
 *       if any said {@link Decision#INVERT_SAMPLED} and none {@link Decision#NOT_SAMPLED}; else not
 *       sampled.
 * </ol>
 *
 * <p>Built once from the config; immutable and thread-safe (the policies built so far keep no
 * state). {@link #evaluate} allocates nothing: callers keep one {@link Evaluation} per thread.
 */
public final class PolicyEvaluator {
  private final Policy[] policies;
  private final String[] names;
  private final boolean sampleOnFirstMatch;

  private PolicyEvaluator(Policy[] policies, String[] names, boolean sampleOnFirstMatch) {
    this.policies = policies;
    this.names = names;
    this.sampleOnFirstMatch = sampleOnFirstMatch;
  }

  /** Builds the evaluator for a config: drop policies first, then the rest, each in config order. */
  public static PolicyEvaluator create(TailSamplingConfig config) {
    List<PolicyConfig> ordered = new ArrayList<>();
    for (PolicyConfig p : config.policies()) {
      if (p.type() == PolicyType.DROP) {
        ordered.add(p);
      }
    }
    for (PolicyConfig p : config.policies()) {
      if (p.type() != PolicyType.DROP) {
        ordered.add(p);
      }
    }
    Policy[] built = new Policy[ordered.size()];
    String[] names = new String[ordered.size()];
    for (int i = 0; i < built.length; i++) {
      built[i] = build(ordered.get(i));
      names[i] = ordered.get(i).name();
    }
    return new PolicyEvaluator(built, names, config.sampleOnFirstMatch());
  }

  /**
   * An evaluator over already built policies, taken in the order given (no reordering of drop
   * policies): for tests of the precedence with decisions no config can produce yet.
   */
  static PolicyEvaluator of(List<Policy> policies, List<String> names, boolean sampleOnFirstMatch) {
    return new PolicyEvaluator(
        policies.toArray(new Policy[0]), names.toArray(new String[0]), sampleOnFirstMatch);
  }

  /** Number of top-level policies. */
  public int policyCount() {
    return policies.length;
  }

  /** The name of policy {@code index} in evaluation order (drop policies first). */
  public String policyName(int index) {
    return names[index];
  }

  /** Policy names in evaluation order. */
  public List<String> policyNames() {
    return List.of(names);
  }

  /** A reusable result holder for {@link #evaluate}; keep one per thread. */
  public Evaluation newEvaluation() {
    return new Evaluation(this, policies.length);
  }

  /**
   * Evaluates every policy (up to an early stop) on one trace and writes the outcome into {@code
   * into}. Returns the final decision: {@link Decision#SAMPLED}, {@link Decision#NOT_SAMPLED} or
   * {@link Decision#DROPPED}. Never throws for a well-formed view.
   */
  public Decision evaluate(TraceView trace, Evaluation into) {
    if (into.evaluator() != this) {
      throw new IllegalArgumentException("the Evaluation was made by another PolicyEvaluator");
    }
    into.reset();
    int firstDropped = -1;
    int firstInvertNotSampled = -1;
    int firstSampled = -1;
    int firstInvertSampled = -1;
    boolean anyNotSampled = false;
    for (int i = 0; i < policies.length; i++) {
      Decision d = policies[i].evaluate(trace);
      into.record(i, d);
      if (d == Decision.DROPPED) {
        firstDropped = i;
        break; // nothing can outrank it, so the rest need not run (the Collector stops here too)
      }
      if (d == Decision.SAMPLED) {
        if (firstSampled < 0) {
          firstSampled = i;
        }
        if (sampleOnFirstMatch) {
          break;
        }
      } else if (d == Decision.NOT_SAMPLED) {
        anyNotSampled = true;
      } else if (d == Decision.INVERT_NOT_SAMPLED) {
        if (firstInvertNotSampled < 0) {
          firstInvertNotSampled = i;
        }
      } else if (d == Decision.INVERT_SAMPLED && firstInvertSampled < 0) {
        firstInvertSampled = i;
      }
    }
    if (firstDropped >= 0) {
      into.finish(Decision.DROPPED, firstDropped);
    } else if (firstInvertNotSampled >= 0) {
      into.finish(Decision.NOT_SAMPLED, firstInvertNotSampled);
    } else if (firstSampled >= 0) {
      into.finish(Decision.SAMPLED, firstSampled);
    } else if (firstInvertSampled >= 0 && !anyNotSampled) {
      into.finish(Decision.SAMPLED, firstInvertSampled);
    } else {
      into.finish(Decision.NOT_SAMPLED, -1);
    }
    return into.decision();
  }

  /** The runtime policy for a config record; config time only. */
  static Policy build(PolicyConfig config) {
    if (config instanceof AlwaysSample) {
      return AlwaysSamplePolicy.INSTANCE;
    }
    if (config instanceof StatusCode) {
      return new StatusCodePolicy(((StatusCode) config).statusCodes());
    }
    if (config instanceof Probabilistic) {
      Probabilistic p = (Probabilistic) config;
      return new ProbabilisticPolicy(p.samplingPercentage(), p.hashSalt());
    }
    if (config instanceof Latency) {
      Latency l = (Latency) config;
      return new LatencyPolicy(l.thresholdMs(), l.upperThresholdMs());
    }
    if (config instanceof SpanCount) {
      SpanCount s = (SpanCount) config;
      return new SpanCountPolicy(s.minSpans(), s.maxSpans());
    }
    if (config instanceof And) {
      return new AndPolicy(buildAll(((And) config).subPolicies()));
    }
    if (config instanceof Drop) {
      return new DropPolicy(buildAll(((Drop) config).subPolicies()));
    }
    if (config instanceof Not) {
      return new NotPolicy(build(((Not) config).subPolicy()));
    }
    // PolicyConfig is sealed; this is reached only if a permitted record is added without a case.
    throw new IllegalStateException("no policy for " + config.type());
  }

  private static Policy[] buildAll(List<PolicyConfig> configs) {
    Policy[] out = new Policy[configs.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = build(configs.get(i));
    }
    return out;
  }
}

/**
 * The {@code tail_sampling} processor's configuration and policy engine: the Collector's options
 * and policy types, parsed strictly from the operator's YAML, and an evaluator that decides one
 * trace from a {@link io.tailshard.sampling.processor.tailsampling.TraceView} with the Collector's
 * precedence. Pure Java, no I/O; the trace buffer and the processor that ties both together live
 * elsewhere.
 *
 * <p>Public: {@link io.tailshard.sampling.processor.tailsampling.TailSamplingConfig},
 * {@link io.tailshard.sampling.processor.tailsampling.TraceView},
 * {@link io.tailshard.sampling.processor.tailsampling.PolicyEvaluator},
 * {@link io.tailshard.sampling.processor.tailsampling.Evaluation},
 * {@link io.tailshard.sampling.processor.tailsampling.Decision} and the enums they use. The
 * policies themselves are package-private.
 */
package io.tailshard.sampling.processor.tailsampling;

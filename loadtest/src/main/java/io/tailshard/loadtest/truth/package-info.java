/**
 * The ground truth of a load test: what the generator sent (per trace, and as expected span
 * metrics), how the files of a run directory are laid out, and the probabilistic sampling rule the
 * sink checks a sampler against. Shared by the generate, sink and report commands.
 */
package io.tailshard.loadtest.truth;

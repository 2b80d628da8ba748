/**
 * The {@code sink} command: an OTLP receiver, independent of the product's, that counts every span
 * per trace and judges completeness, error retention, the probabilistic share, duplicates and span
 * metrics against the generator's ground truth.
 */
package io.tailshard.loadtest.sink;

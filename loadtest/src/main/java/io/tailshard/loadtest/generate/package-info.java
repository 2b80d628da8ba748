/**
 * The {@code generate} command: pre-encoded OTLP trace requests at a controlled rate, traces spread
 * over time, requests and connections, late spans, and the ground truth of what was accepted.
 */
package io.tailshard.loadtest.generate;

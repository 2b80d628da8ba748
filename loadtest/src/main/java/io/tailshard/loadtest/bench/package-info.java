/** JMH micro-benchmarks of hot paths; run through {@code loadtest.jar bench}. */
package io.tailshard.loadtest.bench;

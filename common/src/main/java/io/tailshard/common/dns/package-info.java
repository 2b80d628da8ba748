/**
 * A loopback-only authoritative DNS server ({@link io.tailshard.common.dns.LoopbackDnsServer}) that
 * plays a Kubernetes headless Service for local clusters and tests: the sampling tier's name
 * answers with the A records of its nodes, and changing the answer is scaling the tier.
 */
package io.tailshard.common.dns;

/**
 * Where the sampling tier's nodes are: resolvers that turn the loadbalancing exporter's
 * {@code resolver} block into a sorted set of {@code host:port} endpoints, from static hostnames
 * or from DNS A and AAAA records, and tell a listener when the set changes. The set is what
 * {@link io.tailshard.common.ring.TraceIdRing} is built from.
 */
package io.tailshard.common.resolver;

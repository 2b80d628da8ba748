/**
 * {@code loadtest.jar cluster}: a local tailshard cluster on loopback, driven by a scenario file.
 * Every node is its own JVM, the sampling tier is found through a loopback DNS server (scaling is a
 * new DNS answer), and the generator and the sink from the sibling packages produce the load and
 * judge the result. See {@link io.tailshard.loadtest.cluster.ClusterCommand}.
 */
package io.tailshard.loadtest.cluster;

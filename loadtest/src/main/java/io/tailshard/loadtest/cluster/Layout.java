package io.tailshard.loadtest.cluster;

/**
 * Where a cluster run's processes listen, all on loopback: lb-tier nodes on {@code P.1.k}, sampling
 * nodes on {@code P.2.k}, the sink and the DNS server on {@code P.3.1}, where {@code P} is the
 * prefix ({@code 127.0} by default). Like pods, every node uses the same ports on its own address:
 * OTLP gRPC {@code otlpPort}, OTLP HTTP {@code httpPort} (lb only), self-metrics
 * {@code metricsPort}, health {@code healthPort}. The sink takes OTLP gRPC on {@code otlpPort};
 * the DNS server takes an ephemeral UDP port.
 */
record Layout(String prefix, int otlpPort, int httpPort, int metricsPort, int healthPort) {
  /** The DNS name the sampling tier is found by, as a headless Service's name. */
  static final String SAMPLING_NAME = "sampling.tailshard.test";

  Layout {
    String[] octets = prefix.split("\\.");
    if (octets.length != 2 || !octets[0].equals("127") || !isOctet(octets[1])) {
      throw new IllegalArgumentException("the address prefix must be 127.N with N in 0..255 (loopback), found '"
          + prefix + "'");
    }
    for (int p : new int[] {otlpPort, httpPort, metricsPort, healthPort}) {
      if (p < 1 || p > 65535) {
        throw new IllegalArgumentException("port out of range: " + p);
      }
    }
  }

  private static boolean isOctet(String s) {
    try {
      int v = Integer.parseInt(s);
      return v >= 0 && v <= 255 && String.valueOf(v).equals(s);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  String lbAddress(int k) {
    return prefix + ".1." + k;
  }

  String samplingAddress(int k) {
    return prefix + ".2." + k;
  }

  /** The sink's and the DNS server's address. */
  String sinkAddress() {
    return prefix + ".3.1";
  }
}

package io.tailshard.common.ring;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * A JMH-free timing of the ring, and of the alternatives docs/ring.md compares it with. Not a
 * test: run by hand on a quiet machine, figures go to docs/ring.md.
 *
 * <pre>
 * mvn -q -B -pl common test-compile
 * java -cp common/target/classes:common/target/test-classes io.tailshard.common.ring.RingBench
 * </pre>
 *
 * Each figure is the best of several timed passes after warm-up passes, over ids that are fresh
 * pseudo-random values (so table reads are spread like real traffic's).
 */
public final class RingBench {
  private static final int LOOKUPS = 20_000_000;
  private static final int PASSES = 7;

  private RingBench() {}

  public static void main(String[] args) {
    int[] sizes = {3, 10, 100, 300};
    System.out.println("== TraceIdRing lookup, ns per lookup (best of " + PASSES + " passes of " + LOOKUPS + ")");
    for (int n : sizes) {
      TraceIdRing ring = TraceIdRing.of(TraceIdRingTest.podEndpoints(n, 1));
      System.out.printf("n=%-4d owner(long,long) %6.2f ns   owner(byte[],off) %6.2f ns%n", n, timeLongs(ring), timeBytes(ring));
    }
    System.out.println("== TraceIdRing build, ms per ring (best of 8)");
    for (int n : sizes) {
      List<String> eps = TraceIdRingTest.podEndpoints(n, 1);
      double best = Double.MAX_VALUE;
      for (int i = 0; i < 8; i++) {
        long t0 = System.nanoTime();
        TraceIdRing.of(eps);
        best = Math.min(best, (System.nanoTime() - t0) / 1e6);
      }
      System.out.printf("n=%-4d %6.1f ms%n", n, best);
    }
    System.out.println("== Alternatives: rendezvous hashing on each trace id (O(n) per lookup), ns per lookup");
    for (int n : sizes) {
      System.out.printf("n=%-4d %7.2f ns%n", n, timeRendezvous(n));
    }
    System.out.println("== Alternatives: jump consistent hash (O(log n), but only the last bucket can leave), ns per lookup");
    for (int n : sizes) {
      System.out.printf("n=%-4d %7.2f ns%n", n, timeJump(n));
    }
    System.out.println("== Alternatives: CRC32 ring, 200 points per endpoint on 131071 positions (a model of the Collector's)");
    for (int n : new int[] {3, 10, 100, 300}) {
      CrcRing r = new CrcRing(TraceIdRingTest.podEndpoints(n, 1), 200, 131071);
      System.out.printf("n=%-4d positions max/mean %.3f  max/min %.3f  lookup %6.2f ns%n", n, r.maxOverMean(), r.maxOverMin(), timeCrc(r));
    }
    System.out.println("== Alternatives: Maglev, 65537-entry table: moved fraction times n when one endpoint leaves (worst of 10)");
    for (int n : new int[] {10, 30, 100}) {
      System.out.printf("n=%-4d %.3f%n", n, maglevWorstRemoval(TraceIdRingTest.podEndpoints(n, 1), 65537));
    }
  }

  private static double timeLongs(TraceIdRing ring) {
    double best = Double.MAX_VALUE;
    long sink = 0;
    for (int p = 0; p < PASSES + 3; p++) {
      long x = p * 0x9E3779B97F4A7C15L;
      long t0 = System.nanoTime();
      for (int i = 0; i < LOOKUPS; i++) {
        x += 0x9E3779B97F4A7C15L;
        sink += ring.owner(x, x * 0xD1B54A32D192ED03L);
      }
      double ns = (System.nanoTime() - t0) / (double) LOOKUPS;
      if (p >= 3) {
        best = Math.min(best, ns);
      }
    }
    consume(sink);
    return best;
  }

  private static double timeBytes(TraceIdRing ring) {
    byte[] ids = new byte[16 * 4096];
    new SplittableRandom(1).nextBytes(ids);
    double best = Double.MAX_VALUE;
    long sink = 0;
    for (int p = 0; p < PASSES + 3; p++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < LOOKUPS; i++) {
        sink += ring.owner(ids, (i & 4095) << 4);
      }
      double ns = (System.nanoTime() - t0) / (double) LOOKUPS;
      if (p >= 3) {
        best = Math.min(best, ns);
      }
      ids[p] ^= 1;
    }
    consume(sink);
    return best;
  }

  private static double timeRendezvous(int n) {
    long[] seeds = new long[n];
    List<String> eps = TraceIdRingTest.podEndpoints(n, 1);
    for (int i = 0; i < n; i++) {
      seeds[i] = Hashing.endpoint(eps.get(i));
    }
    int lookups = LOOKUPS / Math.max(1, n / 10);
    double best = Double.MAX_VALUE;
    long sink = 0;
    for (int p = 0; p < PASSES + 3; p++) {
      long x = p;
      long t0 = System.nanoTime();
      for (int i = 0; i < lookups; i++) {
        x += 0x9E3779B97F4A7C15L;
        long h = Hashing.traceId(x, x * 0xD1B54A32D192ED03L);
        int owner = 0;
        long top = Long.MIN_VALUE;
        for (int b = 0; b < n; b++) {
          long score = Hashing.mix64(h ^ seeds[b]);
          if (score > top) {
            top = score;
            owner = b;
          }
        }
        sink += owner;
      }
      double ns = (System.nanoTime() - t0) / (double) lookups;
      if (p >= 3) {
        best = Math.min(best, ns);
      }
    }
    consume(sink);
    return best;
  }

  private static double timeJump(int n) {
    double best = Double.MAX_VALUE;
    long sink = 0;
    for (int p = 0; p < PASSES + 3; p++) {
      long x = p;
      long t0 = System.nanoTime();
      for (int i = 0; i < LOOKUPS; i++) {
        x += 0x9E3779B97F4A7C15L;
        sink += jump(Hashing.traceId(x, x * 0xD1B54A32D192ED03L), n);
      }
      double ns = (System.nanoTime() - t0) / (double) LOOKUPS;
      if (p >= 3) {
        best = Math.min(best, ns);
      }
    }
    consume(sink);
    return best;
  }

  /** Lamping and Veach's jump consistent hash. */
  private static int jump(long key, int buckets) {
    long b = -1;
    long j = 0;
    while (j < buckets) {
      b = j;
      key = key * 2862933555777941757L + 1;
      j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
    }
    return (int) b;
  }

  private static double timeCrc(CrcRing ring) {
    byte[] ids = new byte[16 * 4096];
    new SplittableRandom(2).nextBytes(ids);
    int lookups = LOOKUPS / 10;
    double best = Double.MAX_VALUE;
    long sink = 0;
    for (int p = 0; p < PASSES + 3; p++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < lookups; i++) {
        sink += ring.owner(ids, (i & 4095) << 4);
      }
      double ns = (System.nanoTime() - t0) / (double) lookups;
      if (p >= 3) {
        best = Math.min(best, ns);
      }
    }
    consume(sink);
    return best;
  }

  private static volatile long blackhole;

  private static void consume(long v) {
    blackhole = v;
  }

  /** A ring of CRC32 positions, built from the Collector's description (not its code). */
  static final class CrcRing {
    private final int[] points;
    private final int[] owners;
    private final int positions;
    private final int n;

    CrcRing(List<String> endpoints, int pointsPerEndpoint, int positions) {
      this.positions = positions;
      this.n = endpoints.size();
      List<long[]> all = new ArrayList<>();
      for (int e = 0; e < n; e++) {
        for (int k = 0; k < pointsPerEndpoint; k++) {
          CRC32 crc = new CRC32();
          crc.update((endpoints.get(e) + k).getBytes(StandardCharsets.UTF_8));
          all.add(new long[] {crc.getValue() % positions, e});
        }
      }
      all.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
      points = new int[all.size()];
      owners = new int[all.size()];
      for (int i = 0; i < all.size(); i++) {
        points[i] = (int) all.get(i)[0];
        owners[i] = (int) all.get(i)[1];
      }
    }

    int ownerOfPosition(int pos) {
      int i = Arrays.binarySearch(points, pos);
      if (i < 0) {
        i = -i - 1;
      } else {
        while (i > 0 && points[i - 1] == pos) {
          i--;
        }
      }
      return owners[i == points.length ? 0 : i];
    }

    int owner(byte[] ids, int off) {
      CRC32 crc = new CRC32();
      crc.update(ids, off, 16);
      return ownerOfPosition((int) (crc.getValue() % positions));
    }

    private int[] share() {
      int[] share = new int[n];
      for (int pos = 0; pos < positions; pos++) {
        share[ownerOfPosition(pos)]++;
      }
      return share;
    }

    double maxOverMean() {
      int max = Arrays.stream(share()).max().getAsInt();
      return max / ((double) positions / n);
    }

    double maxOverMin() {
      int[] s = share();
      return Arrays.stream(s).max().getAsInt() / (double) Math.max(1, Arrays.stream(s).min().getAsInt());
    }
  }

  /** Maglev's table fill (Eisenbud et al., NSDI 2016), for its movement figure. */
  static int[] maglev(List<String> endpoints, int m) {
    int n = endpoints.size();
    long[] offset = new long[n];
    long[] skip = new long[n];
    long[] next = new long[n];
    for (int i = 0; i < n; i++) {
      long h = Hashing.endpoint(endpoints.get(i));
      offset[i] = Long.remainderUnsigned(Hashing.derive(h, 0), m);
      skip[i] = Long.remainderUnsigned(Hashing.derive(h, 1), m - 1) + 1;
    }
    int[] table = new int[m];
    Arrays.fill(table, -1);
    int filled = 0;
    while (true) {
      for (int i = 0; i < n; i++) {
        int c = (int) ((offset[i] + next[i] * skip[i]) % m);
        while (table[c] >= 0) {
          next[i]++;
          c = (int) ((offset[i] + next[i] * skip[i]) % m);
        }
        table[c] = i;
        next[i]++;
        if (++filled == m) {
          return table;
        }
      }
    }
  }

  static double maglevWorstRemoval(List<String> endpoints, int m) {
    List<String> sorted = new ArrayList<>(endpoints);
    sorted.sort(null);
    int[] base = maglev(sorted, m);
    double worst = 0;
    for (int k = 0; k < 10; k++) {
      List<String> smaller = new ArrayList<>(sorted);
      String gone = smaller.remove(k * sorted.size() / 10);
      int[] after = maglev(smaller, m);
      int moved = 0;
      for (int s = 0; s < m; s++) {
        if (!sorted.get(base[s]).equals(smaller.get(after[s]))) {
          moved++;
        }
      }
      worst = Math.max(worst, moved / (double) m * sorted.size());
    }
    return worst;
  }
}

package io.tailshard.common.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The ring's promises, each measured over a million trace ids and printed so CI logs show the
 * figures. Everything is seeded: the same figures on every run.
 */
class TraceIdRingTest {
  private static final int IDS = 1_000_000;
  private static final double MAX_IMBALANCE = 1.05;
  private static final double MAX_MOVED_TIMES_N = 1.1;

  /** Pod addresses as a StatefulSet's headless Service would list them; the first n are the tier of size n. */
  static List<String> podEndpoints(int count, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Set<String> out = new LinkedHashSet<>();
    while (out.size() < count) {
      out.add("10.244." + rnd.nextInt(256) + "." + (1 + rnd.nextInt(254)) + ":4317");
    }
    return new ArrayList<>(out);
  }

  /** Kinds of trace id: random, and the patterns that defeat a weak hash. */
  enum IdKind {
    RANDOM {
      @Override
      void fill(int i, SplittableRandom rnd, long[] out) {
        out[0] = rnd.nextLong();
        out[1] = rnd.nextLong();
      }
    },
    /** 64-bit ids padded with zeros, as some SDKs and Zipkin-era systems send. */
    LOW_64_BITS_ONLY {
      @Override
      void fill(int i, SplittableRandom rnd, long[] out) {
        out[0] = 0;
        out[1] = rnd.nextLong();
      }
    },
    /** A counter in the low bytes. */
    SEQUENTIAL_LOW {
      @Override
      void fill(int i, SplittableRandom rnd, long[] out) {
        out[0] = 0;
        out[1] = i + 1;
      }
    },
    /** A counter in the high bytes, low half zero. */
    SEQUENTIAL_HIGH {
      @Override
      void fill(int i, SplittableRandom rnd, long[] out) {
        out[0] = i + 1;
        out[1] = 0;
      }
    },
    /** X-Ray style: seconds since the epoch in the first 4 bytes, the rest random. */
    TIMESTAMP_PREFIXED {
      @Override
      void fill(int i, SplittableRandom rnd, long[] out) {
        long seconds = 1_767_225_600L + i / 1000;
        out[0] = (seconds << 32) | (rnd.nextLong() >>> 32);
        out[1] = rnd.nextLong();
      }
    };

    abstract void fill(int i, SplittableRandom rnd, long[] out);
  }

  /** The slot of each of IDS ids of one kind, computed once and reused for every ring. */
  private static int[] slots(IdKind kind) {
    int[] slots = new int[IDS];
    SplittableRandom rnd = new SplittableRandom(42);
    long[] id = new long[2];
    for (int i = 0; i < IDS; i++) {
      kind.fill(i, rnd, id);
      slots[i] = (int) (Hashing.traceId(id[0], id[1]) >>> (64 - SlotTable.SLOT_BITS));
    }
    return slots;
  }

  /** max/mean of ids per endpoint, for ids given by their slots. */
  private static double imbalance(TraceIdRing ring, int[] slots) {
    int[] counts = new int[ring.size()];
    for (int slot : slots) {
      counts[ring.slotOwner(slot)]++;
    }
    int max = 0;
    for (int c : counts) {
      max = Math.max(max, c);
    }
    return max / ((double) slots.length / ring.size());
  }

  /** The public lookup agrees with the slot table for a sample of ids of one kind. */
  private static void assertOwnerMatchesSlotTable(TraceIdRing ring, IdKind kind) {
    SplittableRandom rnd = new SplittableRandom(42);
    long[] id = new long[2];
    for (int i = 0; i < 1000; i++) {
      kind.fill(i, rnd, id);
      int slot = (int) (Hashing.traceId(id[0], id[1]) >>> (64 - SlotTable.SLOT_BITS));
      assertEquals(ring.slotOwner(slot), ring.owner(id[0], id[1]));
    }
  }

  private static double slotImbalance(TraceIdRing ring) {
    int[] counts = new int[ring.size()];
    for (int s = 0; s < SlotTable.SLOTS; s++) {
      counts[ring.slotOwner(s)]++;
    }
    int max = 0;
    for (int c : counts) {
      max = Math.max(max, c);
    }
    return max / ((double) SlotTable.SLOTS / ring.size());
  }

  @Test
  void loadIsWithinFivePercentOfTheMeanForEveryBackendCountFrom3To100() {
    List<String> pods = podEndpoints(100, 1);
    IdKind[] kinds = IdKind.values();
    int[][] slots = new int[kinds.length][];
    for (int k = 0; k < kinds.length; k++) {
      slots[k] = slots(kinds[k]);
    }
    double[] worst = new double[kinds.length];
    double worstSlots = 0;
    StringBuilder report = new StringBuilder("ring balance, max/mean over " + IDS + " trace ids per kind\n");
    report.append(String.format("%4s %8s", "n", "slots"));
    for (IdKind k : kinds) {
      report.append(String.format(" %18s", k));
    }
    report.append('\n');
    for (int n = 3; n <= 100; n++) {
      TraceIdRing ring = TraceIdRing.of(pods.subList(0, n));
      double tableImbalance = slotImbalance(ring);
      worstSlots = Math.max(worstSlots, tableImbalance);
      report.append(String.format("%4d %8.4f", n, tableImbalance));
      for (int k = 0; k < kinds.length; k++) {
        assertOwnerMatchesSlotTable(ring, kinds[k]);
        double im = imbalance(ring, slots[k]);
        worst[k] = Math.max(worst[k], im);
        report.append(String.format(" %18.4f", im));
        assertTrue(im <= MAX_IMBALANCE, () -> "n=" + ring.size() + " max/mean " + im + " > " + MAX_IMBALANCE);
      }
      report.append('\n');
    }
    report.append(String.format("%4s %8.4f", "max", worstSlots));
    for (double w : worst) {
      report.append(String.format(" %18.4f", w));
    }
    System.out.println(report);
  }

  @Test
  void addingOrRemovingOneBackendMovesOnlyItsOwnShare() {
    List<String> pods = podEndpoints(101, 2);
    int[] sizes = {3, 4, 5, 10, 25, 50, 64, 99, 100};
    long[] hi = new long[IDS];
    long[] lo = new long[IDS];
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < IDS; i++) {
      hi[i] = rnd.nextLong();
      lo[i] = rnd.nextLong();
    }
    StringBuilder report = new StringBuilder("ring movement, fraction of " + IDS + " trace ids that change owner, times n\n");
    report.append(String.format("%4s %12s %12s %12s %12s %12s%n", "n", "rm first", "rm middle", "rm last", "rm largest", "add one"));
    double worst = 0;
    for (int n : sizes) {
      List<String> set = pods.subList(0, n);
      TraceIdRing base = TraceIdRing.of(set);
      String[] before = new String[IDS];
      int[] counts = new int[n];
      for (int i = 0; i < IDS; i++) {
        int o = base.owner(hi[i], lo[i]);
        before[i] = base.endpoint(o);
        counts[o]++;
      }
      int largest = 0;
      for (int i = 1; i < n; i++) {
        if (counts[i] > counts[largest]) {
          largest = i;
        }
      }
      List<String> sorted = base.endpoints();
      String[] removed = {sorted.get(0), sorted.get(n / 2), sorted.get(n - 1), sorted.get(largest)};
      report.append(String.format("%4d", n));
      for (String gone : removed) {
        List<String> smaller = new ArrayList<>(set);
        smaller.remove(gone);
        TraceIdRing after = TraceIdRing.of(smaller);
        int moved = 0;
        for (int i = 0; i < IDS; i++) {
          String now = after.ownerEndpoint(hi[i], lo[i]);
          if (!now.equals(before[i])) {
            moved++;
            assertEquals(gone, before[i], "a trace moved between two endpoints that both stayed");
          }
        }
        double movedTimesN = moved / (double) IDS * n;
        worst = Math.max(worst, movedTimesN);
        report.append(String.format(" %12.4f", movedTimesN));
        assertTrue(movedTimesN <= MAX_MOVED_TIMES_N, "n=" + n + " removing " + gone + " moved " + movedTimesN + "/n");
      }
      String added = pods.get(100);
      List<String> larger = new ArrayList<>(set);
      larger.add(added);
      TraceIdRing after = TraceIdRing.of(larger);
      int moved = 0;
      for (int i = 0; i < IDS; i++) {
        String now = after.ownerEndpoint(hi[i], lo[i]);
        if (!now.equals(before[i])) {
          moved++;
          assertEquals(added, now, "a trace moved to an endpoint other than the new one");
        }
      }
      double movedTimesN = moved / (double) IDS * n;
      worst = Math.max(worst, movedTimesN);
      report.append(String.format(" %12.4f%n", movedTimesN));
      assertTrue(movedTimesN <= MAX_MOVED_TIMES_N, "n=" + n + " adding one moved " + movedTimesN + "/n");
    }
    report.append(String.format("worst moved fraction times n: %.4f (limit %.2f)", worst, MAX_MOVED_TIMES_N));
    System.out.println(report);
  }

  @Test
  void ringDependsOnlyOnTheSetOfEndpoints() {
    List<String> pods = podEndpoints(20, 3);
    List<String> shuffled = new ArrayList<>(pods);
    Collections.shuffle(shuffled, new Random(9));
    shuffled.add(pods.get(4));
    shuffled.add(pods.get(11));
    TraceIdRing a = TraceIdRing.of(pods);
    TraceIdRing b = TraceIdRing.of(shuffled);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertEquals(a.fingerprint(), b.fingerprint());
    assertEquals(20, b.size());
    for (int s = 0; s < SlotTable.SLOTS; s++) {
      assertEquals(a.endpoint(a.slotOwner(s)), b.endpoint(b.slotOwner(s)));
    }
    TraceIdRing c = TraceIdRing.of(pods.subList(0, 19));
    assertNotEquals(a, c);
    assertNotEquals(a.fingerprint(), c.fingerprint());
    System.out.println("set-only: 20 endpoints given in order and shuffled with duplicates: identical tables, fingerprint "
        + Long.toHexString(a.fingerprint()));
  }

  /**
   * Pinned values computed once: if they change, nodes running different builds would route
   * differently, which must never happen silently.
   */
  @Test
  void routingIsIdenticalInEveryJvm() {
    TraceIdRing ring = TraceIdRing.of(List.of("10.0.0.1:4317", "10.0.0.2:4317", "10.0.0.3:4317", "[fd00::7]:4317", "sampling-4.sampling:4317"));
    assertEquals("c54bf24ab02aa8cf", Long.toHexString(ring.fingerprint()));
    StringBuilder got = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      got.append(ring.owner(0, i));
    }
    got.append(' ').append(ring.ownerEndpoint(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L));
    got.append(' ').append(ring.ownerEndpoint(-1L, -1L));
    System.out.println("pinned routing: " + got);
    assertEquals("4030113131113302142212133220321204112433 10.0.0.1:4317 sampling-4.sampling:4317", got.toString());
  }

  @Test
  void ownerOfBytesMatchesOwnerOfLongs() {
    TraceIdRing ring = TraceIdRing.of(podEndpoints(7, 4));
    SplittableRandom rnd = new SplittableRandom(5);
    byte[] buf = new byte[16 + 5];
    for (int i = 0; i < 10_000; i++) {
      for (int k = 0; k < buf.length; k++) {
        buf[k] = (byte) rnd.nextInt(256);
      }
      long hi = 0;
      long lo = 0;
      for (int k = 0; k < 8; k++) {
        hi = (hi << 8) | (buf[5 + k] & 0xFF);
        lo = (lo << 8) | (buf[13 + k] & 0xFF);
      }
      assertEquals(ring.owner(hi, lo), ring.owner(buf, 5));
      assertEquals(ring.ownerEndpoint(hi, lo), ring.ownerEndpoint(buf, 5));
    }
  }

  @Test
  void emptyRingHasNoOwnerAndOneEndpointOwnsEverything() {
    TraceIdRing empty = TraceIdRing.of(List.of());
    assertTrue(empty.isEmpty());
    assertEquals(TraceIdRing.empty(), empty);
    assertEquals(TraceIdRing.NO_OWNER, empty.owner(1, 2));
    assertNull(empty.ownerEndpoint(new byte[16], 0));
    TraceIdRing one = TraceIdRing.of(List.of("10.0.0.9:4317", "10.0.0.9:4317"));
    assertEquals(1, one.size());
    assertEquals(0, one.owner(123, 456));
    assertEquals("10.0.0.9:4317", one.ownerEndpoint(-5, 7));
    assertEquals(0, one.indexOf("10.0.0.9:4317"));
    assertEquals(-1, one.indexOf("10.0.0.8:4317"));
    assertThrows(IllegalArgumentException.class, () -> TraceIdRing.of(List.of("a:1", " ")));
  }

  @Test
  void moreThan256EndpointsUseTheWideTable() {
    TraceIdRing ring = TraceIdRing.of(podEndpoints(300, 6));
    assertEquals(300, ring.size());
    double slots = slotImbalance(ring);
    double ids = imbalance(ring, slots(IdKind.RANDOM));
    System.out.printf("ring balance at n=300: slots max/mean %.4f, %d random ids max/mean %.4f%n", slots, IDS, ids);
    assertTrue(slots <= MAX_IMBALANCE, "slots max/mean " + slots);
  }

  @Test
  void indexesFollowTheSortedEndpoints() {
    TraceIdRing ring = TraceIdRing.of(List.of("b:1", "a:1", "c:1"));
    assertEquals(List.of("a:1", "b:1", "c:1"), ring.endpoints());
    assertArrayEquals(new int[] {0, 1, 2}, new int[] {ring.indexOf("a:1"), ring.indexOf("b:1"), ring.indexOf("c:1")});
    assertTrue(ring.toString().contains("3 endpoints"));
  }
}

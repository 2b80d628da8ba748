package io.tailshard.common.ring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Which endpoint owns a trace: an immutable map from 16-byte trace ids to one of a set of
 * endpoints ({@code host:port} strings such as {@code 10.0.0.5:4317}). The lb-tier and every
 * sampling node build it from the same endpoint set and so route every trace to the same node.
 *
 * <h2>Algorithm</h2>
 * A trace id is hashed to 64 bits; the top {@value SlotTable#SLOT_BITS} bits pick one of 2^20
 * slots; a table says which endpoint owns the slot. The table is rendezvous (highest random
 * weight) hashing over slots: each endpoint has its own pseudo-random order of all slots, and a
 * slot belongs to the endpoint that ranks it highest. Hence:
 *
 * <ul>
 *   <li><b>Set only.</b> The table depends on the set of endpoints, not on the order they were
 *       given in, duplicates, or what the set was before. Two nodes with the same set agree.
 *   <li><b>Minimal movement.</b> Removing an endpoint moves only the traces it owned; adding one
 *       moves to it only the traces it takes. No trace moves between two endpoints that stay.
 *   <li><b>Balance.</b> Each endpoint's share differs from 1/n only by the luck of 2^20 slots:
 *       max/mean of slots is at most 1.024 for every n from 3 to 100 (measured; see
 *       {@code docs/ring.md}), where the Collector's CRC32 ring with 200 points per endpoint is far
 *       above 1.05 at 100 endpoints.
 *   <li><b>Cost.</b> A lookup is two 64-bit mixes and one read of a 1 MiB table (2 MiB beyond 256
 *       endpoints): O(1), no allocation, a few nanoseconds. Building costs 20 to 30 ms, so build a
 *       new ring off the event loop.
 * </ul>
 *
 * Rendezvous hashing on trace ids directly would be exact but costs one hash per endpoint on every
 * lookup; Maglev's table balances perfectly but moves up to 1.6/n of traces when one of 100
 * endpoints leaves; jump hashing only handles removing the last endpoint. {@code docs/ring.md}
 * has the measurements.
 *
 * <h2>Identity</h2>
 * Two rings are {@link #equals equal} when their endpoint sets are; {@link #fingerprint()} is a
 * 64-bit digest of the set that is the same in every JVM, so nodes can compare ring views over
 * the wire. Endpoint indexes ({@link #owner(long, long)}) are positions in the sorted endpoint
 * list, so callers can keep per-endpoint state in arrays.
 *
 * <p>Thread-safe: immutable after construction.
 */
public final class TraceIdRing {
  /** What {@link #owner} returns for an empty ring. */
  public static final int NO_OWNER = -1;

  private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final int SLOT_SHIFT = 64 - SlotTable.SLOT_BITS;
  private static final TraceIdRing EMPTY = new TraceIdRing(List.of());

  private final List<String> endpoints;
  /** The slot table when there are at most 256 endpoints (half the memory of {@link #wide}), else null. */
  private final byte[] narrow;
  /** The slot table beyond 256 endpoints, else null. */
  private final char[] wide;
  private final int size;
  private final long fingerprint;

  private TraceIdRing(List<String> sortedDistinct) {
    this.endpoints = sortedDistinct;
    this.size = sortedDistinct.size();
    long[] hashes = new long[size];
    long fp = Hashing.mix64(size);
    for (int i = 0; i < size; i++) {
      hashes[i] = Hashing.endpoint(sortedDistinct.get(i));
      fp = Hashing.mix64(fp ^ hashes[i]);
    }
    this.fingerprint = fp;
    if (size == 0) {
      narrow = null;
      wide = null;
    } else {
      char[] table = SlotTable.build(hashes);
      if (size <= 256) {
        narrow = new byte[table.length];
        for (int s = 0; s < table.length; s++) {
          narrow[s] = (byte) table[s];
        }
        wide = null;
      } else {
        narrow = null;
        wide = table;
      }
    }
  }

  /**
   * The ring of a set of endpoints. Order and duplicates do not matter. Each endpoint must be a
   * non-blank string; it is used as given (callers canonicalise addresses, as the resolvers do).
   * At most 65535 distinct endpoints. Takes tens of milliseconds: not for an event loop.
   */
  public static TraceIdRing of(Collection<String> endpoints) {
    TreeSet<String> set = new TreeSet<>();
    for (String e : endpoints) {
      Objects.requireNonNull(e, "endpoint");
      if (e.isBlank()) {
        throw new IllegalArgumentException("blank endpoint in " + endpoints);
      }
      set.add(e);
    }
    if (set.isEmpty()) {
      return EMPTY;
    }
    if (set.size() > SlotTable.MAX_ENDPOINTS) {
      throw new IllegalArgumentException("at most " + SlotTable.MAX_ENDPOINTS + " endpoints, got " + set.size());
    }
    return new TraceIdRing(Collections.unmodifiableList(new ArrayList<>(set)));
  }

  /** The ring with no endpoints: every lookup answers {@link #NO_OWNER}. */
  public static TraceIdRing empty() {
    return EMPTY;
  }

  /**
   * The index of the endpoint that owns the trace whose id is {@code hi} (bytes 0-7, big-endian)
   * and {@code lo} (bytes 8-15), or {@link #NO_OWNER} when the ring is empty. Allocation-free.
   */
  public int owner(long hi, long lo) {
    if (size <= 1) {
      return size - 1;
    }
    int slot = (int) (Hashing.traceId(hi, lo) >>> SLOT_SHIFT);
    return narrow != null ? narrow[slot] & 0xFF : wide[slot];
  }

  /**
   * The index of the owner of the 16-byte trace id at {@code traceId[off .. off+16)}, or
   * {@link #NO_OWNER} when the ring is empty. Allocation-free.
   */
  public int owner(byte[] traceId, int off) {
    return owner((long) LONG_BE.get(traceId, off), (long) LONG_BE.get(traceId, off + 8));
  }

  /** The owning endpoint's text, or null when the ring is empty. */
  public String ownerEndpoint(long hi, long lo) {
    int i = owner(hi, lo);
    return i < 0 ? null : endpoints.get(i);
  }

  /** The owning endpoint's text for the id at {@code traceId[off .. off+16)}, or null when the ring is empty. */
  public String ownerEndpoint(byte[] traceId, int off) {
    int i = owner(traceId, off);
    return i < 0 ? null : endpoints.get(i);
  }

  /** The endpoint at {@code index}, as returned by {@link #owner}. */
  public String endpoint(int index) {
    return endpoints.get(index);
  }

  /** The index of {@code endpoint}, or -1 when it is not in the ring. */
  public int indexOf(String endpoint) {
    int i = Collections.binarySearch(endpoints, endpoint);
    return i < 0 ? -1 : i;
  }

  /** The endpoints, sorted and distinct; index i is endpoint i. Unmodifiable. */
  public List<String> endpoints() {
    return endpoints;
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /**
   * A 64-bit digest of the endpoint set, identical in every JVM: equal sets, equal fingerprints;
   * different sets collide with probability about 2^-64.
   */
  public long fingerprint() {
    return fingerprint;
  }

  /** The table, for tests that compare two rings slot by slot. */
  int slotOwner(int slot) {
    if (size <= 1) {
      return size - 1;
    }
    return narrow != null ? narrow[slot] & 0xFF : wide[slot];
  }

  /** Equal when the endpoint sets are equal, which makes the rings route every trace alike. */
  @Override
  public boolean equals(Object o) {
    return o instanceof TraceIdRing && ((TraceIdRing) o).endpoints.equals(endpoints);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(fingerprint);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("TraceIdRing[").append(size).append(" endpoints, fingerprint ")
        .append(Long.toHexString(fingerprint));
    int shown = Math.min(size, 8);
    if (shown > 0) {
      sb.append(": ").append(String.join(", ", endpoints.subList(0, shown)));
      if (shown < size) {
        sb.append(", ...");
      }
    }
    return sb.append(']').toString();
  }
}

package io.tailshard.sampling.connector.spanmetrics;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * The resources series are grouped by, as the Collector groups them: one group per distinct set of
 * resource attributes (or of the {@code resource_metrics_key_attributes} among them), carrying the
 * attributes of the first resource seen. At most {@code limit} groups live at once
 * ({@code resource_metrics_cache_size}); making one more evicts the least recently seen.
 *
 * <p>Lookup per ResourceSpans is cheap: the raw bytes of the Resource message are hashed and found
 * in a {@link SeriesTable}. Only a resource not seen in that exact encoding takes the cold path,
 * which decodes it and finds its group by its attributes in key order, so two encodings of the same
 * attributes (another order) share one group. Not thread-safe.
 */
final class ResourceGroups {
  /** A resource group: its output attributes and its {@code service.name} as a string. */
  record Group(String key, List<KeyValue> attributes, String serviceName) {}

  /** Marks a raw encoding whose resource has no {@code service.name}: its spans are skipped. */
  private static final int NO_SERVICE = -1;

  private final int limit;
  private final Set<String> keyAttributes;
  private SeriesTable raw = new SeriesTable(64);
  private int[] rawGroup = new int[raw.capacity()];
  private final Map<String, Integer> byKey = new HashMap<>();
  private Group[] groups = new Group[16];
  private long[] lastSeenNanos = new long[16];
  private final List<Integer> free = new ArrayList<>();
  private int highest;
  private int live;

  ResourceGroups(int limit, List<String> keyAttributes) {
    this.limit = limit;
    this.keyAttributes = new HashSet<>(keyAttributes);
  }

  /**
   * The group of resource {@code r} of {@code idx}, or -1 when the resource has no
   * {@code service.name}, or (with {@code create} false) when it is not known. Creating may evict
   * the least recently seen group, reported to {@code evicted} before its id is reused.
   */
  int lookup(TraceRequestIndex idx, int r, long nowNanos, boolean create, IntConsumer evicted) {
    byte[] buf = idx.buffer();
    int off = idx.resourceMessageOffset(r);
    int len = off < 0 ? 0 : idx.resourceMessageLength(r);
    if (off < 0) {
      off = 0;
    }
    long h = SeriesTable.hash(buf, off, len);
    int e = raw.find(buf, off, len, h);
    if (e >= 0) {
      int g = rawGroup[e];
      if (g >= 0) {
        lastSeenNanos[g] = nowNanos;
      }
      return g;
    }
    if (!create) {
      return -1;
    }
    int g = resolve(buf, off, len, nowNanos, evicted);
    if (raw.size() >= 4 * limit + 64) {
      // Many encodings of few resources (attributes that change per request): start the cache over.
      clearRawCache();
    }
    e = raw.insert(buf, off, len, h);
    if (rawGroup.length < raw.capacity()) {
      rawGroup = java.util.Arrays.copyOf(rawGroup, raw.capacity());
    }
    rawGroup[e] = g;
    return g;
  }

  private int resolve(byte[] buf, int off, int len, long nowNanos, IntConsumer evicted) {
    Resource resource;
    try {
      resource = Resource.parseFrom(com.google.protobuf.ByteString.copyFrom(buf, off, len));
    } catch (InvalidProtocolBufferException ex) {
      return NO_SERVICE;
    }
    String serviceName = null;
    for (KeyValue kv : resource.getAttributesList()) {
      if (kv.getKey().equals("service.name")) {
        serviceName = text(kv.getValue());
      }
    }
    if (serviceName == null) {
      return NO_SERVICE;
    }
    String key = canonicalKey(resource.getAttributesList());
    Integer known = byKey.get(key);
    if (known != null) {
      lastSeenNanos[known] = nowNanos;
      return known;
    }
    if (live >= limit) {
      evict(evicted);
    }
    int g = free.isEmpty() ? highest++ : free.remove(free.size() - 1);
    if (g >= groups.length) {
      groups = java.util.Arrays.copyOf(groups, groups.length * 2);
      lastSeenNanos = java.util.Arrays.copyOf(lastSeenNanos, groups.length);
    }
    groups[g] = new Group(key, List.copyOf(resource.getAttributesList()), serviceName);
    lastSeenNanos[g] = nowNanos;
    byKey.put(key, g);
    live++;
    return g;
  }

  /** The attributes that tell resources apart, sorted by key, as a string. */
  private String canonicalKey(List<KeyValue> attributes) {
    List<KeyValue> kept = new ArrayList<>();
    for (KeyValue kv : attributes) {
      if (keyAttributes.isEmpty() || keyAttributes.contains(kv.getKey())) {
        kept.add(kv);
      }
    }
    kept.sort(Comparator.comparing(KeyValue::getKey));
    StringBuilder sb = new StringBuilder();
    Base64.Encoder b64 = Base64.getEncoder();
    for (KeyValue kv : kept) {
      sb.append(kv.getKey()).append('\0').append(b64.encodeToString(kv.getValue().toByteArray())).append('\n');
    }
    return sb.toString();
  }

  private void evict(IntConsumer evicted) {
    int oldest = -1;
    for (int g = 0; g < highest; g++) {
      if (groups[g] != null && (oldest < 0 || lastSeenNanos[g] < lastSeenNanos[oldest])) {
        oldest = g;
      }
    }
    evicted.accept(oldest);
    remove(oldest);
  }

  /** Forgets group {@code g} (its series must be gone already). */
  void remove(int g) {
    byKey.remove(groups[g].key());
    groups[g] = null;
    free.add(g);
    live--;
    // Raw entries may point to g: drop them all; they are rebuilt on the next requests.
    clearRawCache();
  }

  private void clearRawCache() {
    raw = new SeriesTable(64);
    rawGroup = new int[raw.capacity()];
  }

  Group group(int g) {
    return groups[g];
  }

  long lastSeenNanos(int g) {
    return lastSeenNanos[g];
  }

  /** Ids of live groups, ascending. */
  int[] liveIds() {
    int[] out = new int[live];
    int n = 0;
    for (int g = 0; g < highest; g++) {
      if (groups[g] != null) {
        out[n++] = g;
      }
    }
    return out;
  }

  int size() {
    return live;
  }

  long footprintBytes() {
    return raw.footprintBytes() + rawGroup.length * 4L + groups.length * 64L;
  }

  /** An attribute value as the Collector prints it in keys: strings as they are, others as text. */
  static String text(AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case BOOL_VALUE:
        return Boolean.toString(v.getBoolValue());
      case INT_VALUE:
        return Long.toString(v.getIntValue());
      case DOUBLE_VALUE:
        return Double.toString(v.getDoubleValue());
      default:
        return "";
    }
  }
}

package io.tailshard.sampling.connector.spanmetrics;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import io.tailshard.common.otlp.wire.AnyValues;
import io.tailshard.common.otlp.wire.ProtoWire;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.sampling.connector.spanmetrics.SpanMetricsConfig.Dimension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The span metrics state of one connector: counts calls, durations and (optionally) events per
 * series from indexed OTLP trace requests, and turns them into an OTLP metrics request at each
 * flush.
 *
 * <p>Per span, on the hot path, the series key is written into one reusable scratch array: the
 * resource group id, the kind and status codes, the span name bytes and each extra dimension's
 * AnyValue bytes, all copied from the request buffer; the key is hashed and looked up in a
 * {@link SeriesTable} of primitive arrays (bytes compared only when two 64-bit hashes agree), and
 * the counters and histogram buckets of the series are incremented in long arrays. No object is
 * made per span; the resource group is resolved once per ResourceSpans.
 *
 * <p>Not thread-safe: the connector calls it under its lock.
 */
final class SpanMetricsAggregator {
  static final String SCOPE_NAME = "spanmetricsconnector";
  private static final byte[] SERVICE_NAME = "service.name".getBytes(StandardCharsets.UTF_8);
  private static final String[] KINDS = {
    "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER",
    "SPAN_KIND_CONSUMER"
  };
  private static final String[] STATUSES = {"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"};
  /** Stored in place of a kind or status code the Collector has no name for (it prints ""). */
  private static final byte UNKNOWN = (byte) 0xFE;
  private static final int HEADER = 10;
  private static final int SPAN_ATTRIBUTES = 9;
  // The Collector leaves descriptions empty; ours give Prometheus a HELP line, which its linter wants.
  static final String CALLS_HELP = "Spans counted by the spanmetrics connector, errors included.";
  static final String DURATION_HELP = "Span durations counted by the spanmetrics connector.";
  static final String EVENTS_HELP = "Span events counted by the spanmetrics connector.";

  private final SpanMetricsConfig config;
  private final double nanosPerUnit;
  private final boolean withName;
  private final boolean withKind;
  private final boolean withStatus;
  private final boolean withService;
  private final byte[][] dimKeys;
  private final byte[][] dimDefaults;
  private final long[] resourceDims;
  private final long[] spanDims;
  private final byte[][] eventKeys;
  private final byte[][] eventDefaults;
  private final ResourceGroups resources;
  private final SeriesSet main;
  private final SeriesSet events;
  private final IntConsumer evictGroup;
  private byte[] scratch = new byte[256];

  SpanMetricsAggregator(SpanMetricsConfig config) {
    this.config = config;
    this.nanosPerUnit = config.histogram().unit().nanosPerUnit;
    this.withService = !config.excludeDimensions().contains("service.name");
    this.withName = !config.excludeDimensions().contains("span.name");
    this.withKind = !config.excludeDimensions().contains("span.kind");
    this.withStatus = !config.excludeDimensions().contains("status.code");
    this.dimKeys = keys(config.dimensions());
    this.dimDefaults = defaults(config.dimensions());
    this.resourceDims = new long[dimKeys.length];
    this.spanDims = new long[dimKeys.length];
    this.eventKeys = keys(config.eventDimensions());
    this.eventDefaults = defaults(config.eventDimensions());
    this.resources = new ResourceGroups(config.resourceCacheSize(), config.resourceKeyAttributes());
    int capacity = 64;
    SpanMetricsConfig.Histogram h = config.histogram();
    ExplicitBuckets explicit = h.disable() || h.exponential() ? null : new ExplicitBuckets(h.bounds(), capacity);
    ExponentialBuckets exponential = h.disable() || !h.exponential() ? null : new ExponentialBuckets(h.exponentialMaxSize(), capacity);
    Exemplars exemplars = config.exemplarsEnabled() ? new Exemplars(config.exemplarsPerDataPoint(), capacity) : null;
    this.main = new SeriesSet(capacity, config.cardinalityLimit(), explicit, exponential, exemplars);
    this.events = config.eventsEnabled() ? new SeriesSet(capacity, config.cardinalityLimit(), null, null, null) : null;
    this.evictGroup =
        g -> {
          main.removeGroup(g);
          if (events != null) {
            events.removeGroup(g);
          }
        };
  }

  private static byte[][] keys(List<Dimension> dims) {
    byte[][] out = new byte[dims.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = dims.get(i).name().getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  /** Defaults as AnyValue string payloads, so that a span attribute equal to the default shares its series. */
  private static byte[][] defaults(List<Dimension> dims) {
    byte[][] out = new byte[dims.size()][];
    for (int i = 0; i < out.length; i++) {
      String d = dims.get(i).defaultValue();
      out[i] = d == null ? null : AnyValue.newBuilder().setStringValue(d).build().toByteArray();
    }
    return out;
  }

  // ---- hot path

  /** Counts every span of the indexed request, at wall-clock time {@code nowNanos} (Unix epoch). */
  void aggregate(TraceRequestIndex idx, long nowNanos) {
    int n = idx.spanCount();
    int resource = -1;
    int g = -1;
    for (int i = 0; i < n; i++) {
      int r = idx.resourceOf(i);
      if (r != resource) {
        resource = r;
        g = enterResource(idx, r, nowNanos, true);
      }
      if (g < 0) {
        continue; // a resource without service.name is skipped, as the Collector skips it
      }
      int len = buildKey(idx, i, g);
      long h = SeriesTable.hash(scratch, 0, len);
      int s = main.series(scratch, len, h, g, nowNanos);
      main.record(s, duration(idx, i), nowNanos);
      if (events != null) {
        countEvents(idx, i, g, len, nowNanos);
      }
    }
  }

  /**
   * Records spans of kept traces as exemplars of the series they were counted in. Creates no
   * series: a span whose series is unknown (expired, or never seen by this node) adds nothing.
   */
  void attachExemplars(TraceRequestIndex idx) {
    Exemplars ex = main.exemplars;
    if (ex == null) {
      return;
    }
    int n = idx.spanCount();
    int resource = -1;
    int g = -1;
    for (int i = 0; i < n; i++) {
      int r = idx.resourceOf(i);
      if (r != resource) {
        resource = r;
        g = enterResource(idx, r, 0, false);
      }
      if (g < 0 || !idx.traceIdValid(i)) {
        continue;
      }
      int len = buildKey(idx, i, g);
      int s = main.find(scratch, len, SeriesTable.hash(scratch, 0, len));
      if (s >= 0) {
        long spanId = idx.spanIdLength(i) == 8 ? ProtoWire.readBigEndian64(idx.buffer(), idx.spanIdOffset(i)) : 0;
        ex.record(s, idx.traceIdHigh(i), idx.traceIdLow(i), spanId, duration(idx, i), idx.endTimeUnixNano(i));
      }
    }
  }

  private int enterResource(TraceRequestIndex idx, int r, long nowNanos, boolean create) {
    if (idx.resourceAttribute(r, SERVICE_NAME) == -1) {
      return -1;
    }
    int g = resources.lookup(idx, r, nowNanos, create, evictGroup);
    if (g >= 0) {
      for (int d = 0; d < dimKeys.length; d++) {
        resourceDims[d] = idx.resourceAttribute(r, dimKeys[d]);
      }
    }
    return g;
  }

  private double duration(TraceRequestIndex idx, int i) {
    long start = idx.startTimeUnixNano(i);
    long end = idx.endTimeUnixNano(i);
    // An end before the start counts as 0, as in the Collector.
    return end > start ? (end - start) / nanosPerUnit : 0;
  }

  /** Writes span {@code i}'s series key into {@link #scratch}; returns its length. */
  private int buildKey(TraceRequestIndex idx, int i, int g) {
    int nameOff = withName ? idx.nameOffset(i) : -1;
    int nameLen = nameOff < 0 ? 0 : idx.nameLength(i);
    ensure(HEADER + nameLen);
    SeriesSet.writeInt(scratch, 0, g);
    int kind = idx.kind(i);
    int status = idx.statusCode(i);
    scratch[4] = !withKind ? 0 : kind >= 0 && kind < KINDS.length ? (byte) kind : UNKNOWN;
    scratch[5] = !withStatus ? 0 : status >= 0 && status < STATUSES.length ? (byte) status : UNKNOWN;
    SeriesSet.writeInt(scratch, 6, nameLen);
    if (nameLen > 0) {
      System.arraycopy(idx.buffer(), nameOff, scratch, HEADER, nameLen);
    }
    int p = HEADER + nameLen;
    if (dimKeys.length > 0) {
      int from = idx.spanOffset(i);
      SpanEvents.attributes(idx.buffer(), from, from + idx.spanLength(i), SPAN_ATTRIBUTES, dimKeys, spanDims);
    }
    for (int d = 0; d < dimKeys.length; d++) {
      long pos = spanDims[d];
      if (pos == -1) {
        pos = resourceDims[d];
      }
      p = appendValue(p, idx.buffer(), pos, dimDefaults[d]);
    }
    return p;
  }

  /** Appends a dimension value: 0 when absent, else 1, its length and its AnyValue bytes. */
  private int appendValue(int p, byte[] buf, long pos, byte[] fallback) {
    byte[] src;
    int off;
    int len;
    if (pos != -1) {
      src = buf;
      off = AnyValues.offset(pos);
      len = AnyValues.length(pos);
    } else if (fallback != null) {
      src = fallback;
      off = 0;
      len = fallback.length;
    } else {
      ensure(p + 1);
      scratch[p] = 0;
      return p + 1;
    }
    ensure(p + 5 + len);
    scratch[p] = 1;
    SeriesSet.writeInt(scratch, p + 1, len);
    System.arraycopy(src, off, scratch, p + 5, len);
    return p + 5 + len;
  }

  private void countEvents(TraceRequestIndex idx, int i, int g, int spanKeyLen, long nowNanos) {
    byte[] buf = idx.buffer();
    int from = idx.spanOffset(i);
    int to = from + idx.spanLength(i);
    long ev = SpanEvents.nextEvent(buf, from, to);
    while (ev != -1) {
      int p = spanKeyLen;
      for (int d = 0; d < eventKeys.length; d++) {
        // Span attributes first, then the event's, then the resource's, as the Collector looks them up.
        long pos = idx.spanAttribute(i, eventKeys[d]);
        if (pos == -1) {
          pos = SpanEvents.attribute(buf, ev, eventKeys[d]);
        }
        if (pos == -1) {
          pos = idx.resourceAttribute(idx.resourceOf(i), eventKeys[d]);
        }
        p = appendValue(p, buf, pos, eventDefaults[d]);
      }
      long h = SeriesTable.hash(scratch, 0, p);
      int s = events.series(scratch, p, h, g, nowNanos);
      events.record(s, 0, nowNanos);
      int next = AnyValues.offset(ev) + AnyValues.length(ev);
      ev = SpanEvents.nextEvent(buf, next, to);
    }
  }

  private void ensure(int n) {
    if (n > scratch.length) {
      scratch = java.util.Arrays.copyOf(scratch, Math.max(n, scratch.length * 2));
    }
  }

  // ---- flush (cold path: once per flush interval)

  /**
   * The metrics of every series as one OTLP request stamped {@code nowNanos}, then the state the
   * temporality asks for: delta starts every series over (dropping those that saw no span in the
   * interval), cumulative keeps counting; exemplars are cleared in both. With
   * {@code metrics_expiration}, series not seen for that long are dropped before the build (the
   * Collector reports them once more). Resource groups left without series are forgotten.
   */
  ExportMetricsServiceRequest flush(long nowNanos) {
    ExportMetricsServiceRequest.Builder req = ExportMetricsServiceRequest.newBuilder();
    // Expired series go before the build, so that they are not reported once more.
    expire(main, nowNanos);
    if (events != null) {
      expire(events, nowNanos);
    }
    forgetEmptyGroups(resources.liveIds());
    int[] groups = resources.liveIds();
    List<List<Integer>> mainByGroup = byGroup(main, groups);
    List<List<Integer>> eventsByGroup = events == null ? null : byGroup(events, groups);
    AggregationTemporality temporality =
        config.delta() ? AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA : AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
    for (int k = 0; k < groups.length; k++) {
      List<Integer> series = mainByGroup.get(k);
      List<Integer> eventSeries = eventsByGroup == null ? List.of() : eventsByGroup.get(k);
      if (series.isEmpty() && eventSeries.isEmpty()) {
        continue;
      }
      ResourceGroups.Group group = resources.group(groups[k]);
      ResourceMetrics.Builder rm = req.addResourceMetricsBuilder();
      rm.setResource(Resource.newBuilder().addAllAttributes(group.attributes()));
      ScopeMetrics.Builder sm = rm.addScopeMetricsBuilder();
      sm.getScopeBuilder().setName(SCOPE_NAME);
      if (!series.isEmpty()) {
        addCalls(sm, config.metricName("calls"), main, series, group, false, temporality, nowNanos);
        if (!config.histogram().disable()) {
          addDuration(sm, series, group, temporality, nowNanos);
        }
      }
      if (!eventSeries.isEmpty()) {
        addCalls(sm, config.metricName("events"), events, eventSeries, group, true, temporality, nowNanos);
      }
    }
    reset(main, nowNanos);
    if (events != null) {
      reset(events, nowNanos);
    }
    forgetEmptyGroups(groups);
    return req.build();
  }

  /** Series indexes of each group, in the order of {@code groups}; delta skips idle series. */
  private List<List<Integer>> byGroup(SeriesSet set, int[] groups) {
    List<List<Integer>> out = new ArrayList<>(groups.length);
    int max = 0;
    for (int g : groups) {
      max = Math.max(max, g + 1);
    }
    int[] position = new int[max];
    for (int k = 0; k < groups.length; k++) {
      position[groups[k]] = k;
      out.add(new ArrayList<>());
    }
    for (int s = 0; s < set.size(); s++) {
      boolean hasExemplars = set.exemplars != null && set.exemplars.count(s) > 0;
      if (config.delta() && set.calls(s) == 0 && !hasExemplars) {
        continue;
      }
      out.get(position[set.group(s)]).add(s);
    }
    return out;
  }

  private void addCalls(
      ScopeMetrics.Builder sm, String name, SeriesSet set, List<Integer> series, ResourceGroups.Group group,
      boolean eventDims, AggregationTemporality temporality, long nowNanos) {
    Sum.Builder sum = Sum.newBuilder().setIsMonotonic(true).setAggregationTemporality(temporality);
    for (int s : series) {
      NumberDataPoint.Builder dp =
          sum.addDataPointsBuilder()
              .setStartTimeUnixNano(set.startNanos(s))
              .setTimeUnixNano(nowNanos)
              .setAsInt(set.calls(s))
              .addAllAttributes(attributes(set, s, group, eventDims));
      if (set.exemplars != null) {
        set.exemplars.forEach(s, dp::addExemplars);
      }
    }
    sm.addMetrics(Metric.newBuilder().setName(name).setDescription(eventDims ? EVENTS_HELP : CALLS_HELP).setSum(sum));
  }

  private void addDuration(
      ScopeMetrics.Builder sm, List<Integer> series, ResourceGroups.Group group, AggregationTemporality temporality,
      long nowNanos) {
    Metric.Builder m =
        Metric.newBuilder().setName(config.metricName("duration")).setDescription(DURATION_HELP).setUnit(config.histogram().unit().word());
    if (main.exponential != null) {
      ExponentialHistogram.Builder h = ExponentialHistogram.newBuilder().setAggregationTemporality(temporality);
      for (int s : series) {
        ExponentialHistogramDataPoint.Builder dp =
            h.addDataPointsBuilder()
                .setStartTimeUnixNano(main.startNanos(s))
                .setTimeUnixNano(nowNanos)
                .addAllAttributes(attributes(main, s, group, false));
        main.exponential.fill(s, dp);
        if (main.exemplars != null) {
          main.exemplars.forEach(s, dp::addExemplars);
        }
      }
      m.setExponentialHistogram(h);
    } else {
      Histogram.Builder h = Histogram.newBuilder().setAggregationTemporality(temporality);
      for (int s : series) {
        HistogramDataPoint.Builder dp =
            h.addDataPointsBuilder()
                .setStartTimeUnixNano(main.startNanos(s))
                .setTimeUnixNano(nowNanos)
                .setCount(main.calls(s))
                .addAllAttributes(attributes(main, s, group, false));
        main.explicit.fill(s, dp);
        if (main.exemplars != null) {
          main.exemplars.forEach(s, dp::addExemplars);
        }
      }
      m.setHistogram(h);
    }
    sm.addMetrics(m);
  }

  /** The data point attributes of series {@code s}, decoded from its key. */
  private List<KeyValue> attributes(SeriesSet set, int s, ResourceGroups.Group group, boolean eventDims) {
    List<KeyValue> out = new ArrayList<>(8);
    byte[] a = set.table.arena();
    int p = set.table.keyOffset(s);
    if (set.isOverflow(s)) {
      out.add(KeyValue.newBuilder().setKey("otel.metric.overflow").setValue(AnyValue.newBuilder().setBoolValue(true)).build());
      addNode(out);
      return out;
    }
    int kind = a[p + 4];
    int status = a[p + 5];
    int nameLen = SeriesSet.readInt(a, p + 6);
    if (withService) {
      out.add(string("service.name", group.serviceName()));
    }
    if (withName) {
      out.add(string("span.name", new String(a, p + HEADER, nameLen, StandardCharsets.UTF_8)));
    }
    if (withKind) {
      out.add(string("span.kind", kind >= 0 && kind < KINDS.length ? KINDS[kind] : ""));
    }
    if (withStatus) {
      out.add(string("status.code", status >= 0 && status < STATUSES.length ? STATUSES[status] : ""));
    }
    int q = p + HEADER + nameLen;
    q = decodeValues(a, q, config.dimensions(), out);
    if (eventDims) {
      decodeValues(a, q, config.eventDimensions(), out);
    }
    addNode(out);
    return out;
  }

  private static int decodeValues(byte[] a, int q, List<Dimension> dims, List<KeyValue> out) {
    for (Dimension d : dims) {
      if (a[q++] == 0) {
        continue;
      }
      int len = SeriesSet.readInt(a, q);
      q += 4;
      AnyValue v;
      try {
        v = AnyValue.parseFrom(ByteString.copyFrom(a, q, len));
      } catch (InvalidProtocolBufferException e) {
        v = AnyValue.getDefaultInstance();
      }
      q += len;
      out.add(KeyValue.newBuilder().setKey(d.name()).setValue(v).build());
    }
    return q;
  }

  private void addNode(List<KeyValue> out) {
    if (!config.nodeDimension().isEmpty()) {
      out.add(string(config.nodeDimension(), config.nodeId()));
    }
  }

  private static KeyValue string(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private void expire(SeriesSet set, long nowNanos) {
    if (config.expiration().isZero()) {
      return;
    }
    long before = nowNanos - config.expiration().toNanos();
    for (int s = set.size() - 1; s >= 0; s--) {
      if (set.lastSeenNanos(s) < before) {
        set.remove(s);
      }
    }
  }

  private void reset(SeriesSet set, long nowNanos) {
    for (int s = set.size() - 1; s >= 0; s--) {
      if (config.delta() && set.calls(s) == 0) {
        set.remove(s); // idle for a whole interval: nothing to report, and memory follows the active series
        continue;
      }
      if (config.delta()) {
        set.resetCounts(s, nowNanos);
      }
      if (set.exemplars != null) {
        set.exemplars.clear(s);
      }
    }
  }

  private void forgetEmptyGroups(int[] groups) {
    int max = 0;
    for (int g : groups) {
      max = Math.max(max, g + 1);
    }
    boolean[] used = new boolean[max];
    markGroups(main, used);
    if (events != null) {
      markGroups(events, used);
    }
    for (int g : groups) {
      if (!used[g]) {
        resources.remove(g);
        main.removeGroup(g);
        if (events != null) {
          events.removeGroup(g);
        }
      }
    }
  }

  private static void markGroups(SeriesSet set, boolean[] used) {
    for (int s = 0; s < set.size(); s++) {
      if (set.group(s) < used.length) {
        used[set.group(s)] = true;
      }
    }
  }

  // ---- for self-metrics and tests

  int seriesCount() {
    return main.size() + (events == null ? 0 : events.size());
  }

  int resourceCount() {
    return resources.size();
  }

  long overflowedSpans() {
    return main.overflowedSpans();
  }

  /** Bytes held by the aggregation's arrays; stops growing once the series stop growing. */
  long footprintBytes() {
    return main.footprintBytes() + (events == null ? 0 : events.footprintBytes()) + resources.footprintBytes()
        + scratch.length;
  }
}

package io.tailshard.sampling.store;

/**
 * A read-only copy of one live trace's summary, taken on the store's writer thread: what the
 * policies that need no attributes decide on (span count, status codes, duration, root seen,
 * size). Immutable, so safe to hand to any thread; it does not follow later spans of the trace.
 *
 * @param traceIdHigh first 8 trace id bytes, big-endian
 * @param traceIdLow last 8 trace id bytes, big-endian
 * @param window the time window the trace's spans are stored under: first seen / window width
 * @param firstSeenMillis when the trace's first span reached the store (caller's clock)
 * @param spanCount spans buffered for the trace
 * @param statusMask bit {@code 1 << code} for each span status code seen: {@link #STATUS_UNSET},
 *     {@link #STATUS_OK}, {@link #STATUS_ERROR}
 * @param earliestStartUnixNano smallest span start time
 * @param latestEndUnixNano largest span end time
 * @param rootSeen a span without parent span id was seen
 * @param bytes serialized size of the trace's buffered OTLP fragments (what
 *     {@code maximum_trace_size_bytes} compares against)
 * @param fragments stored values the trace spans (one per request that carried its spans)
 * @param dueMillis when the trace is (or was) due for its decision: first seen +
 *     {@code decision_wait}, or, when {@code decision_wait_after_root_received} is set and that
 *     is earlier, the arrival of its first root span + {@code decision_wait_after_root_received}
 */
public record TraceView(
    long traceIdHigh,
    long traceIdLow,
    long window,
    long firstSeenMillis,
    int spanCount,
    int statusMask,
    long earliestStartUnixNano,
    long latestEndUnixNano,
    boolean rootSeen,
    long bytes,
    int fragments,
    long dueMillis) {

  /** Status code numbers of {@code opentelemetry.proto.trace.v1.Status.StatusCode}. */
  public static final int STATUS_UNSET = 0;
  public static final int STATUS_OK = 1;
  public static final int STATUS_ERROR = 2;

  /** True when a span with status code {@code code} (0 unset, 1 ok, 2 error) was seen. */
  public boolean statusSeen(int code) {
    return code >= 0 && code < 3 && (statusMask & (1 << code)) != 0;
  }

  public boolean errorSeen() {
    return statusSeen(STATUS_ERROR);
  }

  /** Latest end minus earliest start, as the {@code latency} policy measures it; 0 if not positive. */
  public long durationNanos() {
    // Compared first: with no span read, the bounds are MIN and MAX and a subtraction would wrap.
    return latestEndUnixNano <= earliestStartUnixNano ? 0 : latestEndUnixNano - earliestStartUnixNano;
  }

  /** The 16 trace id bytes (a new array). */
  public byte[] traceId() {
    byte[] id = new byte[16];
    StoreKeys.putLong(id, 0, traceIdHigh);
    StoreKeys.putLong(id, 8, traceIdLow);
    return id;
  }
}

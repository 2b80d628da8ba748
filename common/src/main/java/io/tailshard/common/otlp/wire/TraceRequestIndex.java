package io.tailshard.common.otlp.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An index over the bytes of one OTLP {@code ExportTraceServiceRequest}, built in a single pass
 * without creating an object per span (DESIGN §6). For every span it records where its fields are
 * (trace id, span id, parent id, name, trace state) and their scalar values (kind, times, status
 * code, flags), plus which scope and resource it belongs to; for every scope and resource it records
 * the byte ranges a writer needs to rebuild them around a subset of their spans.
 *
 * <p>The index walks request, ResourceSpans, ScopeSpans, Span and Status and checks their framing
 * (tags, wire types, lengths within bounds). Payloads it does not need (attributes, events, links,
 * the resource and scope messages) are skipped by length and read only on request, through
 * {@link #spanAttribute}, {@link #resourceAttribute} and {@link #scopeAttribute}.
 *
 * <p>Reusable: {@link #index} resets it, and its arrays grow to the largest request seen and are
 * kept. Not thread-safe: use one per thread (an event loop owns one). The indexed byte array must
 * not change while the index is in use.
 */
public final class TraceRequestIndex {
  // Field numbers of opentelemetry/proto/trace/v1/trace.proto and collector/trace/v1.
  private static final int REQUEST_RESOURCE_SPANS = 1;
  private static final int RS_RESOURCE = 1;
  private static final int RS_SCOPE_SPANS = 2;
  private static final int RS_SCHEMA_URL = 3;
  private static final int SS_SCOPE = 1;
  private static final int SS_SPANS = 2;
  private static final int SS_SCHEMA_URL = 3;
  private static final int SPAN_TRACE_ID = 1;
  private static final int SPAN_SPAN_ID = 2;
  private static final int SPAN_TRACE_STATE = 3;
  private static final int SPAN_PARENT_SPAN_ID = 4;
  private static final int SPAN_NAME = 5;
  private static final int SPAN_KIND = 6;
  private static final int SPAN_START = 7;
  private static final int SPAN_END = 8;
  private static final int SPAN_ATTRIBUTES = 9;
  private static final int SPAN_STATUS = 15;
  private static final int SPAN_FLAGS = 16;
  private static final int STATUS_CODE = 3;
  private static final int RESOURCE_ATTRIBUTES = 1;
  private static final int SCOPE_ATTRIBUTES = 3;

  private static final int INITIAL_SPANS = 256;
  private static final int INITIAL_GROUPS = 16;

  private byte[] buf;
  private int base;
  private int limit;
  private int pos;

  private int spanCount;
  private int invalidTraceIds;
  // Per span. Offsets are absolute positions in buf; -1 means the field is absent.
  private int[] spanOff = new int[INITIAL_SPANS];
  private int[] spanLen = new int[INITIAL_SPANS];
  private int[] traceIdOff = new int[INITIAL_SPANS];
  private int[] traceIdLen = new int[INITIAL_SPANS];
  private int[] spanIdOff = new int[INITIAL_SPANS];
  private int[] spanIdLen = new int[INITIAL_SPANS];
  private int[] parentOff = new int[INITIAL_SPANS];
  private int[] parentLen = new int[INITIAL_SPANS];
  private int[] nameOff = new int[INITIAL_SPANS];
  private int[] nameLen = new int[INITIAL_SPANS];
  private int[] traceStateOff = new int[INITIAL_SPANS];
  private int[] traceStateLen = new int[INITIAL_SPANS];
  private int[] kind = new int[INITIAL_SPANS];
  private int[] statusCode = new int[INITIAL_SPANS];
  private int[] flags = new int[INITIAL_SPANS];
  private long[] start = new long[INITIAL_SPANS];
  private long[] end = new long[INITIAL_SPANS];
  private int[] spanScope = new int[INITIAL_SPANS];

  // Per ScopeSpans: the whole `scope` and `schema_url` fields (tag to end) for verbatim copying.
  private int scopeCount;
  private int[] scopeFieldOff = new int[INITIAL_GROUPS];
  private int[] scopeFieldLen = new int[INITIAL_GROUPS];
  private int[] scopeMsgOff = new int[INITIAL_GROUPS];
  private int[] scopeMsgLen = new int[INITIAL_GROUPS];
  private int[] scopeSchemaOff = new int[INITIAL_GROUPS];
  private int[] scopeSchemaLen = new int[INITIAL_GROUPS];
  private int[] scopeResource = new int[INITIAL_GROUPS];

  // Per ResourceSpans, likewise.
  private int resourceCount;
  private int[] resFieldOff = new int[INITIAL_GROUPS];
  private int[] resFieldLen = new int[INITIAL_GROUPS];
  private int[] resMsgOff = new int[INITIAL_GROUPS];
  private int[] resMsgLen = new int[INITIAL_GROUPS];
  private int[] resSchemaOff = new int[INITIAL_GROUPS];
  private int[] resSchemaLen = new int[INITIAL_GROUPS];

  /**
   * Indexes {@code buf[off, off+len)} as an {@code ExportTraceServiceRequest}, replacing what the
   * index held. On failure the index is empty.
   */
  public TraceRequestIndex index(byte[] buf, int off, int len) throws WireFormatException {
    if (off < 0 || len < 0 || off + len > buf.length) {
      throw new IndexOutOfBoundsException("range [" + off + ", " + (off + len) + ") of " + buf.length);
    }
    this.buf = buf;
    this.base = off;
    this.limit = off + len;
    this.pos = off;
    spanCount = 0;
    scopeCount = 0;
    resourceCount = 0;
    invalidTraceIds = 0;
    try {
      while (pos < limit) {
        int tag = readTag();
        if (tag == ProtoWire.tag(REQUEST_RESOURCE_SPANS, ProtoWire.LEN)) {
          int l = readLength(limit);
          int msgEnd = pos + l;
          readResourceSpans(msgEnd);
          pos = msgEnd;
        } else {
          skipField(tag, limit);
        }
      }
    } catch (WireFormatException e) {
      spanCount = 0;
      scopeCount = 0;
      resourceCount = 0;
      invalidTraceIds = 0;
      throw e;
    }
    return this;
  }

  public TraceRequestIndex index(byte[] buf) throws WireFormatException {
    return index(buf, 0, buf.length);
  }

  private void readResourceSpans(int end) throws WireFormatException {
    int r = resourceCount++;
    ensureResources(resourceCount);
    resFieldOff[r] = -1;
    resFieldLen[r] = 0;
    resMsgOff[r] = -1;
    resMsgLen[r] = 0;
    resSchemaOff[r] = -1;
    resSchemaLen[r] = 0;
    while (pos < end) {
      int fieldStart = pos;
      int tag = readTag();
      if (tag == ProtoWire.tag(RS_SCOPE_SPANS, ProtoWire.LEN)) {
        int l = readLength(end);
        int msgEnd = pos + l;
        readScopeSpans(r, msgEnd);
        pos = msgEnd;
      } else if (tag == ProtoWire.tag(RS_RESOURCE, ProtoWire.LEN)) {
        int l = readLength(end);
        resMsgOff[r] = pos;
        resMsgLen[r] = l;
        pos += l;
        resFieldOff[r] = fieldStart;
        resFieldLen[r] = pos - fieldStart;
      } else if (tag == ProtoWire.tag(RS_SCHEMA_URL, ProtoWire.LEN)) {
        int l = readLength(end);
        pos += l;
        resSchemaOff[r] = fieldStart;
        resSchemaLen[r] = pos - fieldStart;
      } else {
        skipField(tag, end);
      }
    }
  }

  private void readScopeSpans(int resource, int end) throws WireFormatException {
    int s = scopeCount++;
    ensureScopes(scopeCount);
    scopeResource[s] = resource;
    scopeFieldOff[s] = -1;
    scopeFieldLen[s] = 0;
    scopeMsgOff[s] = -1;
    scopeMsgLen[s] = 0;
    scopeSchemaOff[s] = -1;
    scopeSchemaLen[s] = 0;
    while (pos < end) {
      int fieldStart = pos;
      int tag = readTag();
      if (tag == ProtoWire.tag(SS_SPANS, ProtoWire.LEN)) {
        int l = readLength(end);
        int msgEnd = pos + l;
        readSpan(s, msgEnd);
        pos = msgEnd;
      } else if (tag == ProtoWire.tag(SS_SCOPE, ProtoWire.LEN)) {
        int l = readLength(end);
        scopeMsgOff[s] = pos;
        scopeMsgLen[s] = l;
        pos += l;
        scopeFieldOff[s] = fieldStart;
        scopeFieldLen[s] = pos - fieldStart;
      } else if (tag == ProtoWire.tag(SS_SCHEMA_URL, ProtoWire.LEN)) {
        int l = readLength(end);
        pos += l;
        scopeSchemaOff[s] = fieldStart;
        scopeSchemaLen[s] = pos - fieldStart;
      } else {
        skipField(tag, end);
      }
    }
  }

  private void readSpan(int scope, int end) throws WireFormatException {
    int i = spanCount++;
    ensureSpans(spanCount);
    spanOff[i] = pos;
    spanLen[i] = end - pos;
    spanScope[i] = scope;
    traceIdOff[i] = -1;
    traceIdLen[i] = 0;
    spanIdOff[i] = -1;
    spanIdLen[i] = 0;
    parentOff[i] = -1;
    parentLen[i] = 0;
    nameOff[i] = -1;
    nameLen[i] = 0;
    traceStateOff[i] = -1;
    traceStateLen[i] = 0;
    kind[i] = 0;
    statusCode[i] = 0;
    flags[i] = 0;
    start[i] = 0;
    this.end[i] = 0;
    while (pos < end) {
      int tag = readTag();
      switch (tag) {
        case (SPAN_TRACE_ID << 3) | ProtoWire.LEN: {
          int l = readLength(end);
          traceIdOff[i] = pos;
          traceIdLen[i] = l;
          pos += l;
          break;
        }
        case (SPAN_SPAN_ID << 3) | ProtoWire.LEN: {
          int l = readLength(end);
          spanIdOff[i] = pos;
          spanIdLen[i] = l;
          pos += l;
          break;
        }
        case (SPAN_PARENT_SPAN_ID << 3) | ProtoWire.LEN: {
          int l = readLength(end);
          parentOff[i] = pos;
          parentLen[i] = l;
          pos += l;
          break;
        }
        case (SPAN_NAME << 3) | ProtoWire.LEN: {
          int l = readLength(end);
          nameOff[i] = pos;
          nameLen[i] = l;
          pos += l;
          break;
        }
        case (SPAN_TRACE_STATE << 3) | ProtoWire.LEN: {
          int l = readLength(end);
          traceStateOff[i] = pos;
          traceStateLen[i] = l;
          pos += l;
          break;
        }
        case (SPAN_KIND << 3) | ProtoWire.VARINT:
          kind[i] = (int) readVarint(end);
          break;
        case (SPAN_START << 3) | ProtoWire.FIXED64:
          start[i] = readFixed64(end);
          break;
        case (SPAN_END << 3) | ProtoWire.FIXED64:
          this.end[i] = readFixed64(end);
          break;
        case (SPAN_FLAGS << 3) | ProtoWire.FIXED32:
          flags[i] = readFixed32(end);
          break;
        case (SPAN_STATUS << 3) | ProtoWire.LEN: {
          int l = readLength(end);
          int statusEnd = pos + l;
          // Status is tiny (message, code); a repeated status field merges, so the last code wins.
          while (pos < statusEnd) {
            int t = readTag();
            if (t == ProtoWire.tag(STATUS_CODE, ProtoWire.VARINT)) {
              statusCode[i] = (int) readVarint(statusEnd);
            } else {
              skipField(t, statusEnd);
            }
          }
          break;
        }
        default:
          skipField(tag, end);
      }
    }
    if (!validTraceId(traceIdOff[i], traceIdLen[i])) {
      invalidTraceIds++;
    }
  }

  private boolean validTraceId(int off, int len) {
    if (off < 0 || len != 16) {
      return false;
    }
    for (int k = 0; k < 16; k++) {
      if (buf[off + k] != 0) {
        return true;
      }
    }
    return false;
  }

  // ---- primitive reads with bounds checks; messages name the absolute offset in the request.

  private int readTag() throws WireFormatException {
    long t = readVarint(limit);
    if (t == 0 || t > 0xFFFF_FFFFL || (t >>> 3) == 0) {
      throw error("invalid field tag " + t);
    }
    return (int) t;
  }

  private long readVarint(int end) throws WireFormatException {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) {
        throw error("truncated varint");
      }
      byte b = buf[pos++];
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw error("varint longer than 10 bytes");
  }

  private int readLength(int end) throws WireFormatException {
    int at = pos;
    long l = readVarint(end);
    if (l < 0 || l > end - pos) {
      pos = at;
      throw error("length " + l + " runs past the end of its message (" + (end - pos) + " bytes left)");
    }
    return (int) l;
  }

  private long readFixed64(int end) throws WireFormatException {
    if (end - pos < 8) {
      throw error("truncated fixed64");
    }
    long v = ProtoWire.readFixed64(buf, pos);
    pos += 8;
    return v;
  }

  private int readFixed32(int end) throws WireFormatException {
    if (end - pos < 4) {
      throw error("truncated fixed32");
    }
    int v = ProtoWire.readFixed32(buf, pos);
    pos += 4;
    return v;
  }

  private void skipField(int tag, int end) throws WireFormatException {
    switch (tag & 7) {
      case ProtoWire.VARINT:
        readVarint(end);
        break;
      case ProtoWire.FIXED64:
        if (end - pos < 8) {
          throw error("truncated fixed64");
        }
        pos += 8;
        break;
      case ProtoWire.LEN: {
        // Not `pos += readLength(end)`: Java would read pos before readLength moves it.
        int l = readLength(end);
        pos += l;
        break;
      }
      case ProtoWire.FIXED32:
        if (end - pos < 4) {
          throw error("truncated fixed32");
        }
        pos += 4;
        break;
      default:
        throw error("unsupported wire type " + (tag & 7) + " for field " + (tag >>> 3));
    }
  }

  private WireFormatException error(String what) {
    return new WireFormatException("malformed OTLP trace request at byte " + (pos - base) + ": " + what);
  }

  // ---- growth

  private void ensureSpans(int n) {
    if (n <= spanOff.length) {
      return;
    }
    int c = Math.max(n, spanOff.length * 2);
    spanOff = Arrays.copyOf(spanOff, c);
    spanLen = Arrays.copyOf(spanLen, c);
    traceIdOff = Arrays.copyOf(traceIdOff, c);
    traceIdLen = Arrays.copyOf(traceIdLen, c);
    spanIdOff = Arrays.copyOf(spanIdOff, c);
    spanIdLen = Arrays.copyOf(spanIdLen, c);
    parentOff = Arrays.copyOf(parentOff, c);
    parentLen = Arrays.copyOf(parentLen, c);
    nameOff = Arrays.copyOf(nameOff, c);
    nameLen = Arrays.copyOf(nameLen, c);
    traceStateOff = Arrays.copyOf(traceStateOff, c);
    traceStateLen = Arrays.copyOf(traceStateLen, c);
    kind = Arrays.copyOf(kind, c);
    statusCode = Arrays.copyOf(statusCode, c);
    flags = Arrays.copyOf(flags, c);
    start = Arrays.copyOf(start, c);
    end = Arrays.copyOf(end, c);
    spanScope = Arrays.copyOf(spanScope, c);
  }

  private void ensureScopes(int n) {
    if (n <= scopeFieldOff.length) {
      return;
    }
    int c = Math.max(n, scopeFieldOff.length * 2);
    scopeFieldOff = Arrays.copyOf(scopeFieldOff, c);
    scopeFieldLen = Arrays.copyOf(scopeFieldLen, c);
    scopeMsgOff = Arrays.copyOf(scopeMsgOff, c);
    scopeMsgLen = Arrays.copyOf(scopeMsgLen, c);
    scopeSchemaOff = Arrays.copyOf(scopeSchemaOff, c);
    scopeSchemaLen = Arrays.copyOf(scopeSchemaLen, c);
    scopeResource = Arrays.copyOf(scopeResource, c);
  }

  private void ensureResources(int n) {
    if (n <= resFieldOff.length) {
      return;
    }
    int c = Math.max(n, resFieldOff.length * 2);
    resFieldOff = Arrays.copyOf(resFieldOff, c);
    resFieldLen = Arrays.copyOf(resFieldLen, c);
    resMsgOff = Arrays.copyOf(resMsgOff, c);
    resMsgLen = Arrays.copyOf(resMsgLen, c);
    resSchemaOff = Arrays.copyOf(resSchemaOff, c);
    resSchemaLen = Arrays.copyOf(resSchemaLen, c);
  }

  // ---- what the index tells

  /** The indexed bytes (the array passed to {@link #index}). */
  public byte[] buffer() {
    return buf;
  }

  public int spanCount() {
    return spanCount;
  }

  public int scopeCount() {
    return scopeCount;
  }

  public int resourceCount() {
    return resourceCount;
  }

  /** Spans whose trace id is missing, not 16 bytes, or all zeros. */
  public int invalidTraceIdCount() {
    return invalidTraceIds;
  }

  /** True when span {@code i}'s trace id is exactly 16 bytes and not all zeros. */
  public boolean traceIdValid(int i) {
    return validTraceId(traceIdOff[i], traceIdLen[i]);
  }

  /** Offset of span {@code i}'s trace id bytes in {@link #buffer()}, or -1 when absent. */
  public int traceIdOffset(int i) {
    return traceIdOff[i];
  }

  public int traceIdLength(int i) {
    return traceIdLen[i];
  }

  /** The first 8 trace id bytes, big-endian. Only for spans with a valid trace id. */
  public long traceIdHigh(int i) {
    return ProtoWire.readBigEndian64(buf, traceIdOff[i]);
  }

  /** The last 8 trace id bytes, big-endian. Only for spans with a valid trace id. */
  public long traceIdLow(int i) {
    return ProtoWire.readBigEndian64(buf, traceIdOff[i] + 8);
  }

  public int spanIdOffset(int i) {
    return spanIdOff[i];
  }

  public int spanIdLength(int i) {
    return spanIdLen[i];
  }

  /** Offset of the parent span id, or -1 when the span has none (a root span). */
  public int parentSpanIdOffset(int i) {
    return parentOff[i];
  }

  public int parentSpanIdLength(int i) {
    return parentLen[i];
  }

  /** True when the span has no parent span id (absent or empty): a root span. */
  public boolean isRoot(int i) {
    return parentLen[i] == 0;
  }

  public int nameOffset(int i) {
    return nameOff[i];
  }

  public int nameLength(int i) {
    return nameLen[i];
  }

  /** The span name as a String (allocates; not for the per-span hot path). */
  public String name(int i) {
    return nameOff[i] < 0 ? "" : new String(buf, nameOff[i], nameLen[i], StandardCharsets.UTF_8);
  }

  public int traceStateOffset(int i) {
    return traceStateOff[i];
  }

  public int traceStateLength(int i) {
    return traceStateLen[i];
  }

  /** SpanKind number: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  public int kind(int i) {
    return kind[i];
  }

  /** Status code number: 0 unset, 1 ok, 2 error. */
  public int statusCode(int i) {
    return statusCode[i];
  }

  public int flags(int i) {
    return flags[i];
  }

  public long startTimeUnixNano(int i) {
    return start[i];
  }

  public long endTimeUnixNano(int i) {
    return end[i];
  }

  /** Where span {@code i}'s Span message payload starts in {@link #buffer()}. */
  public int spanOffset(int i) {
    return spanOff[i];
  }

  /** Length of span {@code i}'s Span message payload. */
  public int spanLength(int i) {
    return spanLen[i];
  }

  /** The ScopeSpans group index of span {@code i}; spans of one group are contiguous. */
  public int scopeOf(int i) {
    return spanScope[i];
  }

  /** The ResourceSpans group index of scope group {@code s}. */
  public int resourceOfScope(int s) {
    return scopeResource[s];
  }

  public int resourceOf(int span) {
    return scopeResource[spanScope[span]];
  }

  // Ranges of whole fields (tag to end), used by the writer to copy them verbatim. Offset -1: absent.
  int scopeFieldOffset(int s) {
    return scopeFieldOff[s];
  }

  int scopeFieldLength(int s) {
    return scopeFieldLen[s];
  }

  int scopeSchemaFieldOffset(int s) {
    return scopeSchemaOff[s];
  }

  int scopeSchemaFieldLength(int s) {
    return scopeSchemaLen[s];
  }

  int resourceFieldOffset(int r) {
    return resFieldOff[r];
  }

  int resourceFieldLength(int r) {
    return resFieldLen[r];
  }

  int resourceSchemaFieldOffset(int r) {
    return resSchemaOff[r];
  }

  int resourceSchemaFieldLength(int r) {
    return resSchemaLen[r];
  }

  /** Offset of resource {@code r}'s Resource message payload, or -1 when the ResourceSpans has none. */
  public int resourceMessageOffset(int r) {
    return resMsgOff[r];
  }

  public int resourceMessageLength(int r) {
    return resMsgLen[r];
  }

  /** Offset of scope group {@code s}'s InstrumentationScope payload, or -1 when absent. */
  public int scopeMessageOffset(int s) {
    return scopeMsgOff[s];
  }

  public int scopeMessageLength(int s) {
    return scopeMsgLen[s];
  }

  // ---- attribute lookup on demand

  /**
   * Finds the attribute {@code key} (UTF-8 bytes) among span {@code i}'s attributes and returns the
   * position of its AnyValue payload as {@code (offset << 32) | length}, or -1 when absent. Read the
   * value with {@link AnyValues}. Scans the span's fields; allocates nothing.
   */
  public long spanAttribute(int i, byte[] key) {
    return findAttribute(spanOff[i], spanOff[i] + spanLen[i], SPAN_ATTRIBUTES, key);
  }

  /** Like {@link #spanAttribute} for the attributes of resource group {@code r}. */
  public long resourceAttribute(int r, byte[] key) {
    if (resMsgOff[r] < 0) {
      return -1;
    }
    return findAttribute(resMsgOff[r], resMsgOff[r] + resMsgLen[r], RESOURCE_ATTRIBUTES, key);
  }

  /** Like {@link #spanAttribute} for the attributes of scope group {@code s}. */
  public long scopeAttribute(int s, byte[] key) {
    if (scopeMsgOff[s] < 0) {
      return -1;
    }
    return findAttribute(scopeMsgOff[s], scopeMsgOff[s] + scopeMsgLen[s], SCOPE_ATTRIBUTES, key);
  }

  /**
   * Walks the repeated KeyValue field {@code field} of the message in {@code [from, to)} and returns
   * the last matching value (protobuf semantics for a repeated key are "last wins" in most SDKs'
   * maps too). The message was framed by {@link #index}, but its inner bytes were not: malformed
   * inner framing makes the attribute count as absent rather than failing the request.
   */
  private long findAttribute(int from, int to, int field, byte[] key) {
    int p = from;
    long found = -1;
    int kvTag = ProtoWire.tag(field, ProtoWire.LEN);
    while (p < to) {
      long t = varintAt(p, to);
      if (t < 0) {
        return found;
      }
      p += (int) (t >>> 40);
      int tag = (int) (t & 0xFF_FFFF_FFFFL);
      if (tag == kvTag) {
        long l = varintAt(p, to);
        if (l < 0) {
          return found;
        }
        p += (int) (l >>> 40);
        int len = (int) (l & 0xFF_FFFF_FFFFL);
        if (len > to - p) {
          return found;
        }
        long v = matchKeyValue(p, p + len, key);
        if (v != -1) {
          found = v;
        }
        p += len;
      } else {
        p = skipAt(tag, p, to);
        if (p < 0) {
          return found;
        }
      }
    }
    return found;
  }

  /** For a KeyValue in [from, to): the AnyValue position if its key equals {@code key}, else -1. */
  private long matchKeyValue(int from, int to, byte[] key) {
    int p = from;
    boolean keyMatches = false;
    long value = -2;
    while (p < to) {
      long t = varintAt(p, to);
      if (t < 0) {
        return -1;
      }
      p += (int) (t >>> 40);
      int tag = (int) (t & 0xFF_FFFF_FFFFL);
      if (tag == ProtoWire.tag(1, ProtoWire.LEN) || tag == ProtoWire.tag(2, ProtoWire.LEN)) {
        long l = varintAt(p, to);
        if (l < 0) {
          return -1;
        }
        p += (int) (l >>> 40);
        int len = (int) (l & 0xFF_FFFF_FFFFL);
        if (len > to - p) {
          return -1;
        }
        if (tag == ProtoWire.tag(1, ProtoWire.LEN)) {
          keyMatches = len == key.length && Arrays.equals(buf, p, p + len, key, 0, len);
          if (!keyMatches) {
            return -1;
          }
        } else {
          value = ((long) p << 32) | len;
        }
        p += len;
      } else {
        p = skipAt(tag, p, to);
        if (p < 0) {
          return -1;
        }
      }
    }
    if (!keyMatches) {
      return -1;
    }
    // A key with no value field is an empty AnyValue: present, but holding nothing.
    return value == -2 ? ((long) to << 32) : value;
  }

  /** A varint at p: (bytes used << 40) | value, value limited to 40 bits; -1 when malformed. */
  private long varintAt(int p, int to) {
    long result = 0;
    int start = p;
    for (int shift = 0; shift < 40; shift += 7) {
      if (p >= to) {
        return -1;
      }
      byte b = buf[p++];
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return ((long) (p - start) << 40) | result;
      }
    }
    return -1;
  }

  private int skipAt(int tag, int p, int to) {
    switch (tag & 7) {
      case ProtoWire.VARINT:
        while (p < to && buf[p] < 0) {
          p++;
        }
        return p < to ? p + 1 : -1;
      case ProtoWire.FIXED64:
        return to - p >= 8 ? p + 8 : -1;
      case ProtoWire.LEN: {
        long l = varintAt(p, to);
        if (l < 0) {
          return -1;
        }
        p += (int) (l >>> 40);
        int len = (int) (l & 0xFF_FFFF_FFFFL);
        return len <= to - p ? p + len : -1;
      }
      case ProtoWire.FIXED32:
        return to - p >= 4 ? p + 4 : -1;
      default:
        return -1;
    }
  }
}

package io.tailshard.loadtest.generate;

import io.tailshard.common.otlp.wire.ProtoWire;

/**
 * OTLP protobuf encoding from pre-encoded pieces: sizes first, then one exact-size array written
 * front to back. Span fields are written in field-number order, as protobuf encoders do.
 */
final class ProtobufRequestEncoder implements RequestEncoder {
  private static final int REQUEST_RESOURCE_SPANS = 1;
  private static final int RS_SCOPE_SPANS = 2;
  private static final int SS_SPANS = 2;
  private static final byte TRACE_ID_TAG = 0x0A;
  private static final byte SPAN_ID_TAG = 0x12;
  private static final byte PARENT_ID_TAG = 0x22;
  private static final byte START_TAG = 0x39;
  private static final byte END_TAG = 0x41;
  /** Status {code: STATUS_CODE_ERROR}: field 15 (LEN), length 2, field 3 (VARINT) = 2. */
  private static final byte[] ERROR_STATUS = {0x7A, 0x02, 0x18, 0x02};

  private final SpanTemplates t;
  private int[] order = new int[0];
  private int[] spanLen = new int[0];

  ProtobufRequestEncoder(SpanTemplates templates) {
    this.t = templates;
  }

  @Override
  public String contentType() {
    return "application/x-protobuf";
  }

  private int spanSize(TracePlan p, int i) {
    int s = p.service[i];
    int op = p.operation[i];
    return 18 + 10 + (p.parent[i] >= 0 ? 10 : 0) + t.nameKind[s][op][p.kind[i]].length + 9 + 9
        + t.attributes[s][op][p.variant[i]].length + (p.error(i) ? ERROR_STATUS.length : 0);
  }

  @Override
  public byte[] encode(TracePlan[] plans, int[] spans, int count) {
    if (order.length < count) {
      order = new int[count];
      spanLen = new int[count];
    }
    int[] start = RequestEncoder.groupByService(plans, spans, count, t.services, order);
    int[] scopePayload = new int[t.services];
    int[] rsPayload = new int[t.services];
    int total = 0;
    for (int s = 0; s < t.services; s++) {
      if (start[s] == start[s + 1]) {
        continue;
      }
      int sp = t.scopeField.length;
      for (int j = start[s]; j < start[s + 1]; j++) {
        int k = order[j];
        int len = spanSize(plans[k], spans[k]);
        spanLen[k] = len;
        sp += ProtoWire.lenFieldSize(SS_SPANS, len);
      }
      scopePayload[s] = sp;
      rsPayload[s] = t.resourceField[s].length + ProtoWire.lenFieldSize(RS_SCOPE_SPANS, sp);
      total += ProtoWire.lenFieldSize(REQUEST_RESOURCE_SPANS, rsPayload[s]);
    }
    byte[] out = new byte[total];
    int p = 0;
    for (int s = 0; s < t.services; s++) {
      if (start[s] == start[s + 1]) {
        continue;
      }
      p = ProtoWire.writeLenHeader(out, p, REQUEST_RESOURCE_SPANS, rsPayload[s]);
      p = copy(t.resourceField[s], out, p);
      p = ProtoWire.writeLenHeader(out, p, RS_SCOPE_SPANS, scopePayload[s]);
      p = copy(t.scopeField, out, p);
      for (int j = start[s]; j < start[s + 1]; j++) {
        int k = order[j];
        p = ProtoWire.writeLenHeader(out, p, SS_SPANS, spanLen[k]);
        p = writeSpan(plans[k], spans[k], out, p);
      }
    }
    if (p != total) {
      throw new IllegalStateException("encoded " + p + " bytes, sized " + total);
    }
    return out;
  }

  private int writeSpan(TracePlan plan, int i, byte[] out, int p) {
    int s = plan.service[i];
    int op = plan.operation[i];
    out[p++] = TRACE_ID_TAG;
    out[p++] = 16;
    plan.id.write(out, p);
    p += 16;
    out[p++] = SPAN_ID_TAG;
    out[p++] = 8;
    p = writeBigEndian(out, p, plan.spanId[i]);
    if (plan.parent[i] >= 0) {
      out[p++] = PARENT_ID_TAG;
      out[p++] = 8;
      p = writeBigEndian(out, p, plan.spanId[plan.parent[i]]);
    }
    p = copy(t.nameKind[s][op][plan.kind[i]], out, p);
    out[p++] = START_TAG;
    p = ProtoWire.writeFixed64(out, p, plan.startNanos(i));
    out[p++] = END_TAG;
    p = ProtoWire.writeFixed64(out, p, plan.endNanos(i));
    p = copy(t.attributes[s][op][plan.variant[i]], out, p);
    if (plan.error(i)) {
      p = copy(ERROR_STATUS, out, p);
    }
    return p;
  }

  /** Span ids go on the wire big-endian, so the sink reads them back with the same helper. */
  static int writeBigEndian(byte[] out, int p, long v) {
    for (int b = 56; b >= 0; b -= 8) {
      out[p++] = (byte) (v >>> b);
    }
    return p;
  }

  private static int copy(byte[] src, byte[] out, int p) {
    System.arraycopy(src, 0, out, p, src.length);
    return p + src.length;
  }
}

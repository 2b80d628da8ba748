package io.tailshard.loadtest.generate;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * OTLP/JSON encoding (the protobuf JSON mapping with OTLP's exceptions: trace and span ids as hex,
 * enums as numbers, 64-bit times as decimal strings) from pre-encoded pieces, into a reused buffer.
 */
final class JsonRequestEncoder implements RequestEncoder {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OPEN = ascii("{\"resourceSpans\":[");
  private static final byte[] SCOPE_SPANS = ascii(",\"scopeSpans\":[{");
  private static final byte[] SPANS = ascii(",\"spans\":[");
  private static final byte[] CLOSE_RS = ascii("]}]}");
  private static final byte[] TRACE_ID = ascii("{\"traceId\":\"");
  private static final byte[] SPAN_ID = ascii("\",\"spanId\":\"");
  private static final byte[] PARENT_ID = ascii("\",\"parentSpanId\":\"");
  private static final byte[] START = ascii(",\"startTimeUnixNano\":\"");
  private static final byte[] END = ascii("\",\"endTimeUnixNano\":\"");
  private static final byte[] ERROR = ascii(",\"status\":{\"code\":2}");

  private final SpanTemplates t;
  private int[] order = new int[0];
  private byte[] buf = new byte[64 << 10];
  private int pos;
  private final byte[] digits = new byte[20];

  JsonRequestEncoder(SpanTemplates templates) {
    this.t = templates;
  }

  @Override
  public String contentType() {
    return "application/json";
  }

  @Override
  public byte[] encode(TracePlan[] plans, int[] spans, int count) {
    if (order.length < count) {
      order = new int[count];
    }
    int[] start = RequestEncoder.groupByService(plans, spans, count, t.services, order);
    pos = 0;
    put(OPEN);
    boolean firstGroup = true;
    for (int s = 0; s < t.services; s++) {
      if (start[s] == start[s + 1]) {
        continue;
      }
      if (!firstGroup) {
        put((byte) ',');
      }
      firstGroup = false;
      put((byte) '{');
      put(t.resourceJson[s]);
      put(SCOPE_SPANS);
      put(t.scopeJson);
      put(SPANS);
      for (int j = start[s]; j < start[s + 1]; j++) {
        if (j > start[s]) {
          put((byte) ',');
        }
        int k = order[j];
        writeSpan(plans[k], spans[k]);
      }
      put(CLOSE_RS);
    }
    put((byte) ']');
    put((byte) '}');
    return Arrays.copyOf(buf, pos);
  }

  private void writeSpan(TracePlan plan, int i) {
    int s = plan.service[i];
    int op = plan.operation[i];
    put(TRACE_ID);
    hex(plan.id.high());
    hex(plan.id.low());
    put(SPAN_ID);
    hex(plan.spanId[i]);
    if (plan.parent[i] >= 0) {
      put(PARENT_ID);
      hex(plan.spanId[plan.parent[i]]);
    }
    put((byte) '"');
    put((byte) ',');
    put(t.nameKindJson[s][op][plan.kind[i]]);
    put(START);
    decimal(plan.startNanos(i));
    put(END);
    decimal(plan.endNanos(i));
    put((byte) '"');
    put((byte) ',');
    put(t.attributesJson[s][op][plan.variant[i]]);
    if (plan.error(i)) {
      put(ERROR);
    }
    put((byte) '}');
  }

  private void hex(long v) {
    ensure(16);
    for (int shift = 60; shift >= 0; shift -= 4) {
      buf[pos++] = HEX[(int) (v >>> shift) & 0xF];
    }
  }

  /** Unix nanoseconds are non-negative; written without a String. */
  private void decimal(long v) {
    int n = 0;
    do {
      digits[n++] = (byte) ('0' + v % 10);
      v /= 10;
    } while (v > 0);
    ensure(n);
    while (n > 0) {
      buf[pos++] = digits[--n];
    }
  }

  private void put(byte b) {
    ensure(1);
    buf[pos++] = b;
  }

  private void put(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, pos, b.length);
    pos += b.length;
  }

  private void ensure(int n) {
    if (pos + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}

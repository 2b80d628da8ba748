package io.tailshard.lb.exporter.loadbalancing;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.testing.RecordingOtlpSink;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Test traffic like real services send it: every trace has several spans, and the spans of one
 * trace are spread over several requests, each request mixing spans of many traces.
 */
final class TraceFeed {
  final List<String> traceIds = new ArrayList<>();
  final List<TraceData> requests = new ArrayList<>();
  int spans;

  /** {@code traces} traces of {@code spansPerTrace} spans, shuffled into requests of {@code perRequest} spans. */
  static TraceFeed of(long seed, int traces, int spansPerTrace, int perRequest) {
    Random random = new Random(seed);
    List<Span> all = new ArrayList<>();
    TraceFeed feed = new TraceFeed();
    for (int t = 0; t < traces; t++) {
      byte[] traceId = new byte[16];
      random.nextBytes(traceId);
      feed.traceIds.add(RecordingOtlpSink.hex(traceId, 0, 16));
      for (int s = 0; s < spansPerTrace; s++) {
        byte[] spanId = new byte[8];
        random.nextBytes(spanId);
        all.add(Span.newBuilder().setTraceId(ByteString.copyFrom(traceId)).setSpanId(ByteString.copyFrom(spanId))
            .setName("op-" + s).setStartTimeUnixNano(1_000_000L * s).setEndTimeUnixNano(1_000_000L * s + 500).build());
      }
    }
    Collections.shuffle(all, random);
    for (int i = 0; i < all.size(); i += perRequest) {
      List<Span> chunk = all.subList(i, Math.min(all.size(), i + perRequest));
      byte[] bytes = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
          .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
              .setValue(AnyValue.newBuilder().setStringValue("checkout"))))
          .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(chunk))).build().toByteArray();
      feed.requests.add(new TraceData(bytes, chunk.size()));
    }
    feed.spans = all.size();
    return feed;
  }
}

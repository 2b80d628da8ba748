/**
 * The OTLP trace wire codec: reads {@code ExportTraceServiceRequest} bytes without building a
 * protobuf object per span, and writes new requests from byte ranges of old ones. This is the
 * ingest hot path (DESIGN §6); the generated {@code opentelemetry-proto} classes serve the cold
 * path and the tests that prove this codec agrees with them.
 */
package io.tailshard.common.otlp.wire;

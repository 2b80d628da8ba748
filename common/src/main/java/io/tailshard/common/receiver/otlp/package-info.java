/**
 * The {@code otlp} receiver: OTLP/gRPC and OTLP/HTTP trace ingest that behaves like the
 * Collector's receiver of the same name. Public: {@link io.tailshard.common.receiver.otlp.OtlpReceiverFactory},
 * {@link io.tailshard.common.receiver.otlp.OtlpReceiverConfig} and
 * {@link io.tailshard.common.receiver.otlp.OtlpReceiver}; everything else is package-private.
 *
 * <p>Request bodies are validated with the wire index of {@code io.tailshard.common.otlp.wire} and
 * passed on as bytes; no protobuf object is built per span. OTLP/JSON is transcoded to the same
 * protobuf bytes by a streaming parser. The bad-input behaviour is tabled in {@code docs/receiver.md}.
 */
package io.tailshard.common.receiver.otlp;

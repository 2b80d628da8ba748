package io.tailshard.common.receiver.otlp;

/** Test access to the receiver's OTLP/JSON transcoder, to read back what exporters write as JSON. */
public final class OtlpJsonTestCodec {
  private OtlpJsonTestCodec() {}

  /** OTLP/JSON of an {@code ExportTraceServiceRequest} to its protobuf bytes; throws on bad JSON. */
  public static byte[] toProto(byte[] json, int off, int len) throws Exception {
    return JsonTraceTranscoder.transcode(json, off, len).toByteArray();
  }
}

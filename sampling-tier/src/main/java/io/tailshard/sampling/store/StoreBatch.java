package io.tailshard.sampling.store;

import io.tailshard.common.otlp.wire.ProtoWire;

/**
 * The part of RocksDB's {@code WriteBatch} wire format the append path writes itself, so that a
 * request's puts (or a whole group of requests') reach RocksDB as one array in one JNI call
 * ({@code new WriteBatch(byte[])}) instead of one call per put. The format is RocksDB's own
 * ({@code db/write_batch.cc}, stable since the format's first version, since it is also the WAL's
 * record format):
 *
 * <pre>
 * header  sequence fixed64 little-endian (RocksDB assigns it at write; 0 here) | count fixed32 LE
 * put     0x05 kTypeColumnFamilyValue | varint32 cf id | varint32 key length | key | varint32 value length | value
 *         0x01 kTypeValue, without the cf id, for the default family (id 0)
 * </pre>
 *
 * <p>{@code StoreBatchTest} checks byte for byte that this equals what {@code WriteBatch.put}
 * builds, so a change of format in a RocksDB upgrade fails a test instead of the store.
 */
final class StoreBatch {
  /** Sequence (8) and count (4). */
  static final int HEADER_LENGTH = 12;
  static final byte TYPE_VALUE = 0x01;
  static final byte TYPE_COLUMN_FAMILY_VALUE = 0x05;

  private StoreBatch() {}

  /** Bytes of one put record of a 32-byte span key and a value of {@code valueLength} bytes. */
  static int putRecordLength(int cfId, int valueLength) {
    return 1 + (cfId == 0 ? 0 : ProtoWire.varintSize(cfId)) + ProtoWire.varintSize(StoreKeys.SPAN_KEY_LENGTH)
        + StoreKeys.SPAN_KEY_LENGTH + ProtoWire.varintSize(valueLength) + valueLength;
  }

  /** Writes a put record's type, family and key length; returns where the key goes. */
  static int writePutPrefix(byte[] out, int pos, int cfId) {
    if (cfId == 0) {
      out[pos++] = TYPE_VALUE;
    } else {
      out[pos++] = TYPE_COLUMN_FAMILY_VALUE;
      pos = ProtoWire.writeVarint(out, pos, cfId);
    }
    return ProtoWire.writeVarint(out, pos, StoreKeys.SPAN_KEY_LENGTH);
  }

  /** Fills in the window and seq of a span key written with placeholders (trace id already there). */
  static void patchKey(byte[] out, int keyOffset, long window, long seq) {
    StoreKeys.putLong(out, keyOffset, window);
    StoreKeys.putLong(out, keyOffset + StoreKeys.SEQ_OFFSET, seq);
  }

  /** Writes the header of a batch of {@code count} records into the first 12 bytes. */
  static void writeHeader(byte[] batch, int count) {
    for (int i = 0; i < 8; i++) {
      batch[i] = 0;
    }
    batch[8] = (byte) count;
    batch[9] = (byte) (count >>> 8);
    batch[10] = (byte) (count >>> 16);
    batch[11] = (byte) (count >>> 24);
  }
}

package io.tailshard.sampling.extension.rocksdb;

/**
 * A RocksDB operation of a record store failed. The message names the operation and the store's
 * directory; the cause carries RocksDB's status. The records involved were not written (or read).
 */
final class RecordStoreException extends RuntimeException {
  RecordStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}

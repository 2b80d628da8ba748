package io.tailshard.sampling.store;

/**
 * A RocksDB operation of the trace store failed. The message names the operation and the store's
 * directory; the cause carries RocksDB's status. Not a refusal: the data was not written, and the
 * store may be unusable until restarted (RocksDB stops writes after a background error).
 */
public final class StoreException extends RuntimeException {
  StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}

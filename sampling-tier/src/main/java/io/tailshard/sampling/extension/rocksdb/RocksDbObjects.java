package io.tailshard.sampling.extension.rocksdb;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Closing RocksJava's native handles at the end of a store's close sequence: options, column family
 * handles, filters and caches. By then the data is safe (the WAL synced, the database closed), so a
 * handle that fails to close is logged, not thrown: it must not stop the handles after it from
 * being released.
 */
public final class RocksDbObjects {
  private static final Logger LOG = Logger.getLogger(RocksDbObjects.class.getName());

  private RocksDbObjects() {}

  /** Closes {@code handle} if it is not null; a failure is logged at FINE. */
  public static void closeQuietly(AutoCloseable handle) {
    if (handle == null) {
      return;
    }
    try {
      handle.close();
    } catch (Exception e) {
      LOG.log(Level.FINE, "closing a RocksDB object failed", e);
    }
  }
}

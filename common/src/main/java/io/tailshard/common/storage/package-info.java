/**
 * The storage contract between components that persist data (persistent sending queues) and the
 * extension that stores it. The contract lives in common so that common's exporters can use it;
 * the implementation lives with the tier that has a volume (sampling-tier's {@code rocksdb}
 * extension), so common does not depend on RocksDB.
 */
package io.tailshard.common.storage;

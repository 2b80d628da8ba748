package io.tailshard.common.storage;

import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import java.util.concurrent.CompletionStage;

/**
 * An extension that keeps other components' data on the node's disk, named by id in their config
 * (the Collector's storage extensions; {@code sending_queue.storage}). Implemented in the tier that
 * has a volume: sampling-tier's {@code rocksdb} extension. The lb-tier keeps no state and offers
 * none, so a config that asks it for storage fails at start-up.
 *
 * <p>Thread-safe.
 */
public interface StorageExtension {
  /**
   * Opens, creating it if needed, the durable record store of one component's {@code name}d use
   * (e.g. an exporter's {@code sending_queue}), with everything it held when last closed or killed.
   * Opening reads from disk: the stage completes on a thread of the storage, never the caller's.
   * Each (kind, owner, name) has its own store; opening one twice at once fails.
   */
  CompletionStage<RecordStore> openRecordStore(ComponentKind kind, ComponentId owner, String name);
}

package io.tailshard.sampling.extension.rocksdb;

import io.tailshard.common.component.Component;
import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.storage.RecordStore;
import io.tailshard.common.storage.StorageExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;

/**
 * The node's storage root. It owns no RocksDB instance itself: each client (the trace buffer, a
 * persistent queue) opens its own under {@link #directoryFor}, so one client's compaction or
 * corruption never blocks another's recovery, and each is tuned for its own workload. Start checks
 * the directory is usable.
 *
 * <p>As a {@link StorageExtension} it gives common's exporters their persistent sending queues: a
 * {@link RecordStore} in {@code <directory>/<owner id>/<name>} (e.g. {@code data/otlp/sending_queue}),
 * each on its own RocksDB instance and writer thread. Thread-safe.
 */
public final class RocksDbStorage implements Component, StorageExtension {
  private final Vertx vertx;
  private final RocksDbStorageConfig config;

  RocksDbStorage(Vertx vertx, RocksDbStorageConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  /** The directory for one client component, e.g. {@code data/tail_sampling}. */
  public Path directoryFor(ComponentId client) {
    return directoryFor(config.directory(), client);
  }

  /** Where a client's data lives under a storage root: one folder per component id. */
  public static Path directoryFor(Path root, ComponentId client) {
    return root.resolve(client.toString().replace('/', '_'));
  }

  /**
   * Opens the record store of one component's {@code name}d use on a new writer thread. The
   * owner's kind is not part of the path: component ids of different kinds do not collide in
   * practice (no exporter type is a processor type), and the trace buffer already lives at
   * {@code <directory>/<processor id>}.
   */
  @Override
  public CompletionStage<RecordStore> openRecordStore(ComponentKind kind, ComponentId owner, String name) {
    Path dir = directoryFor(owner).resolve(name);
    return RocksDbRecordStore.open(dir, kind.word() + "-" + owner.toString().replace('/', '_') + "-" + name);
  }

  public Path directory() {
    return config.directory();
  }

  @Override
  public Future<Void> start() {
    return vertx.executeBlocking(() -> {
      try {
        Files.createDirectories(config.directory());
      } catch (IOException e) {
        throw new IOException("rocksdb storage: cannot create " + config.directory().toAbsolutePath() + ": " + e, e);
      }
      if (!Files.isWritable(config.directory())) {
        throw new IOException("rocksdb storage: " + config.directory().toAbsolutePath() + " is not writable");
      }
      return null;
    });
  }

  @Override
  public Future<Void> shutdown() {
    return Future.succeededFuture();
  }
}

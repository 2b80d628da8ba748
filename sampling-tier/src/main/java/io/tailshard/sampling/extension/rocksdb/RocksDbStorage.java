package io.tailshard.sampling.extension.rocksdb;

import io.tailshard.common.component.Component;
import io.tailshard.common.component.ComponentId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The node's storage root. It owns no RocksDB instance itself: each client (the trace buffer, a
 * persistent queue) opens its own under {@link #directoryFor}, so one client's compaction or
 * corruption never blocks another's recovery. Start checks the directory is usable.
 */
public final class RocksDbStorage implements Component {
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

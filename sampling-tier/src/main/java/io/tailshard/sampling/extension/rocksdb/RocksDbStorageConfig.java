package io.tailshard.sampling.extension.rocksdb;

import io.tailshard.common.config.ConfigMap;
import java.nio.file.Path;

/**
 * The {@code rocksdb} storage extension's config: {@code directory} (default {@code ./data}), the
 * node's volume. Like the Collector's {@code file_storage}, components that need storage name the
 * extension by id and get a sub-directory of their own under it.
 */
public record RocksDbStorageConfig(Path directory) {
  public static final Path DEFAULT_DIRECTORY = Path.of("data");

  static RocksDbStorageConfig parse(ConfigMap m) {
    String dir = m.string("directory", DEFAULT_DIRECTORY.toString());
    m.done();
    if (dir.isBlank()) {
      throw m.error("directory", "must not be empty");
    }
    return new RocksDbStorageConfig(Path.of(dir));
  }
}

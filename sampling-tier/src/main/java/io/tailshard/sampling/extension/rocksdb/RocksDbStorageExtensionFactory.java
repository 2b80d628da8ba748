package io.tailshard.sampling.extension.rocksdb;

import io.tailshard.common.component.Component;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ExtensionFactory;
import io.tailshard.common.config.ConfigMap;

/** The {@code rocksdb} storage extension: where the node keeps its trace buffer and persistent queues. */
public final class RocksDbStorageExtensionFactory implements ExtensionFactory<RocksDbStorageConfig> {
  @Override
  public String type() {
    return "rocksdb";
  }

  @Override
  public RocksDbStorageConfig parseConfig(ConfigMap block) {
    return RocksDbStorageConfig.parse(block);
  }

  @Override
  public Component createExtension(ComponentSettings settings, RocksDbStorageConfig config) {
    return new RocksDbStorage(settings.vertx(), config);
  }
}

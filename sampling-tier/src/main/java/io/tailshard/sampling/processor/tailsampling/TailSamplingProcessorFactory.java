package io.tailshard.sampling.processor.tailsampling;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ProcessorFactory;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.sampling.extension.rocksdb.RocksDbStorage;
import io.tailshard.sampling.extension.rocksdb.RocksDbStorageConfig;
import io.tailshard.sampling.store.WindowStoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code tail_sampling} processor. Options and policies are the Collector's
 * ({@link TailSamplingConfig}); the buffer is RocksDB under the {@code storage} extension's
 * directory (or {@code ./data}), in a folder named after the processor id.
 *
 * <p>How the Collector's memory options map onto a disk buffer: {@code num_traces} bounds the live
 * traces (their in-memory summaries) and new traces beyond it are refused with a retryable status,
 * not evicted; when the key is absent the bound is {@link WindowStoreConfig#DEFAULT_MAX_TRACES}
 * (summaries are ~100 bytes, so the Collector's 50,000 would refuse far too early).
 * {@code decision_cache} sizes of 0 (the Collector's default, "off") mean the store's defaults,
 * because the cache is what routes late spans here.
 */
public final class TailSamplingProcessorFactory implements ProcessorFactory<TailSamplingProcessorFactory.Settings> {
  /** The parsed config plus whether {@code num_traces} was written (its default differs here). */
  public record Settings(TailSamplingConfig config, boolean numTracesSet) {}

  /** Never more than this share of the volume's free space by default, so compaction has room. */
  private static final double DEFAULT_DISK_SHARE = 0.8;

  @Override
  public String type() {
    return "tail_sampling";
  }

  @Override
  public Settings parseConfig(ConfigMap block) {
    boolean numTracesSet = block.keys().contains("num_traces");
    return new Settings(TailSamplingConfig.parse(block), numTracesSet);
  }

  @Override
  public TracesProcessor createTracesProcessor(ComponentSettings settings, Settings s, TracesConsumer next) {
    TailSamplingConfig c = s.config();
    Path root = storageRoot(settings, c);
    Path dir = RocksDbStorage.directoryFor(root, settings.id());
    long maxSize = c.maxStoreSize() > 0 ? c.maxStoreSize() : defaultMaxSize(root);
    long maxTraces = s.numTracesSet() ? c.numTraces() : WindowStoreConfig.DEFAULT_MAX_TRACES;
    int sampledCache = (int) Math.min(WindowStoreConfig.MAX_CACHE_SIZE, c.decisionCache().sampledCacheSize());
    int notSampledCache = (int) Math.min(WindowStoreConfig.MAX_CACHE_SIZE, c.decisionCache().nonSampledCacheSize());
    WindowStoreConfig store = new WindowStoreConfig(dir, c.decisionWait(), WindowStoreConfig.DEFAULT_WINDOW_GRANULARITY,
        maxSize, maxTraces,
        sampledCache > 0 ? sampledCache : WindowStoreConfig.DEFAULT_SAMPLED_CACHE_SIZE,
        notSampledCache > 0 ? notSampledCache : WindowStoreConfig.DEFAULT_NON_SAMPLED_CACHE_SIZE,
        WindowStoreConfig.DEFAULT_QUEUE_CAPACITY, WindowStoreConfig.DEFAULT_WRITE_BUFFER_BYTES, false,
        c.decisionWaitAfterRootReceived());
    return new TailSamplingProcessor(settings, c, store, next, System::currentTimeMillis);
  }

  /**
   * Where the buffer lives: the extension {@code storage} names; else the one {@code rocksdb}
   * extension configured, if there is exactly one; else {@code ./data}.
   */
  private static Path storageRoot(ComponentSettings settings, TailSamplingConfig c) {
    String key = "processors." + settings.id() + ".storage";
    if (c.storage().isPresent()) {
      return settings.host().extension(c.storage().get(), RocksDbStorage.class)
          .orElseThrow(() -> new ConfigException(null, 0, key,
              "no rocksdb extension '" + c.storage().get() + "' is listed in service.extensions"))
          .directory();
    }
    List<RocksDbStorage> all = settings.host().extensions(RocksDbStorage.class);
    if (all.size() > 1) {
      throw new ConfigException(null, 0, key, "several rocksdb extensions are configured; name one with storage");
    }
    return all.isEmpty() ? RocksDbStorageConfig.DEFAULT_DIRECTORY : all.get(0).directory();
  }

  /** The smaller of the store's default bound and 80% of the free space on the volume. */
  static long defaultMaxSize(Path root) {
    try {
      Path existing = root.toAbsolutePath();
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      long usable = existing == null ? Long.MAX_VALUE : Files.getFileStore(existing).getUsableSpace();
      return Math.max(64L << 20, Math.min(WindowStoreConfig.DEFAULT_MAX_SIZE_BYTES, (long) (usable * DEFAULT_DISK_SHARE)));
    } catch (IOException e) {
      return WindowStoreConfig.DEFAULT_MAX_SIZE_BYTES;
    }
  }
}

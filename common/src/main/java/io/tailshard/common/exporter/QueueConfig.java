package io.tailshard.common.exporter;

import io.tailshard.common.component.ComponentId;
import io.tailshard.common.config.ConfigMap;

/**
 * {@code sending_queue}, as the Collector's exporters take it: a bounded in-memory queue in front of
 * {@code num_consumers} concurrent senders. {@code queue_size} counts in units of {@code sizer}:
 * {@code requests} (the Collector's default: one incoming batch), {@code items} (spans) or
 * {@code bytes}. When full, new data is refused with a retryable status, never dropped silently
 * ({@code blocking: true} is accepted and means the same here, since a refusal makes the sender wait).
 * {@code storage} names a storage extension for a persistent queue.
 * Defaults: enabled, 10 consumers, 1000 requests.
 */
public record QueueConfig(boolean enabled, int numConsumers, long queueSize, Sizer sizer, ComponentId storage) {

  /** What {@code queue_size} counts. */
  public enum Sizer {
    REQUESTS,
    ITEMS,
    BYTES
  }

  public static final QueueConfig DEFAULT = new QueueConfig(true, 10, 1000, Sizer.REQUESTS, null);

  public QueueConfig {
    if (numConsumers < 1) {
      throw new IllegalArgumentException("num_consumers must be at least 1");
    }
    if (queueSize < 1) {
      throw new IllegalArgumentException("queue_size must be at least 1");
    }
  }

  public static QueueConfig parse(ConfigMap m, QueueConfig defaults) {
    boolean enabled = m.bool("enabled", defaults.enabled);
    int consumers = m.integer("num_consumers", defaults.numConsumers, 1, 10_000);
    long size = m.longValue("queue_size", defaults.queueSize, 1, Long.MAX_VALUE);
    String sizer = m.oneOf("sizer", defaults.sizer.name().toLowerCase(java.util.Locale.ROOT), "requests", "items", "bytes");
    m.bool("blocking", false);
    String storage = m.string("storage", defaults.storage == null ? null : defaults.storage.toString());
    m.done();
    ComponentId storageId;
    try {
      storageId = storage == null ? null : ComponentId.parse(storage);
    } catch (IllegalArgumentException e) {
      throw m.error("storage", e.getMessage());
    }
    return new QueueConfig(enabled, consumers, size, Sizer.valueOf(sizer.toUpperCase(java.util.Locale.ROOT)), storageId);
  }

  /** The size of one request in this queue's unit. */
  public long sizeOf(int spans, int bytes) {
    switch (sizer) {
      case ITEMS:
        return spans;
      case BYTES:
        return bytes;
      default:
        return 1;
    }
  }
}

package io.tailshard.common.processor.batch;

import io.tailshard.common.config.ConfigMap;
import java.time.Duration;
import java.util.List;

/**
 * The {@code batch} processor's config, with the Collector's options and defaults.
 *
 * <ul>
 *   <li>{@code send_batch_size} (8192): a batch is sent as soon as it holds this many spans; 0
 *       means size does not trigger a send, only the timeout does.
 *   <li>{@code timeout} (200ms): a batch is sent this long after its first data arrived, whatever
 *       its size; 0 means data is sent at once (split only by {@code send_batch_max_size}).
 *   <li>{@code send_batch_max_size} (0 = no limit): no batch sent holds more spans than this; a
 *       larger one is split. Must be 0 or at least {@code send_batch_size}.
 *   <li>{@code metadata_keys} / {@code metadata_cardinality_limit}: accepted only empty / as is:
 *       tailshard does not batch by client metadata (see docs/processors.md).
 * </ul>
 */
public record BatchConfig(int sendBatchSize, Duration timeout, int sendBatchMaxSize) {
  public static final int DEFAULT_SEND_BATCH_SIZE = 8192;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(200);
  public static final int DEFAULT_SEND_BATCH_MAX_SIZE = 0;

  public BatchConfig {
    if (sendBatchSize < 0 || sendBatchMaxSize < 0) {
      throw new IllegalArgumentException("send_batch_size and send_batch_max_size must not be negative");
    }
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout: must not be negative");
    }
    if (sendBatchMaxSize > 0 && sendBatchMaxSize < sendBatchSize) {
      throw new IllegalArgumentException(
          "send_batch_max_size: must be greater than or equal to send_batch_size (" + sendBatchSize + ")");
    }
  }

  static BatchConfig parse(ConfigMap m) {
    int size = m.integer("send_batch_size", DEFAULT_SEND_BATCH_SIZE, 0, Integer.MAX_VALUE);
    Duration timeout = m.duration("timeout", DEFAULT_TIMEOUT);
    int max = m.integer("send_batch_max_size", DEFAULT_SEND_BATCH_MAX_SIZE, 0, Integer.MAX_VALUE);
    if (!m.stringList("metadata_keys", List.of()).isEmpty()) {
      throw m.error("metadata_keys",
          "batching by client metadata is not supported by tailshard: remove metadata_keys (or leave it empty)");
    }
    m.integer("metadata_cardinality_limit", 1000, 0, Integer.MAX_VALUE);
    BatchConfig c;
    try {
      c = new BatchConfig(size, timeout, max);
    } catch (IllegalArgumentException e) {
      throw m.error(e.getMessage());
    }
    m.done();
    return c;
  }
}

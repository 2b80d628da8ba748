package io.tailshard.common.exporter.otlp;

import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.exporter.QueueConfig;
import io.tailshard.common.exporter.RetryConfig;

/** The {@code otlp} exporter's config: connection, {@code sending_queue}, {@code retry_on_failure}. */
public record OtlpExporterConfig(OtlpClientConfig client, QueueConfig queue, RetryConfig retry) {

  static OtlpExporterConfig parse(ConfigMap m) {
    OtlpClientConfig client = OtlpClientConfig.parse(m, true, OtlpClientConfig.Tls.SYSTEM_TRUST);
    QueueConfig queue = QueueConfig.parse(m.map("sending_queue"), QueueConfig.DEFAULT);
    RetryConfig retry = RetryConfig.parse(m.map("retry_on_failure"), RetryConfig.DEFAULT);
    m.done();
    return new OtlpExporterConfig(client, queue, retry);
  }
}

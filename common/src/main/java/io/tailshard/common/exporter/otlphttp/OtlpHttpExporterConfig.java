package io.tailshard.common.exporter.otlphttp;

import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.exporter.QueueConfig;
import io.tailshard.common.exporter.RetryConfig;
import io.tailshard.common.exporter.otlp.OtlpClientConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code otlphttp} exporter's config, with the Collector's keys and defaults:
 * {@code endpoint} (base URL; {@code /v1/traces} is appended) or {@code traces_endpoint} (the full
 * URL, which wins), {@code tls} (used for {@code https://} URLs), {@code compression} ({@code gzip}
 * default; {@code zlib}, {@code deflate}, {@code none}), {@code encoding} ({@code proto} default, or
 * {@code json}), {@code headers}, {@code timeout} (30s, per request), {@code sending_queue},
 * {@code retry_on_failure}. For metrics pipelines {@code metrics_endpoint} or {@code endpoint} +
 * {@code /v1/metrics}. The Collector's HTTP client tuning keys are accepted and have no effect
 * here; {@code logs_endpoint} and {@code profiles_endpoint} are accepted for pasted configs.
 */
public record OtlpHttpExporterConfig(
    URI tracesUrl,
    URI metricsUrl,
    OtlpClientConfig.Tls tls,
    Compression compression,
    Encoding encoding,
    Map<String, String> headers,
    Duration timeout,
    QueueConfig queue,
    RetryConfig retry) {

  /** How the request body is compressed ({@code Content-Encoding}). */
  public enum Compression {
    NONE,
    GZIP,
    ZLIB,
    DEFLATE
  }

  /** How the request body is encoded ({@code Content-Type}). */
  public enum Encoding {
    PROTO,
    JSON
  }

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** Keys of the Collector's HTTP client that tune Go's transport; accepted, no effect here. */
  private static final String[] TRANSPORT_KEYS = {
    "read_buffer_size", "write_buffer_size", "max_idle_conns", "max_idle_conns_per_host", "max_conns_per_host",
    "idle_conn_timeout", "disable_keep_alives", "http2_read_idle_timeout", "http2_ping_timeout",
    "force_attempt_http2", "compression_params", "cookies", "logs_endpoint", "profiles_endpoint",
  };

  public OtlpHttpExporterConfig {
    headers = Map.copyOf(headers);
  }

  static OtlpHttpExporterConfig parse(ConfigMap m) {
    String endpoint = m.string("endpoint", null);
    String traces = m.string("traces_endpoint", null);
    String metrics = m.string("metrics_endpoint", null);
    if (endpoint == null && traces == null && metrics == null) {
      throw m.error("endpoint", "either endpoint or traces_endpoint (metrics_endpoint for metrics) is required");
    }
    URI url = signalUrl(m, endpoint, "traces", traces);
    URI metricsUrl = signalUrl(m, endpoint, "metrics", metrics);
    OtlpClientConfig.Tls tls = m.has("tls")
        ? OtlpClientConfig.Tls.parse(m.map("tls"), OtlpClientConfig.Tls.SYSTEM_TRUST)
        : OtlpClientConfig.Tls.SYSTEM_TRUST;
    if ((url != null ? url : metricsUrl).getScheme().equals("http")) {
      // The URL's scheme decides, as in the Collector: http:// is plaintext whatever tls says.
      tls = OtlpClientConfig.Tls.PLAINTEXT;
    } else if (tls.insecure()) {
      // tls.insecure has no meaning for an https:// URL in the Collector's HTTP client either.
      tls = new OtlpClientConfig.Tls(false, tls.insecureSkipVerify(), tls.caFile(), tls.certFile(), tls.keyFile(),
          tls.serverNameOverride());
    }
    String c = m.oneOf("compression", "gzip", "gzip", "zlib", "deflate", "none", "", "snappy", "zstd", "x-snappy-framed", "lz4");
    Compression compression;
    switch (c) {
      case "gzip":
        compression = Compression.GZIP;
        break;
      case "zlib":
        compression = Compression.ZLIB;
        break;
      case "deflate":
        compression = Compression.DEFLATE;
        break;
      case "none":
      case "":
        compression = Compression.NONE;
        break;
      default:
        throw m.error("compression", "'" + c + "' is not supported here; use gzip (default), zlib, deflate or none");
    }
    Encoding encoding = Encoding.valueOf(m.oneOf("encoding", "proto", "proto", "json").toUpperCase(Locale.ROOT));
    Map<String, String> headers = new LinkedHashMap<>();
    ConfigMap h = m.map("headers");
    for (String k : h.keys()) {
      headers.put(k, h.string(k, ""));
    }
    h.done();
    Duration timeout = m.duration("timeout", DEFAULT_TIMEOUT);
    if (timeout.isZero() || timeout.isNegative()) {
      throw m.error("timeout", "must be positive");
    }
    for (String k : TRANSPORT_KEYS) {
      m.get(k);
    }
    if (m.string("proxy_url", null) != null) {
      throw m.error("proxy_url", "a proxy is not supported here; reach the endpoint directly");
    }
    if (m.get("auth").isPresent()) {
      throw m.error("auth", "authenticator extensions are not built yet; put credentials in headers");
    }
    QueueConfig queue = QueueConfig.parse(m.map("sending_queue"), QueueConfig.DEFAULT);
    RetryConfig retry = RetryConfig.parse(m.map("retry_on_failure"), RetryConfig.DEFAULT);
    m.done();
    return new OtlpHttpExporterConfig(url, metricsUrl, tls, compression, encoding, headers, timeout, queue, retry);
  }

  /** {@code <signal>_endpoint} as written, else {@code endpoint} + {@code /v1/<signal>}, else null. */
  private static URI signalUrl(ConfigMap m, String endpoint, String signal, String own) {
    if (own != null) {
      return url(m, signal + "_endpoint", own);
    }
    if (endpoint == null) {
      return null;
    }
    return url(m, "endpoint", endpoint + (endpoint.endsWith("/") ? "v1/" : "/v1/") + signal);
  }

  private static URI url(ConfigMap m, String key, String text) {
    try {
      URI u = new URI(text);
      if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
        throw m.error(key, "must be a URL with http:// or https:// and a host, e.g. https://backend:4318");
      }
      return u;
    } catch (URISyntaxException e) {
      throw m.error(key, "not a URL: " + e.getMessage());
    }
  }

}

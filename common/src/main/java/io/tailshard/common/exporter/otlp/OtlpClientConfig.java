package io.tailshard.common.exporter.otlp;

import io.tailshard.common.config.ConfigMap;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The connection part of an OTLP/gRPC exporter's config, with the Collector's keys: {@code endpoint}
 * ({@code host:port}, or a URL whose {@code http://} scheme means plaintext), {@code tls}
 * ({@code insecure}, {@code insecure_skip_verify}, {@code ca_file}, {@code cert_file},
 * {@code key_file}, {@code server_name_override}), {@code compression} ({@code gzip} default,
 * {@code none}), {@code headers}, {@code timeout} (5s). {@code balancer_name}, {@code keepalive},
 * {@code write_buffer_size} and {@code read_buffer_size} are accepted because Collector configs carry
 * them; they tune grpc-go internals that have no counterpart here and are documented as such.
 */
public record OtlpClientConfig(
    String endpoint,
    Tls tls,
    boolean gzip,
    Map<String, String> headers,
    Duration timeout) {

  /** TLS settings; {@code insecure} means plaintext (h2c). */
  public record Tls(
      boolean insecure,
      boolean insecureSkipVerify,
      String caFile,
      String certFile,
      String keyFile,
      String serverNameOverride) {
    public static final Tls PLAINTEXT = new Tls(true, false, null, null, null, null);
    public static final Tls SYSTEM_TRUST = new Tls(false, false, null, null, null, null);

    /** Reads a {@code tls} block; absent keys take {@code defaults}. */
    public static Tls parse(ConfigMap m, Tls defaults) {
      Tls t = new Tls(
          m.bool("insecure", defaults.insecure),
          m.bool("insecure_skip_verify", defaults.insecureSkipVerify),
          m.string("ca_file", defaults.caFile),
          m.string("cert_file", defaults.certFile),
          m.string("key_file", defaults.keyFile),
          m.string("server_name_override", defaults.serverNameOverride));
      m.bool("include_system_ca_certs_pool", false);
      m.string("min_version", null);
      m.string("max_version", null);
      m.done();
      if ((t.certFile == null) != (t.keyFile == null)) {
        throw m.error("cert_file and key_file go together");
      }
      return t;
    }

    /** Sets these TLS options on a client's options (nothing when {@code insecure}: plaintext). */
    public HttpClientOptions applyTo(HttpClientOptions http) {
      if (insecure) {
        return http;
      }
      http.setSsl(true).setTrustAll(insecureSkipVerify);
      if (caFile != null) {
        http.setTrustOptions(new PemTrustOptions().addCertPath(caFile));
      }
      if (certFile != null) {
        http.setKeyCertOptions(new PemKeyCertOptions().setCertPath(certFile).setKeyPath(keyFile));
      }
      if (serverNameOverride != null || insecureSkipVerify) {
        // The name in the certificate is not the endpoint's (or not checked at all).
        http.setVerifyHost(false);
      }
      return http;
    }
  }

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  public OtlpClientConfig {
    headers = Map.copyOf(headers);
  }

  /**
   * Reads the connection keys from an exporter block. {@code endpointRequired} is false for the
   * loadbalancing exporter's template, whose endpoint the resolver fills in. {@code defaultTls}
   * applies when the block has no {@code tls} key at all.
   */
  public static OtlpClientConfig parse(ConfigMap m, boolean endpointRequired, Tls defaultTls) {
    String endpoint = endpointRequired ? m.requiredString("endpoint") : m.string("endpoint", null);
    Tls tls = m.has("tls") ? Tls.parse(m.map("tls"), Tls.SYSTEM_TRUST) : defaultTls;
    if (endpoint != null && endpoint.startsWith("http://")) {
      tls = Tls.PLAINTEXT;
    }
    String compression = m.oneOf("compression", "gzip", "gzip", "none", "");
    Map<String, String> headers = new LinkedHashMap<>();
    ConfigMap h = m.map("headers");
    for (String k : h.keys()) {
      headers.put(k, h.string(k, ""));
    }
    h.done();
    Duration timeout = m.duration("timeout", DEFAULT_TIMEOUT);
    m.string("balancer_name", null);
    m.get("keepalive");
    m.get("write_buffer_size");
    m.get("read_buffer_size");
    m.get("auth");
    if (m.has("auth")) {
      throw m.error("auth", "authenticator extensions are not built yet; put credentials in headers");
    }
    return new OtlpClientConfig(endpoint, tls, compression.equals("gzip"), headers, timeout);
  }

  /** This config with another endpoint (the loadbalancing exporter's children). */
  public OtlpClientConfig withEndpoint(String newEndpoint) {
    return new OtlpClientConfig(newEndpoint, tls, gzip, headers, timeout);
  }
}

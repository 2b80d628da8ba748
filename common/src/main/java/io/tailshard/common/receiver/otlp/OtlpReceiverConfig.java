package io.tailshard.common.receiver.otlp;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Configuration of the {@code otlp} receiver, read from the same YAML as the Collector's:
 *
 * <pre>
 * receivers:
 *   otlp:
 *     protocols:
 *       grpc:                       # present (even empty) = enabled, absent = disabled
 *         endpoint: 0.0.0.0:4317
 *         max_recv_msg_size_mib: 4
 *       http:
 *         endpoint: 0.0.0.0:4318
 *         traces_url_path: /v1/traces
 *         max_request_body_size: 20MiB
 *         cors:
 *           allowed_origins: ['http://*', 'https://*']
 *     max_in_flight_requests: 1024  # tailshard's own: overload protection, see below
 *     max_in_flight_bytes: 256MiB
 * </pre>
 *
 * <p>At least one protocol must be enabled. The two options outside {@code protocols} are
 * tailshard's additions, shared by both protocols: a request that would take the receiver over
 * either limit is answered {@code UNAVAILABLE} / HTTP 503 with a retry delay before its body is
 * read or decompressed, so an overloaded node pushes back on senders instead of running out of
 * memory. {@code 0} turns a limit off. A single request is always admitted when nothing else is
 * in flight, so a byte limit below the largest allowed request cannot lock a sender out.
 *
 * <p>Immutable; validated when built. Defaults live in {@link OtlpReceiverFactory}.
 *
 * @param grpc the gRPC protocol, or null when disabled
 * @param http the HTTP protocol, or null when disabled
 * @param maxInFlightRequests requests being read or waiting for the pipeline at once (0 = no limit)
 * @param maxInFlightBytes body bytes (raw and decompressed) held at once (0 = no limit)
 */
public record OtlpReceiverConfig(Grpc grpc, Http http, int maxInFlightRequests, long maxInFlightBytes) {
  public OtlpReceiverConfig {
    if (grpc == null && http == null) {
      throw new IllegalArgumentException("protocols: enable at least one of grpc, http");
    }
    if (maxInFlightRequests < 0) {
      throw new IllegalArgumentException("max_in_flight_requests must be >= 0, found " + maxInFlightRequests);
    }
    if (maxInFlightBytes < 0) {
      throw new IllegalArgumentException("max_in_flight_bytes must be >= 0, found " + maxInFlightBytes);
    }
  }

  /** A listen address: {@code host:port}; an empty host or {@code 0.0.0.0} means every interface. */
  public record Endpoint(String host, int port) {
    public Endpoint {
      Objects.requireNonNull(host, "host");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535, found " + port);
      }
    }

    /**
     * Parses {@code host:port}, {@code [v6-address]:port} or {@code :port} (every interface, as in
     * Go). Throws {@link IllegalArgumentException} with a message fit for a config error.
     */
    public static Endpoint parse(String text) {
      String t = text.trim();
      int colon = t.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("expected host:port, found '" + text + "'");
      }
      String host = t.substring(0, colon);
      String portText = t.substring(colon + 1);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      } else if (host.indexOf(':') >= 0) {
        throw new IllegalArgumentException("an IPv6 address needs brackets, as in [::1]:4317; found '" + text + "'");
      }
      int port;
      try {
        port = Integer.parseInt(portText);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected host:port with a numeric port, found '" + text + "'");
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535, found '" + text + "'");
      }
      return new Endpoint(host.isEmpty() ? "0.0.0.0" : host, port);
    }

    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /**
   * {@code protocols.grpc}. Of the Collector's {@code keepalive} block, {@code max_connection_idle}
   * (idle connections are closed), {@code max_connection_age} and {@code max_connection_age_grace}
   * (a connection is sent GOAWAY at that age, within ±10%, and closed after the grace, so clients
   * behind a Kubernetes Service spread again) are applied; {@code time}, {@code timeout} and
   * {@code enforcement_policy} are accepted for compatibility and have no effect (the server sends
   * no keepalive pings and does not police client pings). {@code include_metadata} is accepted;
   * no tailshard component reads client metadata, so nothing is carried.
   *
   * @param endpoint listen address, default {@code 0.0.0.0:4317}
   * @param maxRecvMsgSizeMib largest request message in MiB, compressed and after decompression,
   *     default 4; a larger one is refused with {@code RESOURCE_EXHAUSTED}
   * @param maxConcurrentStreams HTTP/2 streams per connection, 0 = Vert.x's default
   * @param includeMetadata accepted, see above
   * @param maxConnectionIdle close connections idle this long; zero = never
   * @param maxConnectionAge send GOAWAY to connections this old; zero = never
   * @param maxConnectionAgeGrace time given to a GOAWAY'd connection's streams; zero = until done
   */
  public record Grpc(
      Endpoint endpoint,
      int maxRecvMsgSizeMib,
      long maxConcurrentStreams,
      boolean includeMetadata,
      Duration maxConnectionIdle,
      Duration maxConnectionAge,
      Duration maxConnectionAgeGrace) {
    public Grpc {
      Objects.requireNonNull(endpoint, "endpoint");
      Objects.requireNonNull(maxConnectionIdle, "maxConnectionIdle");
      Objects.requireNonNull(maxConnectionAge, "maxConnectionAge");
      Objects.requireNonNull(maxConnectionAgeGrace, "maxConnectionAgeGrace");
      if (maxRecvMsgSizeMib < 1 || maxRecvMsgSizeMib > OtlpReceiverFactory.MAX_MESSAGE_MIB) {
        throw new IllegalArgumentException(
            "max_recv_msg_size_mib must be between 1 and " + OtlpReceiverFactory.MAX_MESSAGE_MIB + ", found " + maxRecvMsgSizeMib);
      }
      if (maxConcurrentStreams < 0) {
        throw new IllegalArgumentException("max_concurrent_streams must be >= 0, found " + maxConcurrentStreams);
      }
    }

    /** The message limit in bytes. */
    public long maxRecvMsgSizeBytes() {
      return (long) maxRecvMsgSizeMib << 20;
    }
  }

  /**
   * {@code protocols.http}. {@code idle_timeout} is applied; {@code read_timeout},
   * {@code read_header_timeout} and {@code write_timeout} are accepted for compatibility and have
   * no effect. {@code include_metadata} is accepted and, as for gRPC, carries nothing.
   * {@code logs_url_path} and {@code metrics_url_path} are accepted; this receiver takes traces
   * only, so those paths answer 404.
   *
   * @param endpoint listen address, default {@code 0.0.0.0:4318}
   * @param tracesUrlPath path of trace exports, default {@code /v1/traces}
   * @param maxRequestBodySize largest body in bytes, raw and after decompression, default 20 MiB
   *     (the Collector's and the OTLP specification's); larger ones get 413
   * @param cors CORS policy, or null when {@code cors.allowed_origins} is empty (no CORS headers)
   * @param includeMetadata accepted, see above
   * @param responseHeaders headers added to every response
   * @param compressionAlgorithms accepted {@code Content-Encoding}s ({@code ""} = none); default
   *     none, gzip, zlib, deflate
   * @param idleTimeout close connections idle this long; zero = never
   */
  public record Http(
      Endpoint endpoint,
      String tracesUrlPath,
      long maxRequestBodySize,
      Cors cors,
      boolean includeMetadata,
      Map<String, String> responseHeaders,
      Set<String> compressionAlgorithms,
      Duration idleTimeout) {
    public Http {
      Objects.requireNonNull(endpoint, "endpoint");
      Objects.requireNonNull(tracesUrlPath, "tracesUrlPath");
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      if (!tracesUrlPath.startsWith("/")) {
        throw new IllegalArgumentException("traces_url_path must start with '/', found '" + tracesUrlPath + "'");
      }
      if (maxRequestBodySize < 1 || maxRequestBodySize > OtlpReceiverFactory.MAX_BODY_BYTES) {
        throw new IllegalArgumentException(
            "max_request_body_size must be between 1 and " + OtlpReceiverFactory.MAX_BODY_BYTES + " bytes, found " + maxRequestBodySize);
      }
      responseHeaders = Map.copyOf(responseHeaders);
      compressionAlgorithms = Set.copyOf(compressionAlgorithms);
    }
  }

  /**
   * {@code protocols.http.cors}. An origin pattern may hold one {@code *}, which matches any run of
   * characters ({@code http://*}, {@code https://*.example.com}); {@code *} alone allows every
   * origin. Headers always allowed in a preflight: Accept, Accept-Encoding, Content-Type,
   * Content-Encoding, Content-Length, Origin, X-Requested-With; {@code allowed_headers} adds more,
   * {@code *} allows any.
   *
   * @param allowedOrigins origin patterns, not empty
   * @param allowedHeaders extra request headers allowed
   * @param maxAgeSeconds {@code Access-Control-Max-Age}; 0 = header not sent
   */
  public record Cors(List<String> allowedOrigins, List<String> allowedHeaders, int maxAgeSeconds) {
    public Cors {
      allowedOrigins = List.copyOf(allowedOrigins);
      allowedHeaders = List.copyOf(allowedHeaders);
      if (allowedOrigins.isEmpty()) {
        throw new IllegalArgumentException("cors.allowed_origins must not be empty");
      }
      for (String o : allowedOrigins) {
        if (o.indexOf('*') != o.lastIndexOf('*')) {
          throw new IllegalArgumentException("an allowed origin may contain one '*', found '" + o + "'");
        }
      }
      if (maxAgeSeconds < 0) {
        throw new IllegalArgumentException("cors.max_age must be >= 0, found " + maxAgeSeconds);
      }
    }
  }
}

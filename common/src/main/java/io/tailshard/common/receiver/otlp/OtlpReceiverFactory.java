package io.tailshard.common.receiver.otlp;

import io.tailshard.common.component.Component;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ReceiverFactory;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.config.ConfigNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Makes the {@code otlp} receiver: OTLP/gRPC and OTLP/HTTP (protobuf and JSON) trace ingest with
 * the Collector's config keys and defaults. See {@link OtlpReceiverConfig} for the options and
 * {@link OtlpReceiver} for the behaviour. Stateless and thread-safe.
 */
public final class OtlpReceiverFactory implements ReceiverFactory<OtlpReceiverConfig> {
  public static final String TYPE = "otlp";

  public static final String DEFAULT_GRPC_ENDPOINT = "0.0.0.0:4317";
  public static final String DEFAULT_HTTP_ENDPOINT = "0.0.0.0:4318";
  public static final String DEFAULT_TRACES_URL_PATH = "/v1/traces";
  /** The Collector's (configgrpc) default. */
  public static final int DEFAULT_MAX_RECV_MSG_SIZE_MIB = 4;
  /** The Collector's (confighttp) default and the OTLP specification's recommendation. */
  public static final long DEFAULT_MAX_REQUEST_BODY_SIZE = 20L << 20;
  public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 1024;
  public static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 256L << 20;
  /** Bodies are held in one Java array. */
  static final long MAX_BODY_BYTES = Integer.MAX_VALUE - 64;
  static final int MAX_MESSAGE_MIB = 2047;

  /** Content encodings this receiver can decode; {@code ""} stands for none. */
  static final List<String> SUPPORTED_ENCODINGS = List.of("", "gzip", "zlib", "deflate");
  private static final Set<String> KNOWN_BUT_UNSUPPORTED_ENCODINGS = Set.of("zstd", "snappy", "lz4", "x-snappy-framed");

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public OtlpReceiverConfig parseConfig(ConfigMap block) {
    ConfigMap protocols = block.map("protocols");
    OtlpReceiverConfig.Grpc grpc = protocols.has("grpc") ? parseGrpc(protocols.map("grpc")) : null;
    OtlpReceiverConfig.Http http = protocols.has("http") ? parseHttp(protocols.map("http")) : null;
    protocols.done();
    int maxRequests = block.integer("max_in_flight_requests", DEFAULT_MAX_IN_FLIGHT_REQUESTS, 0, Integer.MAX_VALUE);
    long maxBytes = block.bytes("max_in_flight_bytes", DEFAULT_MAX_IN_FLIGHT_BYTES);
    block.done();
    if (grpc == null && http == null) {
      throw block.error("protocols", "enable at least one protocol: grpc, http (an empty 'grpc:' enables it with defaults)");
    }
    try {
      return new OtlpReceiverConfig(grpc, http, maxRequests, maxBytes);
    } catch (IllegalArgumentException e) {
      throw block.error(e.getMessage());
    }
  }

  @Override
  public Component createTracesReceiver(ComponentSettings settings, OtlpReceiverConfig config, TracesConsumer next) {
    return new OtlpReceiver(settings, config, next);
  }

  private static OtlpReceiverConfig.Grpc parseGrpc(ConfigMap m) {
    rejectUnsupported(m, "tls", "TLS is not supported by this receiver; terminate TLS in front of it");
    rejectUnsupported(m, "auth", "authentication is not supported by this receiver");
    OtlpReceiverConfig.Endpoint endpoint = endpoint(m, DEFAULT_GRPC_ENDPOINT);
    m.oneOf("transport", "tcp", "tcp");
    int mib = m.integer("max_recv_msg_size_mib", DEFAULT_MAX_RECV_MSG_SIZE_MIB, 0, MAX_MESSAGE_MIB);
    if (mib == 0) {
      mib = DEFAULT_MAX_RECV_MSG_SIZE_MIB; // as in the Collector: 0 means the default
    }
    long streams = m.longValue("max_concurrent_streams", 0, 0, 0xFFFF_FFFFL);
    // Accepted for configs pasted from the Collector; see OtlpReceiverConfig.Grpc.
    m.bytes("read_buffer_size", 0);
    m.bytes("write_buffer_size", 0);
    boolean includeMetadata = m.bool("include_metadata", false);
    ConfigMap keepalive = m.map("keepalive");
    ConfigMap server = keepalive.map("server_parameters");
    Duration idle = nonNegative(server, "max_connection_idle");
    Duration age = nonNegative(server, "max_connection_age");
    Duration grace = nonNegative(server, "max_connection_age_grace");
    nonNegative(server, "time");
    nonNegative(server, "timeout");
    server.done();
    ConfigMap enforcement = keepalive.map("enforcement_policy");
    nonNegative(enforcement, "min_time");
    enforcement.bool("permit_without_stream", false);
    enforcement.done();
    keepalive.done();
    m.done();
    try {
      return new OtlpReceiverConfig.Grpc(endpoint, mib, streams, includeMetadata, idle, age, grace);
    } catch (IllegalArgumentException e) {
      throw m.error(e.getMessage());
    }
  }

  private static OtlpReceiverConfig.Http parseHttp(ConfigMap m) {
    rejectUnsupported(m, "tls", "TLS is not supported by this receiver; terminate TLS in front of it");
    rejectUnsupported(m, "auth", "authentication is not supported by this receiver");
    OtlpReceiverConfig.Endpoint endpoint = endpoint(m, DEFAULT_HTTP_ENDPOINT);
    String path = m.string("traces_url_path", DEFAULT_TRACES_URL_PATH).trim();
    if (path.isEmpty()) {
      throw m.error("traces_url_path", "must not be empty");
    }
    if (!path.startsWith("/")) {
      path = "/" + path; // the Collector prefixes a missing slash too
    }
    m.string("logs_url_path", "/v1/logs");
    m.string("metrics_url_path", "/v1/metrics");
    long maxBody = m.bytes("max_request_body_size", DEFAULT_MAX_REQUEST_BODY_SIZE);
    if (maxBody <= 0) {
      maxBody = DEFAULT_MAX_REQUEST_BODY_SIZE; // as in the Collector: 0 or less means the default
    }
    if (maxBody > MAX_BODY_BYTES) {
      throw m.error("max_request_body_size", "must be at most " + MAX_BODY_BYTES + " bytes");
    }
    OtlpReceiverConfig.Cors cors = m.has("cors") ? parseCors(m.map("cors")) : null;
    boolean includeMetadata = m.bool("include_metadata", false);
    Map<String, String> responseHeaders = new LinkedHashMap<>();
    ConfigMap headers = m.map("response_headers");
    for (String name : new ArrayList<>(headers.keys())) {
      responseHeaders.put(name, headers.string(name, ""));
    }
    headers.done();
    Set<String> encodings = compressionAlgorithms(m);
    Duration idle = nonNegative(m, "idle_timeout");
    nonNegative(m, "read_timeout");
    nonNegative(m, "read_header_timeout");
    nonNegative(m, "write_timeout");
    m.done();
    try {
      return new OtlpReceiverConfig.Http(endpoint, path, maxBody, cors, includeMetadata, responseHeaders, encodings, idle);
    } catch (IllegalArgumentException e) {
      throw m.error(e.getMessage());
    }
  }

  private static OtlpReceiverConfig.Cors parseCors(ConfigMap m) {
    List<String> origins = m.stringList("allowed_origins", List.of());
    List<String> headers = m.stringList("allowed_headers", List.of());
    int maxAge = m.integer("max_age", 0, 0, Integer.MAX_VALUE);
    m.done();
    if (origins.isEmpty()) {
      return null; // as in the Collector: no origins, no CORS
    }
    try {
      return new OtlpReceiverConfig.Cors(origins, headers, maxAge);
    } catch (IllegalArgumentException e) {
      throw m.error("allowed_origins", e.getMessage());
    }
  }

  private static Set<String> compressionAlgorithms(ConfigMap m) {
    List<String> listed = m.stringList("compression_algorithms", SUPPORTED_ENCODINGS);
    Set<String> out = new LinkedHashSet<>();
    for (String raw : listed) {
      String e = raw.trim().toLowerCase(Locale.ROOT);
      if (e.equals("none") || e.equals("identity")) {
        e = "";
      }
      if (!SUPPORTED_ENCODINGS.contains(e)) {
        String why = KNOWN_BUT_UNSUPPORTED_ENCODINGS.contains(e) ? "is not supported by tailshard" : "is not a known compression";
        throw m.error("compression_algorithms", "'" + raw + "' " + why + "; allowed: \"\" (none), gzip, zlib, deflate");
      }
      out.add(e);
    }
    return out;
  }

  private static OtlpReceiverConfig.Endpoint endpoint(ConfigMap m, String defaultValue) {
    String text = m.string("endpoint", defaultValue);
    try {
      return OtlpReceiverConfig.Endpoint.parse(text);
    } catch (IllegalArgumentException e) {
      throw m.error("endpoint", e.getMessage());
    }
  }

  private static Duration nonNegative(ConfigMap m, String key) {
    Duration d = m.duration(key, Duration.ZERO);
    if (d.isNegative()) {
      throw m.error(key, "must not be negative");
    }
    return d;
  }

  private static void rejectUnsupported(ConfigMap m, String key, String why) {
    if (m.has(key)) {
      ConfigNode n = m.get(key).orElseThrow();
      if (!n.isNull()) {
        throw ConfigException.at(n, why);
      }
    }
  }
}

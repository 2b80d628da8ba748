package io.tailshard.common.receiver.otlp;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * CORS for OTLP/HTTP from browsers, configured as in the Collector ({@code cors.allowed_origins},
 * {@code allowed_headers}, {@code max_age}): answers preflights and marks responses to allowed
 * origins. A preflight from an origin, for a method or with headers not allowed is answered 204
 * without CORS headers, so the browser blocks the request. Immutable and thread-safe.
 */
final class CorsPolicy {
  private static final Set<String> ALWAYS_ALLOWED_HEADERS = Set.of(
      "accept", "accept-encoding", "content-type", "content-encoding", "content-length", "origin", "x-requested-with");

  private final boolean anyOrigin;
  private final List<String[]> patterns = new ArrayList<>();
  private final boolean anyHeader;
  private final Set<String> headers = new HashSet<>(ALWAYS_ALLOWED_HEADERS);
  private final int maxAgeSeconds;

  CorsPolicy(OtlpReceiverConfig.Cors config) {
    boolean any = false;
    for (String o : config.allowedOrigins()) {
      String p = o.trim().toLowerCase(Locale.ROOT);
      if (p.equals("*")) {
        any = true;
      }
      int star = p.indexOf('*');
      patterns.add(star < 0 ? new String[] {p} : new String[] {p.substring(0, star), p.substring(star + 1)});
    }
    this.anyOrigin = any;
    boolean anyH = false;
    for (String h : config.allowedHeaders()) {
      String n = h.trim().toLowerCase(Locale.ROOT);
      if (n.equals("*")) {
        anyH = true;
      }
      headers.add(n);
    }
    this.anyHeader = anyH;
    this.maxAgeSeconds = config.maxAgeSeconds();
  }

  boolean allowsOrigin(String origin) {
    if (origin == null || origin.isEmpty()) {
      return false;
    }
    if (anyOrigin) {
      return true;
    }
    String o = origin.toLowerCase(Locale.ROOT);
    for (String[] p : patterns) {
      if (p.length == 1 ? o.equals(p[0])
          : o.length() >= p[0].length() + p[1].length() && o.startsWith(p[0]) && o.endsWith(p[1])) {
        return true;
      }
    }
    return false;
  }

  private boolean allowsHeaders(String requested) {
    if (requested == null || requested.isBlank() || anyHeader) {
      return true;
    }
    for (String h : requested.split(",")) {
      String n = h.trim().toLowerCase(Locale.ROOT);
      if (!n.isEmpty() && !headers.contains(n)) {
        return false;
      }
    }
    return true;
  }

  /** True for an OPTIONS request that is a CORS preflight. */
  static boolean isPreflight(HttpServerRequest req) {
    return req.getHeader("Access-Control-Request-Method") != null;
  }

  /** Answers a preflight: 204, with the CORS grant when origin, method and headers are allowed. */
  void preflight(HttpServerRequest req) {
    HttpServerResponse resp = req.response();
    resp.putHeader("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    String origin = req.getHeader("Origin");
    String method = req.getHeader("Access-Control-Request-Method");
    String requested = req.getHeader("Access-Control-Request-Headers");
    if (allowsOrigin(origin) && "POST".equalsIgnoreCase(method.trim()) && allowsHeaders(requested)) {
      resp.putHeader("Access-Control-Allow-Origin", origin);
      resp.putHeader("Access-Control-Allow-Methods", "POST");
      if (requested != null && !requested.isBlank()) {
        resp.putHeader("Access-Control-Allow-Headers", requested);
      }
      if (maxAgeSeconds > 0) {
        resp.putHeader("Access-Control-Max-Age", Integer.toString(maxAgeSeconds));
      }
    }
    resp.setStatusCode(204).end();
  }

  /** Marks an actual (non-preflight) response for an allowed origin. */
  void decorate(HttpServerRequest req, HttpServerResponse resp) {
    String origin = req.getHeader("Origin");
    resp.headers().add("Vary", "Origin");
    if (allowsOrigin(origin)) {
      resp.putHeader("Access-Control-Allow-Origin", origin);
    }
  }
}

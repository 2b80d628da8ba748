/**
 * The cold-path model of a trace request: the generated {@code opentelemetry-proto} classes behind
 * small mutable nodes (resource, scope, span, span event) with ordered attribute maps, for the
 * processors that must edit spans (resource, attributes, transform, filter, redaction,
 * resourcedetection). Those run only on kept traces, a small fraction of ingest, so a decode and a
 * re-encode per request is affordable there; the ingest path never builds this model (DESIGN §6).
 */
package io.tailshard.common.otlp.model;

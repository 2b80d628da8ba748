package io.tailshard.common.processor.resourcedetection;

import io.opentelemetry.proto.common.v1.AnyValue;
import java.util.LinkedHashMap;

/** One source of resource attributes. Detection may block (files, DNS); it runs on a worker thread. */
interface Detector {
  /** The name in config, for logs. */
  String name();

  /** The attributes detected, in order; throws when the source cannot be read at all. */
  LinkedHashMap<String, AnyValue> detect() throws Exception;

  /** The schema URL of the attributes, or "" when the detector names none. */
  default String schemaUrl() {
    return "";
  }
}

package io.tailshard.common.ottl;

import io.tailshard.common.otlp.model.AttributeMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A map an editor changes: an element's attributes directly, or a copy of a nested map or of the
 * cache that {@link #commit()} writes back to where it came from.
 */
interface MutableMap {
  List<String> keys();

  /** The value of {@code key} as an OTTL value; null when absent. */
  Object get(String key);

  boolean containsKey(String key);

  void put(String key, Object value);

  void remove(String key);

  /** Replaces every entry, in the given order. */
  void replaceAll(LinkedHashMap<String, Object> entries);

  /** Writes the edits back where the map came from, when it is a copy. */
  void commit();

  static MutableMap of(AttributeMap attributes) {
    return new MutableMap() {
      @Override
      public List<String> keys() {
        return attributes.keys();
      }

      @Override
      public Object get(String key) {
        return OttlValues.fromAny(attributes.get(key));
      }

      @Override
      public boolean containsKey(String key) {
        return attributes.containsKey(key);
      }

      @Override
      public void put(String key, Object value) {
        attributes.put(key, OttlValues.toAny(value));
      }

      @Override
      public void remove(String key) {
        attributes.remove(key);
      }

      @Override
      public void replaceAll(LinkedHashMap<String, Object> entries) {
        LinkedHashMap<String, io.opentelemetry.proto.common.v1.AnyValue> converted = new LinkedHashMap<>();
        entries.forEach((k, v) -> converted.put(k, OttlValues.toAny(v)));
        attributes.replaceAll(converted);
      }

      @Override
      public void commit() {}
    };
  }

  /** A map of OTTL values; {@code onCommit} receives it after the edits. */
  static MutableMap of(Map<String, Object> map, java.util.function.Consumer<Map<String, Object>> onCommit) {
    return new MutableMap() {
      @Override
      public List<String> keys() {
        return new ArrayList<>(map.keySet());
      }

      @Override
      public Object get(String key) {
        return map.get(key);
      }

      @Override
      public boolean containsKey(String key) {
        return map.containsKey(key);
      }

      @Override
      public void put(String key, Object value) {
        map.put(key, value);
      }

      @Override
      public void remove(String key) {
        map.remove(key);
      }

      @Override
      public void replaceAll(LinkedHashMap<String, Object> entries) {
        map.clear();
        map.putAll(entries);
      }

      @Override
      public void commit() {
        onCommit.accept(map);
      }
    };
  }
}

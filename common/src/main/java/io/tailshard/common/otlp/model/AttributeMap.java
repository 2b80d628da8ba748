package io.tailshard.common.otlp.model;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * The attributes of one resource, scope, span or span event: keys in their original order, a key
 * put anew goes last, a key updated keeps its place (as pdata's map does). Values are the generated
 * {@link AnyValue} messages, which are immutable. Written back to the proto only when changed.
 *
 * <p>A request carrying the same key twice (which OTLP forbids) keeps the last value.
 *
 * <p>Not thread-safe: a model is edited by one thread at a time.
 */
public final class AttributeMap {
  private final LinkedHashMap<String, AnyValue> entries;
  private final TraceModel owner;
  private boolean changed;

  AttributeMap(List<KeyValue> from, TraceModel owner) {
    this.entries = new LinkedHashMap<>(Math.max(4, from.size() * 2));
    for (KeyValue kv : from) {
      entries.put(kv.getKey(), kv.getValue());
    }
    this.owner = owner;
  }

  /** The value of {@code key}, or null when absent. */
  public AnyValue get(String key) {
    return entries.get(key);
  }

  public boolean containsKey(String key) {
    return entries.containsKey(key);
  }

  /** Sets {@code key}; an existing key keeps its position. */
  public void put(String key, AnyValue value) {
    AnyValue old = entries.put(key, value);
    if (!value.equals(old)) {
      markChanged();
    }
  }

  public void putString(String key, String value) {
    put(key, AnyValue.newBuilder().setStringValue(value).build());
  }

  /** Removes {@code key}; true when it was present. */
  public boolean remove(String key) {
    if (entries.remove(key) != null) {
      markChanged();
      return true;
    }
    return false;
  }

  /** Removes every entry for which {@code test(key, value)} holds; returns how many. */
  public int removeIf(BiPredicate<String, AnyValue> test) {
    int before = entries.size();
    entries.entrySet().removeIf(e -> test.test(e.getKey(), e.getValue()));
    int removed = before - entries.size();
    if (removed > 0) {
      markChanged();
    }
    return removed;
  }

  /** Renames {@code from} to {@code to} in place (its position kept); a present {@code to} is replaced. */
  public void rename(String from, String to) {
    if (from.equals(to) || !entries.containsKey(from)) {
      return;
    }
    LinkedHashMap<String, AnyValue> copy = new LinkedHashMap<>(entries);
    entries.clear();
    AnyValue moved = copy.get(from);
    copy.remove(to);
    for (Map.Entry<String, AnyValue> e : copy.entrySet()) {
      if (e.getKey().equals(from)) {
        entries.put(to, moved);
      } else {
        entries.put(e.getKey(), e.getValue());
      }
    }
    markChanged();
  }

  /** Replaces every entry with {@code values}, in their order. */
  public void replaceAll(Map<String, AnyValue> values) {
    entries.clear();
    entries.putAll(values);
    markChanged();
  }

  public void clear() {
    if (!entries.isEmpty()) {
      entries.clear();
      markChanged();
    }
  }

  public int size() {
    return entries.size();
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The keys in order; a snapshot, safe to iterate while changing the map. */
  public List<String> keys() {
    return new ArrayList<>(entries.keySet());
  }

  /** A read-only view of the entries in order; do not change the map while iterating it. */
  public Set<Map.Entry<String, AnyValue>> entries() {
    return Collections.unmodifiableMap(entries).entrySet();
  }

  /** A copy of the entries as an ordered map. */
  public LinkedHashMap<String, AnyValue> toMap() {
    return new LinkedHashMap<>(entries);
  }

  boolean changed() {
    return changed;
  }

  List<KeyValue> toKeyValues() {
    List<KeyValue> out = new ArrayList<>(entries.size());
    for (Map.Entry<String, AnyValue> e : entries.entrySet()) {
      out.add(KeyValue.newBuilder().setKey(e.getKey()).setValue(e.getValue()).build());
    }
    return out;
  }

  private void markChanged() {
    changed = true;
    owner.markChanged();
  }

  @Override
  public String toString() {
    return entries.toString();
  }
}

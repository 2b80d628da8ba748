package io.tailshard.common.ottl;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.otlp.model.AttributeMap;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Turns a parsed path ({@code attributes["k"]}, {@code resource.attributes["k"]}, {@code status.code},
 * ...) into an {@link Accessor} for one context, at parse time, so that an unknown path is a
 * start-up error and evaluation does no name lookups.
 */
final class Paths {
  /** What a path reads and writes. */
  interface Accessor {
    Object get(EvalContext ctx);

    /** Writes the value; a value of the wrong type for a typed field is ignored, as in the Collector. */
    void set(EvalContext ctx, Object value);

    /** The map at this path, for editors that change maps; fails when the value is not a map. */
    MutableMap map(EvalContext ctx);
  }

  /** A key in brackets: a literal string or int, or an expression evaluated per element. */
  record Key(Object literal, Parser.Expr expr) {
    Object resolve(EvalContext ctx) {
      Object k = expr == null ? literal : expr.eval(ctx);
      if (!(k instanceof String) && !(k instanceof Long)) {
        throw new OttlException("a key must be a string or an int, not " + OttlValues.typeName(k));
      }
      return k;
    }
  }

  private enum Element {
    RESOURCE,
    SCOPE,
    SPAN,
    EVENT
  }

  private Paths() {}

  /**
   * Resolves {@code fields} (dot-separated names) with {@code keys} (brackets after the last
   * name) in {@code context}; {@code fail} reports an unknown path.
   */
  static Accessor resolve(OttlContext context, List<String> fields, List<Key> keys, Function<String, OttlParseException> fail) {
    Element own = own(context);
    Element element = own;
    int first = 0;
    if (fields.size() > 1) {
      Element named = named(fields.get(0), context);
      if (named != null) {
        element = named;
        first = 1;
      }
    }
    List<String> rest = fields.subList(first, fields.size());
    String name = String.join(".", rest);
    if (name.equals("cache")) {
      if (element != own) {
        throw fail.apply("cache belongs to the " + context.word() + " context; write cache[...]");
      }
      return mapAccessor(ctx -> MutableMap.of(ctx.cache(), m -> {}), keys, (ctx, m) -> {
        ctx.cache().clear();
        ctx.cache().putAll(m);
      });
    }
    if (name.equals("attributes")) {
      Function<EvalContext, AttributeMap> attrs = attributesOf(element);
      return mapAccessor(ctx -> MutableMap.of(attrs.apply(ctx)), keys, (ctx, m) -> MutableMap.of(attrs.apply(ctx))
          .replaceAll(new LinkedHashMap<>(m)));
    }
    Accessor field = field(element, name);
    if (field == null) {
      throw fail.apply("unknown path '" + String.join(".", fields) + "' in the " + context.word() + " context");
    }
    if (!keys.isEmpty()) {
      throw fail.apply("'" + String.join(".", fields) + "' cannot be indexed with [...]");
    }
    return field;
  }

  private static Element own(OttlContext context) {
    switch (context) {
      case RESOURCE:
        return Element.RESOURCE;
      case SCOPE:
        return Element.SCOPE;
      case SPAN:
        return Element.SPAN;
      default:
        return Element.EVENT;
    }
  }

  /** The element a leading path segment names in this context, or null for a plain field. */
  private static Element named(String segment, OttlContext context) {
    switch (segment) {
      case "resource":
        return Element.RESOURCE;
      case "scope":
      case "instrumentation_scope":
        return context == OttlContext.RESOURCE ? null : Element.SCOPE;
      case "span":
        return context == OttlContext.SPAN || context == OttlContext.SPANEVENT ? Element.SPAN : null;
      case "spanevent":
        return context == OttlContext.SPANEVENT ? Element.EVENT : null;
      default:
        return null;
    }
  }

  private static Function<EvalContext, AttributeMap> attributesOf(Element e) {
    switch (e) {
      case RESOURCE:
        return ctx -> ctx.resource.attributes();
      case SCOPE:
        return ctx -> ctx.scope.attributes();
      case SPAN:
        return ctx -> ctx.span.attributes();
      default:
        return ctx -> ctx.event.attributes();
    }
  }

  /**
   * A map-valued path (attributes or cache) with optional keys into it: without keys it is the
   * map itself; with keys it is a value inside, nested maps and slices included.
   */
  private static Accessor mapAccessor(Function<EvalContext, MutableMap> open, List<Key> keys,
      BiConsumer<EvalContext, Map<String, Object>> replace) {
    List<Key> ks = List.copyOf(keys);
    return new Accessor() {
      @Override
      public Object get(EvalContext ctx) {
        MutableMap m = open.apply(ctx);
        if (ks.isEmpty()) {
          LinkedHashMap<String, Object> copy = new LinkedHashMap<>();
          for (String k : m.keys()) {
            copy.put(k, m.get(k));
          }
          return copy;
        }
        Object top = m.get(stringKey(ks.get(0).resolve(ctx)));
        return index(top, ks, 1, ctx);
      }

      @Override
      @SuppressWarnings("unchecked")
      public void set(EvalContext ctx, Object value) {
        if (ks.isEmpty()) {
          if (value instanceof Map<?, ?> map) {
            replace.accept(ctx, new LinkedHashMap<>((Map<String, Object>) map));
          }
          return;
        }
        MutableMap m = open.apply(ctx);
        String k = stringKey(ks.get(0).resolve(ctx));
        if (ks.size() == 1) {
          m.put(k, value);
        } else {
          m.put(k, setIn(m.get(k), ks, 1, value, ctx));
        }
        m.commit();
      }

      @Override
      @SuppressWarnings("unchecked")
      public MutableMap map(EvalContext ctx) {
        if (ks.isEmpty()) {
          return open.apply(ctx);
        }
        Object v = get(ctx);
        if (!(v instanceof Map)) {
          throw new OttlException("expected a map but got " + OttlValues.typeName(v));
        }
        return MutableMap.of((Map<String, Object>) v, edited -> set(ctx, edited));
      }
    };
  }

  private static String stringKey(Object k) {
    if (!(k instanceof String s)) {
      throw new OttlException("a map is indexed by a string key, not " + OttlValues.typeName(k));
    }
    return s;
  }

  /** The value at {@code keys[from..]} inside {@code v}; nil when a map key is absent. */
  static Object index(Object v, List<Key> keys, int from, EvalContext ctx) {
    for (int i = from; i < keys.size(); i++) {
      if (v == null) {
        return null;
      }
      Object k = keys.get(i).resolve(ctx);
      if (v instanceof Map<?, ?> map && k instanceof String s) {
        v = map.get(s);
      } else if (v instanceof List<?> list && k instanceof Long n) {
        if (n < 0 || n >= list.size()) {
          throw new OttlException("index " + n + " is out of range for a slice of " + list.size());
        }
        v = list.get(n.intValue());
      } else {
        throw new OttlException("a " + OttlValues.typeName(v) + " cannot be indexed by " + OttlValues.typeName(k));
      }
    }
    return v;
  }

  /** {@code container} with {@code keys[from..]} set to {@code value}; a missing map is created. */
  @SuppressWarnings("unchecked")
  private static Object setIn(Object container, List<Key> keys, int from, Object value, EvalContext ctx) {
    if (from == keys.size()) {
      return value;
    }
    Object k = keys.get(from).resolve(ctx);
    if (k instanceof String s) {
      Map<String, Object> map;
      if (container == null) {
        map = new LinkedHashMap<>();
      } else if (container instanceof Map) {
        map = (Map<String, Object>) container;
      } else {
        throw new OttlException("a " + OttlValues.typeName(container) + " cannot be indexed by a string key");
      }
      map.put(s, setIn(map.get(s), keys, from + 1, value, ctx));
      return map;
    }
    long n = (Long) k;
    if (!(container instanceof List)) {
      throw new OttlException("a " + OttlValues.typeName(container) + " cannot be indexed by an int");
    }
    List<Object> list = new ArrayList<>((List<Object>) container);
    if (n < 0 || n >= list.size()) {
      throw new OttlException("index " + n + " is out of range for a slice of " + list.size());
    }
    list.set((int) n, setIn(list.get((int) n), keys, from + 1, value, ctx));
    return list;
  }

  /** A plain field of an element; null when the element has no such field. */
  private static Accessor field(Element e, String name) {
    switch (e) {
      case RESOURCE:
        if (name.equals("dropped_attributes_count")) {
          return scalar(ctx -> (long) ctx.resource.droppedAttributesCount(),
              (ctx, v) -> uint32(v, n -> ctx.resource.setDroppedAttributesCount(n)));
        }
        return null;
      case SCOPE:
        switch (name) {
          case "name":
            return scalar(ctx -> ctx.scope.name(), (ctx, v) -> str(v, s -> ctx.scope.setName(s)));
          case "version":
            return scalar(ctx -> ctx.scope.version(), (ctx, v) -> str(v, s -> ctx.scope.setVersion(s)));
          case "dropped_attributes_count":
            return scalar(ctx -> (long) ctx.scope.droppedAttributesCount(),
                (ctx, v) -> uint32(v, n -> ctx.scope.setDroppedAttributesCount(n)));
          default:
            return null;
        }
      case SPAN:
        return spanField(name);
      default:
        switch (name) {
          case "name":
            return scalar(ctx -> ctx.event.proto().getName(),
                (ctx, v) -> str(v, s -> edit(ctx, () -> ctx.event.proto().setName(s))));
          case "time_unix_nano":
            return scalar(ctx -> ctx.event.proto().getTimeUnixNano(),
                (ctx, v) -> int64(v, n -> edit(ctx, () -> ctx.event.proto().setTimeUnixNano(n))));
          case "dropped_attributes_count":
            return scalar(ctx -> (long) ctx.event.proto().getDroppedAttributesCount(),
                (ctx, v) -> uint32(v, n -> edit(ctx, () -> ctx.event.proto().setDroppedAttributesCount(n))));
          default:
            return null;
        }
    }
  }

  private static Accessor spanField(String name) {
    switch (name) {
      case "trace_id":
        return scalar(ctx -> span(ctx).getTraceId(), (ctx, v) -> id(v, 16, b -> edit(ctx, () -> span(ctx).setTraceId(b))));
      case "trace_id.string":
        return scalar(ctx -> hex(span(ctx).getTraceId()),
            (ctx, v) -> hexId(v, 16, b -> edit(ctx, () -> span(ctx).setTraceId(b))));
      case "span_id":
        return scalar(ctx -> span(ctx).getSpanId(), (ctx, v) -> id(v, 8, b -> edit(ctx, () -> span(ctx).setSpanId(b))));
      case "span_id.string":
        return scalar(ctx -> hex(span(ctx).getSpanId()),
            (ctx, v) -> hexId(v, 8, b -> edit(ctx, () -> span(ctx).setSpanId(b))));
      case "parent_span_id":
        return scalar(ctx -> span(ctx).getParentSpanId(),
            (ctx, v) -> id(v, 8, b -> edit(ctx, () -> span(ctx).setParentSpanId(b))));
      case "parent_span_id.string":
        return scalar(ctx -> hex(span(ctx).getParentSpanId()),
            (ctx, v) -> hexId(v, 8, b -> edit(ctx, () -> span(ctx).setParentSpanId(b))));
      case "trace_state":
        return scalar(ctx -> span(ctx).getTraceState(), (ctx, v) -> str(v, s -> edit(ctx, () -> span(ctx).setTraceState(s))));
      case "name":
        return scalar(ctx -> span(ctx).getName(), (ctx, v) -> str(v, s -> edit(ctx, () -> span(ctx).setName(s))));
      case "kind":
        return scalar(ctx -> (long) span(ctx).getKindValue(),
            (ctx, v) -> int64(v, n -> edit(ctx, () -> span(ctx).setKindValue((int) n))));
      case "start_time_unix_nano":
        return scalar(ctx -> span(ctx).getStartTimeUnixNano(),
            (ctx, v) -> int64(v, n -> edit(ctx, () -> span(ctx).setStartTimeUnixNano(n))));
      case "end_time_unix_nano":
        return scalar(ctx -> span(ctx).getEndTimeUnixNano(),
            (ctx, v) -> int64(v, n -> edit(ctx, () -> span(ctx).setEndTimeUnixNano(n))));
      case "dropped_attributes_count":
        return scalar(ctx -> (long) span(ctx).getDroppedAttributesCount(),
            (ctx, v) -> uint32(v, n -> edit(ctx, () -> span(ctx).setDroppedAttributesCount(n))));
      case "dropped_events_count":
        return scalar(ctx -> (long) span(ctx).getDroppedEventsCount(),
            (ctx, v) -> uint32(v, n -> edit(ctx, () -> span(ctx).setDroppedEventsCount(n))));
      case "dropped_links_count":
        return scalar(ctx -> (long) span(ctx).getDroppedLinksCount(),
            (ctx, v) -> uint32(v, n -> edit(ctx, () -> span(ctx).setDroppedLinksCount(n))));
      case "status.code":
        return scalar(ctx -> (long) span(ctx).getStatus().getCodeValue(),
            (ctx, v) -> int64(v, n -> edit(ctx, () -> span(ctx).getStatusBuilder().setCodeValue((int) n))));
      case "status.message":
        return scalar(ctx -> span(ctx).getStatus().getMessage(),
            (ctx, v) -> str(v, s -> edit(ctx, () -> span(ctx).getStatusBuilder().setMessage(s))));
      default:
        return null;
    }
  }

  private static Span.Builder span(EvalContext ctx) {
    return ctx.span.proto();
  }

  private static void edit(EvalContext ctx, Runnable change) {
    change.run();
    ctx.span.model().markChanged(); // span and event fields are reached through a span

  }

  private static Accessor scalar(Function<EvalContext, Object> get, BiConsumer<EvalContext, Object> set) {
    return new Accessor() {
      @Override
      public Object get(EvalContext ctx) {
        return get.apply(ctx);
      }

      @Override
      public void set(EvalContext ctx, Object value) {
        set.accept(ctx, value);
      }

      @Override
      public MutableMap map(EvalContext ctx) {
        throw new OttlException("expected a map but got " + OttlValues.typeName(get.apply(ctx)));
      }
    };
  }

  private static void str(Object v, java.util.function.Consumer<String> set) {
    if (v instanceof String s) {
      set.accept(s);
    }
  }

  private static void int64(Object v, java.util.function.LongConsumer set) {
    if (v instanceof Long n) {
      set.accept(n);
    }
  }

  private static void uint32(Object v, java.util.function.IntConsumer set) {
    if (v instanceof Long n && n >= 0 && n <= 0xFFFF_FFFFL) {
      set.accept((int) (long) n);
    }
  }

  private static void id(Object v, int length, java.util.function.Consumer<ByteString> set) {
    if (v instanceof ByteString b && b.size() == length) {
      set.accept(b);
    }
  }

  private static void hexId(Object v, int length, java.util.function.Consumer<ByteString> set) {
    if (v instanceof String s && s.length() == length * 2) {
      try {
        set.accept(ByteString.copyFrom(HexFormat.of().parseHex(s)));
      } catch (IllegalArgumentException e) {
        throw new OttlException("'" + s + "' is not a hex id");
      }
    }
  }

  private static String hex(ByteString b) {
    return HexFormat.of().formatHex(b.toByteArray());
  }
}

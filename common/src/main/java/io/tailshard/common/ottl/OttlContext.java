package io.tailshard.common.ottl;

import java.util.Locale;
import java.util.Optional;

/**
 * What a statement runs against, and so what its paths mean. Unqualified paths address the
 * context's own element; a path may also start with the name of the context itself or of an
 * enclosing one ({@code resource.}, {@code scope.} or {@code instrumentation_scope.},
 * {@code span.}), as in current OTTL.
 *
 * <ul>
 *   <li>{@code resource}: {@code attributes}, {@code dropped_attributes_count}, {@code cache};
 *   <li>{@code scope}: {@code name}, {@code version}, {@code attributes},
 *       {@code dropped_attributes_count}, {@code cache}, and {@code resource.*};
 *   <li>{@code span}: {@code trace_id}, {@code span_id}, {@code parent_span_id} (bytes, or hex with
 *       {@code .string}), {@code trace_state}, {@code name}, {@code kind}, {@code start_time_unix_nano},
 *       {@code end_time_unix_nano}, {@code attributes}, {@code dropped_attributes_count},
 *       {@code dropped_events_count}, {@code dropped_links_count}, {@code status.code},
 *       {@code status.message}, {@code cache}, and {@code resource.*}, {@code scope.*};
 *   <li>{@code spanevent}: {@code name}, {@code time_unix_nano}, {@code attributes},
 *       {@code dropped_attributes_count}, {@code cache}, and {@code span.*}, {@code resource.*},
 *       {@code scope.*}.
 * </ul>
 */
public enum OttlContext {
  RESOURCE,
  SCOPE,
  SPAN,
  SPANEVENT;

  /** The name in config: {@code resource}, {@code scope}, {@code span}, {@code spanevent}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<OttlContext> parse(String word) {
    for (OttlContext c : values()) {
      if (c.word().equals(word)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}

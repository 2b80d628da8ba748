package io.tailshard.common.processor.attributes;

import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.processor.internal.AttributeActions;
import io.tailshard.common.processor.internal.SpanMatcher;
import java.util.Optional;

/**
 * The {@code attributes} processor's config: {@code actions} (required, at least one; see
 * {@link AttributeActions}) applied to the attributes of each span that passes {@code include} and
 * {@code exclude} (optional; see {@link SpanMatcher}). No other defaults.
 */
public record AttributesConfig(AttributeActions actions, Optional<SpanMatcher> include, Optional<SpanMatcher> exclude) {
  static AttributesConfig parse(ConfigMap m) {
    AttributesConfig c = new AttributesConfig(
        AttributeActions.parse(m, "actions"), SpanMatcher.parse(m, "include"), SpanMatcher.parse(m, "exclude"));
    m.done();
    return c;
  }
}

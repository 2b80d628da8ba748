package io.tailshard.common.processor.redaction;

import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.config.GoRegex;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code redaction} processor's config, as the Collector's:
 *
 * <ul>
 *   <li>{@code allow_all_keys} (false): keep every key; otherwise only {@code allowed_keys} (and
 *       ignored keys) are kept and every other attribute is deleted. The list fails closed: empty
 *       means every attribute goes.
 *   <li>{@code allowed_keys} ([]), {@code ignored_keys} ([]) and {@code ignored_key_patterns} ([]):
 *       ignored keys pass untouched, never deleted nor masked.
 *   <li>{@code blocked_values} ([]): regular expressions (Go syntax); every match in the value of a
 *       kept attribute is masked with {@code ****} (or its hash, see {@code hash_function}).
 *   <li>{@code blocked_key_patterns} ([]): the whole value of a key matching one is masked.
 *   <li>{@code allowed_values} ([]): a value matching one is left alone, blocked or not.
 *   <li>{@code redact_all_types} (false): match non-string values through their text form too.
 *   <li>{@code hash_function} (none): {@code md5}, {@code sha1} or {@code sha3} (SHA3-256) instead of
 *       the fixed mask.
 *   <li>{@code summary} ({@code silent}): {@code info} adds {@code redaction.*.count} attributes,
 *       {@code debug} also the {@code redaction.*.keys} lists.
 * </ul>
 *
 * {@code url_sanitizer}, {@code db_sanitizer} and the HMAC hash functions are refused: not built.
 */
public record RedactionConfig(boolean allowAllKeys, List<String> allowedKeys, List<String> ignoredKeys,
    List<GoRegex> ignoredKeyPatterns, List<GoRegex> blockedValues, List<GoRegex> blockedKeyPatterns,
    List<GoRegex> allowedValues, boolean redactAllTypes, String hashFunction, String summary) {

  static RedactionConfig parse(ConfigMap m) {
    RedactionConfig c = new RedactionConfig(
        m.bool("allow_all_keys", false),
        m.stringList("allowed_keys", List.of()),
        m.stringList("ignored_keys", List.of()),
        regexes(m, "ignored_key_patterns"),
        regexes(m, "blocked_values"),
        regexes(m, "blocked_key_patterns"),
        regexes(m, "allowed_values"),
        m.bool("redact_all_types", false),
        m.oneOf("hash_function", "", "", "md5", "sha1", "sha3"),
        m.oneOf("summary", "silent", "debug", "info", "silent"));
    for (String unsupported : List.of("url_sanitizer", "db_sanitizer", "hmac_key")) {
      if (m.has(unsupported)) {
        throw m.error(unsupported, "not supported by tailshard's redaction processor");
      }
    }
    m.done();
    return c;
  }

  private static List<GoRegex> regexes(ConfigMap m, String key) {
    List<GoRegex> out = new ArrayList<>();
    for (String p : m.stringList(key, List.of())) {
      try {
        out.add(GoRegex.compile(p));
      } catch (PatternSyntaxException e) {
        throw m.error(key, "invalid regular expression '" + p + "': " + e.getDescription());
      }
    }
    return List.copyOf(out);
  }
}

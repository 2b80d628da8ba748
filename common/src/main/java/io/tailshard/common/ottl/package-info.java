/**
 * A subset of the OpenTelemetry Transformation Language (OTTL), as the Collector's transform and
 * filter processors use it, over the cold-path trace model ({@link io.tailshard.common.otlp.model}).
 *
 * <p>Supported: the {@code resource}, {@code scope}, {@code span} and {@code spanevent} contexts
 * with their paths (see {@link OttlContext}); literals (strings with Go escapes, ints, floats,
 * {@code true}/{@code false}, {@code nil}, {@code 0x} bytes), lists, maps, span kind and status code
 * enums; conditions with {@code ==}, {@code !=}, {@code <}, {@code <=}, {@code >}, {@code >=},
 * {@code and}, {@code or}, {@code not} and parentheses; named arguments; the editors {@code set},
 * {@code delete_key}, {@code delete_matching_keys}, {@code keep_keys}, {@code replace_pattern},
 * {@code replace_all_patterns}, {@code truncate_all}, {@code limit}; the converters {@code Concat},
 * {@code Split}, {@code ToLowerCase}, {@code ToUpperCase}, {@code SHA256}, {@code IsMatch}. Math
 * expressions and other functions are refused at parse time, naming what is not supported and where.
 *
 * <p>Entry point: {@link Ottl}. Parsing happens once at start-up; a parsed statement or condition
 * is immutable and may be evaluated from any thread, each evaluation with its own
 * {@link EvalContext}.
 */
package io.tailshard.common.ottl;

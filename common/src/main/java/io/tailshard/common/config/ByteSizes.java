package io.tailshard.common.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes in bytes: a whole number, optionally with a unit. Binary units ({@code KiB MiB GiB TiB})
 * are powers of 1024, decimal ones ({@code KB MB GB TB}, also {@code K M G T}) powers of 1000,
 * {@code B} is bytes. Case of the unit does not matter.
 */
public final class ByteSizes {
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)");

  private ByteSizes() {}

  public static long parse(ConfigNode node) {
    try {
      return parse(node.text());
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(node, e.getMessage());
    }
  }

  public static long parse(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("expected a size such as 512MiB, 4MB or 1048576, found '" + text + "'");
    }
    double n = Double.parseDouble(m.group(1));
    long mult;
    switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "":
      case "b":
        mult = 1;
        break;
      case "k":
      case "kb":
        mult = 1_000L;
        break;
      case "kib":
        mult = 1L << 10;
        break;
      case "m":
      case "mb":
        mult = 1_000_000L;
        break;
      case "mib":
        mult = 1L << 20;
        break;
      case "g":
      case "gb":
        mult = 1_000_000_000L;
        break;
      case "gib":
        mult = 1L << 30;
        break;
      case "t":
      case "tb":
        mult = 1_000_000_000_000L;
        break;
      case "tib":
        mult = 1L << 40;
        break;
      default:
        throw new IllegalArgumentException(
            "unknown size unit '" + m.group(2) + "' in '" + text + "'; allowed: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB");
    }
    double bytes = n * mult;
    if (bytes > Long.MAX_VALUE) {
      throw new IllegalArgumentException("size '" + text + "' is too large");
    }
    return (long) bytes;
  }
}

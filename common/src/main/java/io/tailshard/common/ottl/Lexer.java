package io.tailshard.common.ottl;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Splits OTTL text into tokens, each with its offset for error messages. Whitespace (including the
 * line breaks YAML may leave) separates tokens and is otherwise ignored, so {@code set (x, y)} and
 * {@code set(x,y)} are the same statement.
 */
final class Lexer {
  enum Kind {
    /** An identifier starting with a lowercase letter or '_': paths, editors, keywords. */
    LOWER,
    /** An identifier starting with an uppercase letter: converters and enums. */
    UPPER,
    STRING,
    INT,
    FLOAT,
    BYTES,
    /** Punctuation and operators: ( ) [ ] { } , : . = == != < <= > >= and math signs. */
    SYMBOL,
    EOF
  }

  record Token(Kind kind, String text, Object value, int offset) {
    boolean is(String symbol) {
      return (kind == Kind.SYMBOL || kind == Kind.LOWER) && text.equals(symbol);
    }

    String describe() {
      switch (kind) {
        case EOF:
          return "the end of the text";
        case STRING:
          return "string " + text;
        default:
          return "'" + text + "'";
      }
    }
  }

  private final String text;
  private int pos;

  private Lexer(String text) {
    this.text = text;
  }

  static List<Token> tokenize(String text) {
    return new Lexer(text).all();
  }

  private List<Token> all() {
    List<Token> out = new ArrayList<>();
    while (true) {
      skipSpace();
      if (pos >= text.length()) {
        out.add(new Token(Kind.EOF, "", null, text.length()));
        return out;
      }
      out.add(next(out.isEmpty() ? null : out.get(out.size() - 1)));
    }
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private Token next(Token previous) {
    int start = pos;
    char c = text.charAt(pos);
    if (c == '"') {
      return string(start);
    }
    if (c == '0' && pos + 1 < text.length() && (text.charAt(pos + 1) == 'x' || text.charAt(pos + 1) == 'X')) {
      return bytes(start);
    }
    boolean signed = (c == '-' || c == '+') && !followsValue(previous) && pos + 1 < text.length()
        && (Character.isDigit(text.charAt(pos + 1)) || text.charAt(pos + 1) == '.');
    if (Character.isDigit(c) || signed || (c == '.' && pos + 1 < text.length() && Character.isDigit(text.charAt(pos + 1)))) {
      return number(start);
    }
    if (Character.isLetter(c) || c == '_') {
      while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
        pos++;
      }
      String word = text.substring(start, pos);
      return new Token(Character.isUpperCase(c) ? Kind.UPPER : Kind.LOWER, word, null, start);
    }
    for (String op : new String[] {"==", "!=", "<=", ">="}) {
      if (text.startsWith(op, pos)) {
        pos += 2;
        return new Token(Kind.SYMBOL, op, null, start);
      }
    }
    if ("()[]{},:.=<>+-*/".indexOf(c) >= 0) {
      pos++;
      return new Token(Kind.SYMBOL, String.valueOf(c), null, start);
    }
    throw new OttlParseException(text, start, "unexpected character '" + c + "'");
  }

  /** A sign after a value is an operator (math, refused later), not part of a number. */
  private static boolean followsValue(Token t) {
    if (t == null) {
      return false;
    }
    switch (t.kind()) {
      case STRING:
      case INT:
      case FLOAT:
      case BYTES:
      case LOWER:
      case UPPER:
        return !t.text().equals("where") && !t.text().equals("and") && !t.text().equals("or")
            && !t.text().equals("not");
      case SYMBOL:
        return t.text().equals(")") || t.text().equals("]") || t.text().equals("}");
      default:
        return false;
    }
  }

  private Token number(int start) {
    if (text.charAt(pos) == '-' || text.charAt(pos) == '+') {
      pos++;
    }
    while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
      pos++;
    }
    boolean isFloat = false;
    if (pos < text.length() && text.charAt(pos) == '.') {
      isFloat = true;
      pos++;
      int digits = pos;
      while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
        pos++;
      }
      if (digits == pos) {
        throw new OttlParseException(text, start, "a number needs digits after its '.'");
      }
    }
    String literal = text.substring(start, pos);
    try {
      if (isFloat) {
        return new Token(Kind.FLOAT, literal, Double.parseDouble(literal), start);
      }
      return new Token(Kind.INT, literal, Long.parseLong(literal), start);
    } catch (NumberFormatException e) {
      throw new OttlParseException(text, start, "number " + literal + " does not fit a 64-bit integer");
    }
  }

  private Token bytes(int start) {
    pos += 2;
    int digits = pos;
    while (pos < text.length() && HexFormat.isHexDigit(text.charAt(pos))) {
      pos++;
    }
    String hex = text.substring(digits, pos);
    if (hex.isEmpty() || hex.length() % 2 != 0) {
      throw new OttlParseException(text, start, "a byte literal needs an even, non-zero number of hex digits");
    }
    return new Token(Kind.BYTES, text.substring(start, pos), ByteString.copyFrom(HexFormat.of().parseHex(hex)), start);
  }

  /** A double-quoted string with Go's escapes (as {@code strconv.Unquote} reads them). */
  private Token string(int start) {
    StringBuilder sb = new StringBuilder();
    pos++;
    while (true) {
      if (pos >= text.length()) {
        throw new OttlParseException(text, start, "string is not closed with '\"'");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return new Token(Kind.STRING, text.substring(start, pos), sb.toString(), start);
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (pos >= text.length()) {
        throw new OttlParseException(text, start, "string is not closed with '\"'");
      }
      int escape = pos - 1;
      char e = text.charAt(pos++);
      switch (e) {
        case 'a': sb.append('\u0007'); break;
        case 'b': sb.append('\b'); break;
        case 'f': sb.append('\f'); break;
        case 'n': sb.append('\n'); break;
        case 'r': sb.append('\r'); break;
        case 't': sb.append('\t'); break;
        case 'v': sb.append('\u000b'); break;
        case '\\': sb.append('\\'); break;
        case '"': sb.append('"'); break;
        case '\'': sb.append('\''); break;
        case 'x': sb.append((char) hexDigits(escape, 2)); break;
        case 'u': sb.appendCodePoint(hexDigits(escape, 4)); break;
        case 'U': sb.appendCodePoint(hexDigits(escape, 8)); break;
        default:
          if (e >= '0' && e <= '7') {
            pos--;
            int v = 0;
            for (int k = 0; k < 3; k++) {
              char d = pos < text.length() ? text.charAt(pos) : 'x';
              if (d < '0' || d > '7') {
                throw new OttlParseException(text, escape, "an octal escape takes three digits");
              }
              v = v * 8 + (d - '0');
              pos++;
            }
            sb.append((char) v);
          } else {
            throw new OttlParseException(text, escape,
                "unknown escape '\\" + e + "' in a string (write '\\\\' for a backslash, as in '\\\\d')");
          }
      }
    }
  }

  private int hexDigits(int escape, int n) {
    if (pos + n > text.length()) {
      throw new OttlParseException(text, escape, "escape needs " + n + " hex digits");
    }
    String h = text.substring(pos, pos + n);
    for (int k = 0; k < n; k++) {
      if (!HexFormat.isHexDigit(h.charAt(k))) {
        throw new OttlParseException(text, escape, "escape needs " + n + " hex digits");
      }
    }
    pos += n;
    long v = Long.parseLong(h, 16);
    if (v > Character.MAX_CODE_POINT) {
      throw new OttlParseException(text, escape, "escape is not a Unicode code point");
    }
    return (int) v;
  }
}

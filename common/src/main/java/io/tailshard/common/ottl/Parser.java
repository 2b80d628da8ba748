package io.tailshard.common.ottl;

import io.tailshard.common.ottl.Lexer.Kind;
import io.tailshard.common.ottl.Lexer.Token;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A recursive-descent parser for statements ({@code editor(args) where condition}) and conditions
 * of the OTTL subset, building evaluable nodes directly. Every error names the column it found.
 *
 * <pre>
 * statement  = LOWER "(" args? ")" ( "where" boolean )? EOF
 * boolean    = term ( "or" term )*
 * term       = factor ( "and" factor )*
 * factor     = "not" factor | "(" boolean ")" | value ( op value )?     op = == != &lt; &lt;= &gt; &gt;=
 * value      = literal | list | map | path | UPPER "(" args? ")" keys* | UPPER (an enum)
 * path       = LOWER ( "." LOWER )* keys*
 * keys       = "[" ( STRING | INT | value ) "]"
 * args       = arg ( "," arg )*          arg = ( LOWER "=" )? value
 * </pre>
 */
final class Parser {
  /** A value: evaluated against one element. */
  interface Expr {
    Object eval(EvalContext ctx);
  }

  /** A condition. */
  interface BoolExpr {
    boolean eval(EvalContext ctx);
  }

  /** A literal value (also enums), known at parse time. */
  record Literal(Object value) implements Expr {
    @Override
    public Object eval(EvalContext ctx) {
      return value;
    }
  }

  /** A path: a field of the element or of an enclosing one. */
  record PathExpr(String text, Paths.Accessor accessor) implements Expr {
    @Override
    public Object eval(EvalContext ctx) {
      return accessor.get(ctx);
    }
  }

  /** A list of values. */
  record ListExpr(List<Expr> items) implements Expr {
    @Override
    public Object eval(EvalContext ctx) {
      List<Object> out = new ArrayList<>(items.size());
      for (Expr e : items) {
        out.add(e.eval(ctx));
      }
      return out;
    }
  }

  /** A map of values. */
  record MapExpr(Map<String, Expr> entries) implements Expr {
    @Override
    public Object eval(EvalContext ctx) {
      Map<String, Object> out = new LinkedHashMap<>();
      entries.forEach((k, v) -> out.put(k, v.eval(ctx)));
      return out;
    }
  }

  /** A converter's name written without parentheses, as the optional function of replace_pattern. */
  record FunctionRef(String name) implements Expr {
    @Override
    public Object eval(EvalContext ctx) {
      throw new OttlException("function " + name + " is not a value");
    }
  }

  /** One argument of an invocation, with where it starts for errors. */
  record Arg(String name, Expr value, int offset) {}

  private static final List<String> COMPARISONS = List.of("==", "!=", "<", "<=", ">", ">=");

  private final String text;
  private final List<Token> tokens;
  private final OttlContext context;
  private int i;

  private Parser(String text, OttlContext context) {
    this.text = text;
    this.tokens = Lexer.tokenize(text);
    this.context = context;
  }

  static Statement statement(String text, OttlContext context) {
    Parser p = new Parser(text, context);
    Token name = p.peek();
    if (name.kind() != Kind.LOWER || !p.peek(1).is("(")) {
      throw p.error(name, "a statement starts with an editor call such as set(...), found " + name.describe());
    }
    p.i += 2;
    List<Arg> args = p.invocationArgs();
    Consumer<EvalContext> editor = Functions.editor(p, name, args);
    BoolExpr where = null;
    if (p.peek().is("where")) {
      p.i++;
      where = p.bool();
    }
    p.expectEnd();
    return new Statement(text, editor, where);
  }

  static Condition condition(String text, OttlContext context) {
    Parser p = new Parser(text, context);
    BoolExpr e = p.bool();
    p.expectEnd();
    return new Condition(text, e);
  }

  OttlContext context() {
    return context;
  }

  OttlParseException error(Token at, String problem) {
    return new OttlParseException(text, at.offset(), problem);
  }

  OttlParseException error(int offset, String problem) {
    return new OttlParseException(text, offset, problem);
  }

  private Token peek() {
    return tokens.get(i);
  }

  private Token peek(int ahead) {
    return tokens.get(Math.min(i + ahead, tokens.size() - 1));
  }

  private Token expect(String symbol) {
    Token t = peek();
    if (!t.is(symbol)) {
      throw error(t, "expected '" + symbol + "' but found " + t.describe());
    }
    i++;
    return t;
  }

  private void expectEnd() {
    Token t = peek();
    if (t.kind() != Kind.EOF) {
      String hint = t.is("where") ? "" : " (a statement has one editor call, then optionally 'where' and a condition)";
      throw error(t, "unexpected " + t.describe() + hint);
    }
  }

  // ---- conditions

  private BoolExpr bool() {
    BoolExpr left = term();
    while (peek().is("or")) {
      i++;
      BoolExpr l = left;
      BoolExpr r = term();
      left = ctx -> l.eval(ctx) || r.eval(ctx);
    }
    return left;
  }

  private BoolExpr term() {
    BoolExpr left = factor();
    while (peek().is("and")) {
      i++;
      BoolExpr l = left;
      BoolExpr r = factor();
      left = ctx -> l.eval(ctx) && r.eval(ctx);
    }
    return left;
  }

  private BoolExpr factor() {
    Token t = peek();
    if (t.is("not")) {
      i++;
      BoolExpr inner = factor();
      return ctx -> !inner.eval(ctx);
    }
    if (t.is("(")) {
      i++;
      BoolExpr inner = bool();
      expect(")");
      return inner;
    }
    if (t.kind() == Kind.EOF) {
      throw error(t, "expected a condition but the text ended");
    }
    Expr left = value(false);
    Token op = peek();
    if (op.kind() == Kind.SYMBOL && COMPARISONS.contains(op.text())) {
      i++;
      Expr right = value(false);
      String o = op.text();
      return ctx -> OttlValues.compare(left.eval(ctx), o, right.eval(ctx));
    }
    if (left instanceof Literal lit && lit.value() instanceof Boolean b) {
      return ctx -> b;
    }
    if (left instanceof Literal || left instanceof PathExpr || left instanceof ListExpr || left instanceof MapExpr) {
      throw error(op, "expected a comparison operator (==, !=, <, <=, >, >=) but found " + op.describe());
    }
    return ctx -> {
      Object v = left.eval(ctx);
      if (v instanceof Boolean b) {
        return b;
      }
      throw new OttlException("a condition must be a boolean but a converter returned " + OttlValues.typeName(v));
    };
  }

  // ---- values

  /** A value; {@code functionRefs} allows a bare converter name (an optional function argument). */
  Expr value(boolean functionRefs) {
    Expr v = primary(functionRefs);
    Token next = peek();
    if (next.kind() == Kind.SYMBOL && "+-*/".contains(next.text())) {
      throw error(next, "math expressions (+ - * /) are not supported in tailshard's OTTL subset");
    }
    return v;
  }

  private Expr primary(boolean functionRefs) {
    Token t = peek();
    switch (t.kind()) {
      case STRING:
      case INT:
      case FLOAT:
      case BYTES:
        i++;
        return new Literal(t.value());
      case LOWER:
        switch (t.text()) {
          case "true":
            i++;
            return new Literal(Boolean.TRUE);
          case "false":
            i++;
            return new Literal(Boolean.FALSE);
          case "nil":
            i++;
            return new Literal(null);
          default:
            return path();
        }
      case UPPER:
        if (peek(1).is("(")) {
          i += 2;
          List<Arg> args = invocationArgs();
          Expr call = Functions.converter(this, t, args);
          List<Paths.Key> keys = keys();
          if (keys.isEmpty()) {
            return call;
          }
          return ctx -> Paths.index(call.eval(ctx), keys, 0, ctx);
        }
        i++;
        Long e = Enums.value(t.text());
        if (e != null) {
          return new Literal(e);
        }
        if (functionRefs) {
          return new FunctionRef(t.text());
        }
        throw error(t, "unknown enum '" + t.text() + "'; known: " + Enums.names());
      case SYMBOL:
        if (t.is("[")) {
          i++;
          List<Expr> items = new ArrayList<>();
          if (!peek().is("]")) {
            do {
              items.add(value(false));
            } while (consume(","));
          }
          expect("]");
          return new ListExpr(List.copyOf(items));
        }
        if (t.is("{")) {
          i++;
          Map<String, Expr> entries = new LinkedHashMap<>();
          if (!peek().is("}")) {
            do {
              Token k = peek();
              if (k.kind() != Kind.STRING) {
                throw error(k, "a map key must be a string, found " + k.describe());
              }
              i++;
              expect(":");
              entries.put((String) k.value(), value(false));
            } while (consume(","));
          }
          expect("}");
          return new MapExpr(entries);
        }
        if (t.is("(")) {
          throw error(t, "parentheses around values (math expressions) are not supported in tailshard's OTTL subset");
        }
        throw error(t, "expected a value but found " + t.describe());
      default:
        throw error(t, "expected a value but the text ended");
    }
  }

  private boolean consume(String symbol) {
    if (peek().is(symbol)) {
      i++;
      return true;
    }
    return false;
  }

  private Expr path() {
    Token start = peek();
    List<String> fields = new ArrayList<>();
    fields.add(start.text());
    i++;
    while (peek().is(".")) {
      i++;
      Token f = peek();
      if (f.kind() != Kind.LOWER) {
        throw error(f, "expected a field name after '.' but found " + f.describe());
      }
      fields.add(f.text());
      i++;
    }
    if (peek().is("(")) {
      throw error(start, "'" + start.text() + "' is an editor; editors cannot be used as values (converters start"
          + " with an uppercase letter)");
    }
    List<Paths.Key> keys = keys();
    String written = text.substring(start.offset(), peek().offset()).trim();
    Paths.Accessor accessor = Paths.resolve(context, fields, keys, problem -> error(start, problem));
    return new PathExpr(written, accessor);
  }

  private List<Paths.Key> keys() {
    List<Paths.Key> keys = new ArrayList<>();
    while (peek().is("[")) {
      i++;
      Token k = peek();
      if ((k.kind() == Kind.STRING || k.kind() == Kind.INT) && peek(1).is("]")) {
        i++;
        keys.add(new Paths.Key(k.value(), null));
      } else if (k.kind() == Kind.LOWER || k.kind() == Kind.UPPER) {
        keys.add(new Paths.Key(null, value(false)));
      } else {
        throw error(k, "expected a string or int key but found " + k.describe());
      }
      expect("]");
    }
    return keys;
  }

  private List<Arg> invocationArgs() {
    // The '(' is consumed by the caller.
    List<Arg> args = new ArrayList<>();
    if (!peek().is(")")) {
      do {
        Token start = peek();
        String name = null;
        if (start.kind() == Kind.LOWER && peek(1).kind() == Kind.SYMBOL && peek(1).text().equals("=")) {
          name = start.text();
          i += 2;
        }
        int offset = peek().offset();
        args.add(new Arg(name, value(true), offset));
      } while (consume(","));
    }
    Token close = peek();
    if (!close.is(")")) {
      throw error(close, "expected ',' or ')' but found " + close.describe());
    }
    i++;
    return args;
  }

  /** The span kind and status code enums, as OTTL's span context names them. */
  static final class Enums {
    private static final Map<String, Long> VALUES = new LinkedHashMap<>();

    static {
      String[] kinds = {"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
        "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"};
      for (int k = 0; k < kinds.length; k++) {
        VALUES.put(kinds[k], (long) k);
      }
      VALUES.put("STATUS_CODE_UNSET", 0L);
      VALUES.put("STATUS_CODE_OK", 1L);
      VALUES.put("STATUS_CODE_ERROR", 2L);
    }

    private Enums() {}

    static Long value(String name) {
      return VALUES.get(name);
    }

    static String names() {
      return String.join(", ", VALUES.keySet());
    }
  }
}

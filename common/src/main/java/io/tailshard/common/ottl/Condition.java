package io.tailshard.common.ottl;

/** A parsed condition. Immutable and thread-safe; each evaluation gets its own {@link EvalContext}. */
public final class Condition {
  private final String text;
  private final Parser.BoolExpr expr;

  Condition(String text, Parser.BoolExpr expr) {
    this.text = text;
    this.expr = expr;
  }

  /** Whether the condition holds for one element; throws {@link OttlException} when evaluation fails. */
  public boolean eval(EvalContext ctx) {
    return expr.eval(ctx);
  }

  /** The condition as written. */
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }
}

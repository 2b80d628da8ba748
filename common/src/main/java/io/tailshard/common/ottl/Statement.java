package io.tailshard.common.ottl;

import java.util.function.Consumer;

/**
 * A parsed statement: one editor call, optionally guarded by a {@code where} condition.
 * Immutable and thread-safe; each run gets its own {@link EvalContext}.
 */
public final class Statement {
  private final String text;
  private final Consumer<EvalContext> editor;
  private final Parser.BoolExpr where;

  Statement(String text, Consumer<EvalContext> editor, Parser.BoolExpr where) {
    this.text = text;
    this.editor = editor;
    this.where = where;
  }

  /**
   * Runs the statement on one element: the editor runs when there is no {@code where} or it holds.
   * Returns whether the editor ran; throws {@link OttlException} when evaluation fails.
   */
  public boolean execute(EvalContext ctx) {
    if (where != null && !where.eval(ctx)) {
      return false;
    }
    editor.accept(ctx);
    return true;
  }

  /** The statement as written. */
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }
}

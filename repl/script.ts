/**
 * `.ragsh` files as scripts (`repl.md` §5): a file is one cell, or several separated by
 * lines `// %%` (the "percent" cell format of Jupytext and VS Code). Each cell keeps its
 * file's line numbers, so diagnostics point at `script.ragsh:LINE:COL`.
 */
import { lexRagsh } from "../grammar/ragsh/lexer.js";
import { LineIndex } from "../grammar/span.js";

export interface ScriptCell {
  /** The cell's source, padded with newlines so its lines keep the file's numbering. */
  readonly source: string;
  /** 1-based line of the file where the cell starts. */
  readonly line: number;
}

const MARKER = /^[ \t]*\/\/[ \t]*%%.*$/;

/** Splits a script into cells at `// %%` lines (empty cells are dropped). */
export function splitCells(text: string): ScriptCell[] {
  const lines = text.split(/\r?\n/);
  const cells: ScriptCell[] = [];
  let start = 0;
  const flush = (end: number) => {
    const body = lines.slice(start, end).join("\n");
    if (body.trim()) cells.push({ source: "\n".repeat(start) + body, line: start + 1 });
  };
  lines.forEach((l, i) => {
    if (MARKER.test(l)) {
      flush(i);
      start = i + 1;
    }
  });
  flush(lines.length);
  return cells;
}

/**
 * True while a cell typed at the prompt is unfinished: a bracket is still open, or a
 * template string or block comment is not closed yet (`repl.md` §5, multi-line input).
 */
export function isIncomplete(text: string): boolean {
  const lexed = lexRagsh(text, new LineIndex(text), { nestingDepth: 1_000 });
  if (lexed.diagnostics.some((d) => d.code === "E-ragsh-unterminated-comment" || (d.code === "E-ragsh-unterminated-string" && d.message.startsWith("template")))) return true;
  let depth = 0;
  for (const t of lexed.tokens) {
    const n = t.tokenType.name;
    if (n === "LParen" || n === "LBracket" || n === "LCurly" || n === "HashLCurly") depth++;
    else if (n === "RParen" || n === "RBracket" || n === "RCurly") depth--;
  }
  return depth > 0;
}

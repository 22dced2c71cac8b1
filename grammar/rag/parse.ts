/**
 * `parseRag`: source text → AST plus diagnostics. Never throws for any input: lexical
 * and syntax errors, limits and recovery all end in diagnostics (`language.md` §1, §5).
 */
import { diagnostic, sortDiagnostics, type Diagnostic, type Result } from "../diagnostic.js";
import { dedupeDiagnostics, endOfCode, syntaxDiagnostics } from "../parse-support.js";
import { LineIndex } from "../span.js";
import type { Program } from "./ast.js";
import { BuildContext } from "./build-context.js";
import { AstBuilder } from "./build-items.js";
import type { ProgramCstNode } from "./cst.generated.js";
import { fastParseRag } from "./fast-parse.js";
import { lex } from "./lexer.js";
import { resolveLimits, type FrontEndLimits } from "./limits.js";
import { ragParser } from "./parser.js";
import { unclosedNodeDiagnostic } from "./unclosed-node.js";

export interface ParseOptions {
  /** File name used in diagnostics. */
  readonly file?: string;
  readonly limits?: Partial<FrontEndLimits>;
  /**
   * Try the hand-written fast path (fast-parse.ts) first; default true. It returns the
   * same AST as the Chevrotain path for well-formed input and defers to that path for
   * everything else, so turning it off changes speed only (tests and benchmarks compare).
   */
  readonly fastPath?: boolean;
}

export interface ParseOutput extends Result<Program> {
  readonly lines: LineIndex;
}

/**
 * Parses `.rag` source. The program is partial when diagnostics hold errors.
 *
 * Well-formed source takes the fast path (fast-parse.ts: no CST, no Chevrotain, and the
 * Chevrotain parser is not even constructed); anything it does not take — every input
 * with a diagnostic among them — goes through Chevrotain's parser with error recovery
 * and the CST → AST build, which report the problems.
 */
export function parseRag(source: string, options: ParseOptions = {}): ParseOutput {
  const lines = new LineIndex(source);
  const limits = resolveLimits(options.limits);
  if (options.fastPath !== false && source.length <= limits.sourceSize) {
    let program: Program | undefined;
    try {
      program = fastParseRag(source, lines, limits);
    } catch {
      // A fault of the fast path itself (its own tests call fastParseRag, which rethrows):
      // the user still gets Chevrotain's result, never a stack trace.
      program = undefined;
    }
    if (program !== undefined) return { value: program, diagnostics: [], lines };
  }
  const withFile = (ds: Diagnostic[]) => (options.file === undefined ? ds : ds.map((d) => ({ ...d, file: options.file as string })));
  const empty: Program = { kind: "Program", items: [], comments: [], span: lines.span(0, source.length) };

  if (source.length > limits.sourceSize) {
    const d = diagnostic("E-rag-limit-exceeded", `source is ${source.length} characters long; the limit is ${limits.sourceSize}`, lines.span(0, 0), {
      label: "file too large",
      help: "split the workflow into several files, or raise the `sourceSize` limit",
    });
    return { value: empty, diagnostics: withFile([d]), lines };
  }

  const lexed = lex(source, lines, limits);
  const parser = ragParser();
  parser.input = lexed.tokens;
  let cst: ProgramCstNode;
  try {
    cst = parser.program() as ProgramCstNode;
  } catch (e) {
    // Recursion the bracket limit does not see (e.g. `list<list<…>>` thousands deep) can
    // exhaust the stack; fail closed with a diagnostic, never a crash.
    if (!(e instanceof RangeError)) throw e;
    return { value: empty, diagnostics: withFile([...lexed.diagnostics, tooDeep(lines)]), lines };
  }
  // A node body cut short by the next `node NAME {` is reported as the node left open.
  const unclosed = new Map<object, Diagnostic>();
  for (const e of parser.errors) {
    const d = unclosedNodeDiagnostic(e, lexed.tokens, lines);
    if (d) unclosed.set(e, d);
  }
  const syntax = [...syntaxDiagnostics(unclosed.size ? parser.errors.filter((e) => !unclosed.has(e)) : parser.errors, lines, endOfCode(source), "E-rag-unexpected-token"), ...unclosed.values()];

  const ctx = new BuildContext(lines, undefined, limits.nestingDepth);
  let program: Program;
  try {
    program = new AstBuilder(ctx).program(cst, source, lexed.comments);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return { value: empty, diagnostics: withFile([...lexed.diagnostics, ...syntax, tooDeep(lines)]), lines };
  }
  return { value: program, diagnostics: withFile(sortDiagnostics(dedupeDiagnostics([...lexed.diagnostics, ...syntax, ...ctx.diagnostics]))), lines };
}

function tooDeep(lines: LineIndex): Diagnostic {
  return diagnostic("E-rag-limit-exceeded", "the source nests too deeply to parse", lines.span(0, 0), {
    label: "nesting too deep",
    help: "flatten the deepest structure (types, expressions or blocks); the limit protects the parser",
  });
}



export type { FrontEndLimits };

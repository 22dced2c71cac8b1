/**
 * `parseRagsh`: `.ragsh` source → AST plus diagnostics. Never throws for any input:
 * lexical and syntax errors, recovery and limits all end in diagnostics (`repl.md` §1, §3).
 */
import { dedupeDiagnostics, endOfCode, syntaxDiagnostics } from "../parse-support.js";
import { diagnostic, sortDiagnostics, type Diagnostic, type Result } from "../diagnostic.js";
import { LineIndex, type Span } from "../span.js";
import type * as A from "./ast.js";
import { RagshBuilder } from "./build.js";
import type { ExpressionCstNode, ProgramCstNode } from "./cst.generated.js";
import { lexRagsh } from "./lexer.js";
import { NestingLimitError, ragshParser } from "./parser.js";

/** Parser limits; each fails closed with a diagnostic. */
export interface RagshLimits {
  /** Maximum source size, UTF-16 code units (≈ bytes for ASCII). Default 1 MiB. */
  readonly scriptBytes: number;
  /** Maximum nesting of `( [ { #{`. Default 64. */
  readonly nestingDepth: number;
  /** Maximum depth of the AST (operator chains, unary chains, nesting). Default 400. */
  readonly astDepth: number;
}

export const DEFAULT_RAGSH_LIMITS: RagshLimits = { scriptBytes: 1024 * 1024, nestingDepth: 64, astDepth: 400 };

export interface RagshParseOptions {
  /** File name used in diagnostics (`<cell 3>` for REPL cells). */
  readonly file?: string;
  readonly limits?: Partial<RagshLimits>;
}

export interface RagshParseOutput extends Result<A.Program> {
  readonly lines: LineIndex;
}

/** Parses a `.ragsh` script or cell. The program is partial when diagnostics hold errors. */
export function parseRagsh(source: string, options: RagshParseOptions = {}): RagshParseOutput {
  const limits = { ...DEFAULT_RAGSH_LIMITS, ...options.limits };
  const lines = new LineIndex(source);
  const file = options.file;
  const extras = file !== undefined ? { file } : {};
  const empty: A.Program = { kind: "Program", body: [], span: lines.span(0, source.length) };
  if (source.length > limits.scriptBytes) {
    const d = diagnostic("E-ragsh-script-too-large", `the script is ${source.length} characters long; the limit is ${limits.scriptBytes}`, lines.span(0, 0), {
      ...extras,
      label: "script too large",
      help: "split the work into several cells, or keep large data in variables and `context` rather than in code",
    });
    return { value: empty, diagnostics: [d], lines };
  }

  const diagnostics: Diagnostic[] = [];
  const parseExpressionAt = (text: string, base: number): A.Expression => {
    const lexed = lexRagsh(text, lines, { base, nestingDepth: limits.nestingDepth, ...extras });
    diagnostics.push(...lexed.diagnostics);
    const parser = ragshParser();
    parser.input = lexed.tokens;
    let cst: ExpressionCstNode;
    try {
      cst = parser.expression() as ExpressionCstNode;
    } catch (e) {
      if (!(e instanceof NestingLimitError)) throw e;
      diagnostics.push(nestingDiagnostic(e, lines, extras));
      return { kind: "Null", span: lines.span(base, base + text.length) } as A.Expression;
    }
    diagnostics.push(...syntaxDiagnostics(parser.errors, lines, base + text.length, "E-ragsh-unexpected-token", file));
    return builder.expression(cst, lines.span(base, base + text.length));
  };
  const builder = new RagshBuilder(lines, file, parseExpressionAt);

  const lexed = lexRagsh(source, lines, { nestingDepth: limits.nestingDepth, ...extras });
  const parser = ragshParser();
  parser.input = lexed.tokens;
  let cst: ProgramCstNode;
  try {
    cst = parser.program() as ProgramCstNode;
  } catch (e) {
    if (!(e instanceof NestingLimitError)) throw e;
    return { value: empty, diagnostics: sortDiagnostics([...lexed.diagnostics, nestingDiagnostic(e, lines, extras)]), lines };
  }
  const syntax = syntaxDiagnostics(parser.errors, lines, endOfCode(source), "E-ragsh-unexpected-token", file);
  let program: A.Program;
  try {
    program = builder.program(cst, source);
  } catch (e) {
    // Recovery can leave CST shapes the builder does not expect; the syntax errors say why.
    if (!syntax.length) throw e;
    program = empty;
  }
  diagnostics.push(...lexed.diagnostics, ...syntax, ...builder.diagnostics);

  // An unsupported word (`import`, `new`, …) explains the syntax errors after it on its line.
  const words = diagnostics.filter((d) => d.code === "E-ragsh-unsupported-syntax").map((d) => d.span.start);
  const explained = (d: Diagnostic) => words.some((w) => w.line === d.span.start.line && w.offset <= d.span.start.offset);
  const kept = diagnostics.filter((d) => d.code !== "E-ragsh-unexpected-token" || !explained(d));
  const deep = deepestNode(program, limits.astDepth);
  if (deep) {
    kept.push(diagnostic("E-ragsh-nesting-limit", `the code nests more than ${limits.astDepth} levels deep`, deep, { ...extras, label: "too deep here", help: "split long operator chains and nested calls into variables" }));
  }
  return { value: program, diagnostics: sortDiagnostics(dedupeDiagnostics(kept)), lines };
}




function nestingDiagnostic(e: NestingLimitError, lines: LineIndex, extras: { file?: string }): Diagnostic {
  const at = Number.isFinite(e.token.startOffset) ? e.token.startOffset : 0;
  return diagnostic("E-ragsh-nesting-limit", e.message, lines.span(at, at + Math.max(1, e.token.image?.length ?? 1)), { ...extras, label: "too deep here", help: "split long chains of assignments, arrows, conditionals and nested statements into variables and functions" });
}

/** The span of the first node deeper than `max`, found without recursion (the AST may be deep). */
function deepestNode(root: A.Program, max: number): Span | undefined {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (Array.isArray(node)) {
      for (const x of node) stack.push([x, depth]);
      continue;
    }
    if (!node || typeof node !== "object") continue;
    const n = node as { kind?: string; span?: Span };
    if (typeof n.kind !== "string") continue;
    if (depth > max) return n.span;
    for (const [k, v] of Object.entries(n)) if (k !== "span" && k !== "keySpan" && k !== "propertySpan" && v && typeof v === "object") stack.push([v, depth + 1]);
  }
  return undefined;
}

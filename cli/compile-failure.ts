/**
 * A file that does not compile, reported the same way by every command that compiles
 * one (`compile`, `run`, `resume`, `approve`, `graph`, `diff`, `simulate`; issue 14 §4).
 * In JSON mode nothing goes to stderr: the returned CliError carries the diagnostics and
 * `main` prints `{"error": {"code": "compile", "message", "diagnostics"}}` on stdout
 * (cli/json-mode.ts). Otherwise the diagnostics are drawn on stderr here, and the command
 * either returns its status (`compileFailureStatus`) or throws the error, whose message
 * (often empty: the drawing says it all) follows them as `error: …`.
 */
// The renderer's module rather than the compiler's index (fewer modules to load at start).
import { diagnosticToJson, renderDiagnostics } from "../compiler/diagnostics/render.js";
import type { Diagnostic } from "../grammar/diagnostic.js";
import type { LineIndex } from "../grammar/span.js";
import { CliError } from "./errors.js";
import { renderStyle } from "./style.js";

/** How a command reports a file that does not compile (`compileFailure`). */
export interface CompileFailureOptions {
  /** JSON mode (`--json`, `--format json`). */
  readonly json: boolean;
  /** Exit status: the command's own (1 for compile/approve/graph, 2 for run/diff/simulate). */
  readonly exitCode: number;
  /** The JSON error's `message`, e.g. `flow.rag does not compile`. */
  readonly message: string;
  /** The line after the drawn diagnostics in human mode (default none: `""`). */
  readonly human?: string;
  /** The diagnostics drawn in human mode (default all); JSON always lists all of them. */
  readonly drawn?: readonly Diagnostic[];
}

/**
 * The CliError (code `compile`) to throw for `diagnostics` of the source `lines` shown
 * as `file`; draws them on stderr first unless `opts.json`. Returns rather than throws,
 * so callers write `throw compileFailure(…)` and the control flow stays visible.
 */
export function compileFailure(diagnostics: readonly Diagnostic[], where: { readonly lines: LineIndex; readonly file: string }, opts: CompileFailureOptions): CliError {
  const json = diagnostics.map((d) => diagnosticToJson(d, where.file));
  if (opts.json) return new CliError(opts.message, opts.exitCode, { code: "compile", diagnostics: json });
  const drawn = opts.drawn ?? diagnostics;
  if (drawn.length) process.stderr.write(renderDiagnostics(drawn, where, renderStyle(process.stderr)) + "\n");
  return new CliError(opts.human ?? "", opts.exitCode, { code: "compile", diagnostics: json });
}

/**
 * For a command that, in human mode, returns its status after drawing the diagnostics
 * (`compile`, `graph`, `approve`, `simulate`): draws them and returns `opts.exitCode`.
 * @throws CliError (code `compile`, with the diagnostics) in JSON mode.
 */
export function compileFailureStatus(diagnostics: readonly Diagnostic[], where: { readonly lines: LineIndex; readonly file: string }, opts: CompileFailureOptions): number {
  const failure = compileFailure(diagnostics, where, opts);
  if (opts.json) throw failure;
  return failure.exitCode;
}

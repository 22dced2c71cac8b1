/**
 * Script errors as diagnostics of a cell (split out of `session.ts`): `toDiagnostic`
 * turns a `ScriptError` into a diagnostic of the cell's file (code, message, span, label,
 * help, fixes), and `zeroSpan` is the span of an error or warning that has no place in
 * the source (line 1, column 1).
 */
import { diagnostic, type Diagnostic } from "../grammar/diagnostic.js";
import type { ScriptError } from "./errors.js";

/** The span at line 1, column 1, offset 0 (empty): for what has no place in the cell's source. */
export function zeroSpan() {
  return { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
}

/** A ScriptError as a diagnostic of the cell's file (`file`); its span, else `zeroSpan()`. */
export function toDiagnostic(e: ScriptError, file: string): Diagnostic {
  return diagnostic(e.code, e.message, e.span ?? zeroSpan(), {
    file,
    ...(e.extras.label ? { label: e.extras.label } : {}),
    ...(e.extras.help ? { help: e.extras.help } : {}),
    ...(e.extras.fixes ? { fixes: [...e.extras.fixes] } : {}),
  });
}

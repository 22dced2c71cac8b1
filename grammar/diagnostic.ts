/**
 * Diagnostics are data: every stage returns them, none throws them, and only the edge
 * (the CLI, the studio, an LLM repair loop) renders them. Shape from `language.md` §5.
 *
 * Codes are stable strings (`E-rag-unknown-node`); the prefix gives the severity
 * (`E-` error, `W-` warning, `I-` info). The catalog that documents every code lives in
 * `compiler/diagnostics/catalog.ts`; this module only defines the data.
 */
import type { Span } from "./span.js";

export type Severity = "error" | "warning" | "info";

/** A machine-applicable edit: replace the text of `span` with `replacement`. */
export interface Fix {
  readonly span: Span;
  readonly replacement: string;
  /** What the edit does, e.g. "replace `toolz` with `tools`". */
  readonly description: string;
}

/** A secondary span with its own message ("first defined here"). */
export interface Label {
  readonly span: Span;
  readonly message: string;
  /** Only when the label points into another file than the diagnostic. */
  readonly file?: string;
}

export interface Diagnostic {
  readonly severity: Severity;
  /** Stable code, e.g. `E-rag-unknown-node`. */
  readonly code: string;
  /** One sentence, with names in backticks. */
  readonly message: string;
  /** The file the span points into, when known. */
  readonly file?: string;
  /** The smallest span at fault. */
  readonly span: Span;
  /** Text shown under the primary carets (e.g. "unknown node"). */
  readonly label?: string;
  readonly labels: readonly Label[];
  readonly help?: string;
  readonly fixes: readonly Fix[];
}

/** The outcome of a stage: a value (possibly partial) plus everything worth reporting. */
export interface Result<T> {
  readonly value: T;
  readonly diagnostics: readonly Diagnostic[];
}

/** Severity implied by a code's prefix. */
export function severityOf(code: string): Severity {
  if (code.startsWith("W-")) return "warning";
  if (code.startsWith("I-")) return "info";
  return "error";
}

export interface DiagnosticExtras {
  label?: string;
  labels?: Label[];
  help?: string;
  fixes?: Fix[];
  file?: string;
}

/** Builds a diagnostic whose severity follows from its code. */
export function diagnostic(code: string, message: string, span: Span, extras: DiagnosticExtras = {}): Diagnostic {
  const d: Diagnostic = {
    severity: severityOf(code),
    code,
    message,
    span,
    labels: extras.labels ?? [],
    fixes: extras.fixes ?? [],
    ...(extras.file !== undefined ? { file: extras.file } : {}),
    ...(extras.label !== undefined ? { label: extras.label } : {}),
    ...(extras.help !== undefined ? { help: extras.help } : {}),
  };
  return d;
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Stable order: by offset, then code. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => (a.file ?? "").localeCompare(b.file ?? "") || a.span.start.offset - b.span.start.offset || a.code.localeCompare(b.code),
  );
}

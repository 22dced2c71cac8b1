/**
 * Renders diagnostics for people, in the layout of `language.md` §5 (after rustc):
 *
 * ```
 * error[E-rag-unknown-node]: route target `toolz` does not exist
 *   --> support.rag:11:20
 *    |
 * 11 |       tool_call -> toolz
 *    |                    ^^^^^ unknown node
 *    |
 * help: did you mean `tools`?
 * ```
 *
 * Colors are injected (`RenderStyle`) so this module stays free of terminal concerns
 * and runs in a browser.
 */
import type { Diagnostic } from "../../grammar/diagnostic.js";
import type { LineIndex, Span } from "../../grammar/span.js";

export interface RenderStyle {
  error(s: string): string;
  warning(s: string): string;
  info(s: string): string;
  bold(s: string): string;
  gutter(s: string): string;
  secondary(s: string): string;
}

const plain = (s: string) => s;
export const PLAIN_STYLE: RenderStyle = { error: plain, warning: plain, info: plain, bold: plain, gutter: plain, secondary: plain };

const TAB = "    ";

export interface RenderSource {
  readonly lines: LineIndex;
  readonly file?: string;
}

/** One diagnostic as text (no trailing newline). */
export function renderDiagnostic(d: Diagnostic, src: RenderSource, style: RenderStyle = PLAIN_STYLE): string {
  const sev = d.severity === "error" ? style.error : d.severity === "warning" ? style.warning : style.info;
  const file = d.file ?? src.file ?? "<input>";
  const out: string[] = [];
  out.push(style.bold(sev(`${d.severity}[${d.code}]`) + `: ${d.message}`));
  const spans: { span: Span; text: string; primary: boolean }[] = [{ span: d.span, text: d.label ?? "", primary: true }];
  for (const l of d.labels) if (!l.file || l.file === file) spans.push({ span: l.span, text: l.message, primary: false });
  const maxLine = Math.max(...spans.map((s) => s.span.start.line));
  const width = String(maxLine).length;
  const pad = " ".repeat(width);
  out.push(`${pad}${style.gutter("-->")} ${file}:${d.span.start.line}:${d.span.start.column}`);
  out.push(`${pad} ${style.gutter("|")}`);
  const sorted = [...spans].sort((a, b) => a.span.start.offset - b.span.start.offset);
  let lastLine = -1;
  for (const s of sorted) {
    const line = s.span.start.line;
    const text = src.lines.lineText(line);
    if (line !== lastLine) {
      if (lastLine !== -1 && line > lastLine + 1) out.push(`${style.gutter("...")}`);
      out.push(`${style.gutter(String(line).padStart(width) + " |")} ${text.replace(/\t/g, TAB)}`);
    }
    lastLine = line;
    const startCol = s.span.start.column;
    const endCol = s.span.end.line === line ? s.span.end.column : text.length + 1;
    const before = text.slice(0, startCol - 1).replace(/\t/g, TAB);
    const under = text.slice(startCol - 1, Math.max(startCol, endCol) - 1).replace(/\t/g, TAB);
    const marks = (s.primary ? "^" : "-").repeat(Math.max(1, under.length));
    const colored = s.primary ? sev(marks + (s.text ? " " + s.text : "")) : style.secondary(marks + (s.text ? " " + s.text : ""));
    out.push(`${pad} ${style.gutter("|")} ${" ".repeat(before.length)}${colored}`);
  }
  for (const l of d.labels) if (l.file && l.file !== file) out.push(`${pad} ${style.gutter("=")} note: ${l.message} (${l.file}:${l.span.start.line}:${l.span.start.column})`);
  if (d.help) {
    out.push(`${pad} ${style.gutter("|")}`);
    out.push(`${style.bold("help")}: ${d.help}`);
  }
  return out.join("\n");
}

/** Several diagnostics separated by blank lines, plus a summary line. */
export function renderDiagnostics(ds: readonly Diagnostic[], src: RenderSource, style: RenderStyle = PLAIN_STYLE): string {
  if (ds.length === 0) return "";
  const errors = ds.filter((d) => d.severity === "error").length;
  const warnings = ds.filter((d) => d.severity === "warning").length;
  const parts = ds.map((d) => renderDiagnostic(d, src, style));
  const summary: string[] = [];
  if (errors) summary.push(`${errors} error${errors === 1 ? "" : "s"}`);
  if (warnings) summary.push(`${warnings} warning${warnings === 1 ? "" : "s"}`);
  return parts.join("\n\n") + (summary.length ? `\n\n${summary.join(", ")}` : "");
}

/** The JSON shape of `rag check --format json` (`language.md` §5). */
export function diagnosticToJson(d: Diagnostic, file?: string): Record<string, unknown> {
  return {
    severity: d.severity,
    code: d.code,
    message: d.message,
    file: d.file ?? file ?? null,
    span: d.span,
    ...(d.label !== undefined ? { label: d.label } : {}),
    labels: d.labels,
    ...(d.help !== undefined ? { help: d.help } : {}),
    fixes: d.fixes,
  };
}

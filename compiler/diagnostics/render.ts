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

/** Secondary labels drawn per diagnostic; the rest are counted in a note. */
export const MAX_RENDERED_LABELS = 20;

/** Diagnostics drawn per call of {@link renderDiagnostics} (errors first); the rest are counted. */
export const MAX_RENDERED_DIAGNOSTICS = 50;

/**
 * One diagnostic as text (no trailing newline). At most {@link MAX_RENDERED_LABELS}
 * secondary labels in the file are drawn; a note counts the others.
 */
export function renderDiagnostic(d: Diagnostic, src: RenderSource, style: RenderStyle = PLAIN_STYLE): string {
  const sev = d.severity === "error" ? style.error : d.severity === "warning" ? style.warning : style.info;
  const file = d.file ?? src.file ?? "<input>";
  const out: string[] = [];
  out.push(style.bold(sev(`${d.severity}[${d.code}]`) + `: ${d.message}`));
  const spans: { span: Span; text: string; primary: boolean }[] = [{ span: d.span, text: d.label ?? "", primary: true }];
  let hiddenLabels = 0;
  for (const l of d.labels) {
    if (l.file && l.file !== file) continue;
    if (spans.length > MAX_RENDERED_LABELS) hiddenLabels++;
    else spans.push({ span: l.span, text: l.message, primary: false });
  }
  let maxLine = 0;
  for (const s of spans) maxLine = Math.max(maxLine, s.span.start.line);
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
  if (hiddenLabels) out.push(`${pad} ${style.gutter("=")} note: ${hiddenLabels} more label${hiddenLabels === 1 ? "" : "s"} not shown`);
  let otherFiles = 0;
  for (const l of d.labels) {
    if (!l.file || l.file === file) continue;
    if (++otherFiles <= MAX_RENDERED_LABELS) out.push(`${pad} ${style.gutter("=")} note: ${l.message} (${l.file}:${l.span.start.line}:${l.span.start.column})`);
  }
  if (otherFiles > MAX_RENDERED_LABELS) out.push(`${pad} ${style.gutter("=")} note: ${otherFiles - MAX_RENDERED_LABELS} more notes in other files not shown`);
  if (d.help) {
    out.push(`${pad} ${style.gutter("|")}`);
    out.push(`${style.bold("help")}: ${d.help}`);
  }
  return out.join("\n");
}

/**
 * Several diagnostics separated by blank lines, plus a summary line. At most `maxShown`
 * (default {@link MAX_RENDERED_DIAGNOSTICS}) are drawn — errors before warnings, each
 * group in the given order — so a file with thousands of findings prints a readable,
 * bounded report; the summary still counts all of them and says how many were left out
 * (the JSON output lists every one).
 */
export function renderDiagnostics(ds: readonly Diagnostic[], src: RenderSource, style: RenderStyle = PLAIN_STYLE, maxShown: number = MAX_RENDERED_DIAGNOSTICS): string {
  if (ds.length === 0) return "";
  const errors = ds.filter((d) => d.severity === "error").length;
  const warnings = ds.filter((d) => d.severity === "warning").length;
  let shown = ds;
  if (ds.length > maxShown) {
    const keep = new Set([...ds.filter((d) => d.severity === "error"), ...ds.filter((d) => d.severity !== "error")].slice(0, maxShown));
    shown = ds.filter((d) => keep.has(d));
  }
  const parts = shown.map((d) => renderDiagnostic(d, src, style));
  const summary: string[] = [];
  if (errors) summary.push(`${errors} error${errors === 1 ? "" : "s"}`);
  if (warnings) summary.push(`${warnings} warning${warnings === 1 ? "" : "s"}`);
  const hidden = ds.length - shown.length;
  const more = hidden ? ` (${hidden} not shown; \`--format json\` lists all)` : "";
  return parts.join("\n\n") + (summary.length ? `\n\n${summary.join(", ")}${more}` : "");
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

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
import { windowLine, type DrawnLine } from "./line-window.js";

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

export interface RenderSource {
  readonly lines: LineIndex;
  readonly file?: string;
}

/** Secondary labels drawn per diagnostic; the rest are counted in a note. */
export const MAX_RENDERED_LABELS = 20;

/** Diagnostics drawn per call of {@link renderDiagnostics} (errors first); the rest are counted. */
export const MAX_RENDERED_DIAGNOSTICS = 50;

/** Characters of a message or help text drawn; a longer one keeps its start and end around `…`. */
export const MAX_RENDERED_MESSAGE_CHARS = 1000;

/** Characters of a label's text drawn (same elision). */
export const MAX_RENDERED_LABEL_CHARS = 200;

/**
 * Characters after which {@link renderDiagnostics} draws no further diagnostic (the
 * summary counts them as not shown). Each drawn diagnostic is bounded (source lines are
 * windowed, texts elided, labels capped), so a whole report stays under
 * `MAX_REPORT_CHARS` (512 KiB, docs/security.md).
 */
export const MAX_RENDERED_REPORT_CHARS = 256 * 1024;

/** `s` with its middle elided to at most `n` characters (never splitting a surrogate pair). */
export function elide(s: string, n: number): string {
  if (s.length <= n) return s;
  const keep = n - 1;
  let head = Math.ceil(keep / 2);
  let tail = s.length - Math.floor(keep / 2);
  const lowAt = (i: number) => i > 0 && i < s.length && s.charCodeAt(i) >= 0xdc00 && s.charCodeAt(i) <= 0xdfff;
  if (lowAt(head)) head--;
  if (lowAt(tail)) tail++;
  return s.slice(0, head) + "…" + s.slice(tail);
}

/**
 * One diagnostic as text (no trailing newline). At most {@link MAX_RENDERED_LABELS}
 * secondary labels in the file are drawn; a note counts the others.
 */
export function renderDiagnostic(d: Diagnostic, src: RenderSource, style: RenderStyle = PLAIN_STYLE): string {
  const sev = d.severity === "error" ? style.error : d.severity === "warning" ? style.warning : style.info;
  const file = d.file ?? src.file ?? "<input>";
  const out: string[] = [];
  out.push(style.bold(sev(`${d.severity}[${d.code}]`) + `: ${elide(d.message, MAX_RENDERED_MESSAGE_CHARS)}`));
  const spans: { span: Span; text: string; primary: boolean }[] = [{ span: d.span, text: elide(d.label ?? "", MAX_RENDERED_LABEL_CHARS), primary: true }];
  let hiddenLabels = 0;
  for (const l of d.labels) {
    if (l.file && l.file !== file) continue;
    if (spans.length > MAX_RENDERED_LABELS) hiddenLabels++;
    else spans.push({ span: l.span, text: elide(l.message, MAX_RENDERED_LABEL_CHARS), primary: false });
  }
  let maxLine = 0;
  for (const s of spans) maxLine = Math.max(maxLine, s.span.start.line);
  const width = String(maxLine).length;
  const pad = " ".repeat(width);
  out.push(`${pad}${style.gutter("-->")} ${file}:${d.span.start.line}:${d.span.start.column}`);
  out.push(`${pad} ${style.gutter("|")}`);
  const sorted = [...spans].sort((a, b) => a.span.start.offset - b.span.start.offset);
  let lastLine = -1;
  let drawn: DrawnLine | undefined;
  for (const s of sorted) {
    const line = s.span.start.line;
    const text = src.lines.lineText(line);
    const startCol = s.span.start.column;
    const endCol = s.span.end.line === line ? s.span.end.column : text.length + 1;
    // Long lines are windowed around the span (line-window.ts); labels on one line share
    // the drawn slice when they fall inside it, else the line is drawn again.
    const w = windowLine(text, startCol - 1, Math.max(startCol, endCol) - 1, line === lastLine ? drawn : undefined);
    if (line !== lastLine || w.from !== drawn?.from || w.to !== drawn?.to) {
      if (lastLine !== -1 && line > lastLine + 1) out.push(`${style.gutter("...")}`);
      out.push(`${style.gutter(String(line).padStart(width) + " |")} ${w.text}`);
    }
    lastLine = line;
    drawn = w;
    const marks = (s.primary ? "^" : "-").repeat(w.marks);
    const colored = s.primary ? sev(marks + (s.text ? " " + s.text : "")) : style.secondary(marks + (s.text ? " " + s.text : ""));
    out.push(`${pad} ${style.gutter("|")} ${" ".repeat(w.pad)}${colored}`);
  }
  if (hiddenLabels) out.push(`${pad} ${style.gutter("=")} note: ${hiddenLabels} more label${hiddenLabels === 1 ? "" : "s"} not shown`);
  let otherFiles = 0;
  for (const l of d.labels) {
    if (!l.file || l.file === file) continue;
    if (++otherFiles <= MAX_RENDERED_LABELS) out.push(`${pad} ${style.gutter("=")} note: ${elide(l.message, MAX_RENDERED_LABEL_CHARS)} (${elide(l.file, MAX_RENDERED_LABEL_CHARS)}:${l.span.start.line}:${l.span.start.column})`);
  }
  if (otherFiles > MAX_RENDERED_LABELS) out.push(`${pad} ${style.gutter("=")} note: ${otherFiles - MAX_RENDERED_LABELS} more notes in other files not shown`);
  if (d.help) {
    out.push(`${pad} ${style.gutter("|")}`);
    out.push(`${style.bold("help")}: ${elide(d.help, MAX_RENDERED_MESSAGE_CHARS)}`);
  }
  return out.join("\n");
}

/**
 * Several diagnostics separated by blank lines, plus a summary line. At most `maxShown`
 * (default {@link MAX_RENDERED_DIAGNOSTICS}) are drawn — errors before warnings, each
 * group in the given order — and none after the report passes
 * {@link MAX_RENDERED_REPORT_CHARS}, so a file with thousands of findings prints a readable,
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
  const parts: string[] = [];
  let size = 0;
  for (const d of shown) {
    if (size > MAX_RENDERED_REPORT_CHARS) break;
    const part = renderDiagnostic(d, src, style);
    parts.push(part);
    size += part.length + 2;
  }
  const summary: string[] = [];
  if (errors) summary.push(`${errors} error${errors === 1 ? "" : "s"}`);
  if (warnings) summary.push(`${warnings} warning${warnings === 1 ? "" : "s"}`);
  const hidden = ds.length - parts.length;
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

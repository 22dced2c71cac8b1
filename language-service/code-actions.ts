/**
 * Code actions: each compiler fix of a diagnostic touching the requested range is a
 * `quickfix`; when the document has any fix, `source.fixAll.rag` applies them all the
 * way `rag check --fix` does (compiler `fixAll`: non-overlapping edits, re-checked until
 * nothing applies).
 */
import { fixAll, type RegistryView } from "../compiler/index.js";
import type { Document } from "./document.js";
import { diffEdits } from "./edits.js";
import { toLsDiagnostic } from "./diagnostics.js";
import { toOffset } from "./positions.js";
import type { LsCodeAction, LsRange } from "./types.js";

export function codeActions(doc: Document, range: LsRange, registry: RegistryView | undefined): LsCodeAction[] {
  const start = toOffset(doc.lines, range.start);
  const end = toOffset(doc.lines, range.end);
  const out: LsCodeAction[] = [];
  let anyFix = false;
  for (const d of doc.diagnostics) {
    if (!d.fixes.length) continue;
    anyFix = true;
    if (d.span.end.offset < start || d.span.start.offset > end) continue;
    const ls = toLsDiagnostic(doc.uri, d);
    for (const fix of ls.data.fixes) out.push({ title: fix.title, kind: "quickfix", diagnostics: [ls], isPreferred: true, edit: { changes: { [doc.uri]: fix.edits } } });
  }
  if (anyFix) {
    const r = fixAll(doc.text, registry ? { registry } : {});
    const edits = diffEdits(doc.lines, r.text);
    if (edits.length) out.push({ title: `Fix all auto-fixable problems (${r.applied.length})`, kind: "source.fixAll.rag", edit: { changes: { [doc.uri]: edits } } });
  }
  return out;
}

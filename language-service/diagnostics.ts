/**
 * Compiler diagnostics as LSP-shaped diagnostics: one per compiler diagnostic, its
 * labels as related information, its fixes kept in `data` (code actions offer them).
 */
import type { Diagnostic, Fix } from "../grammar/index.js";
import type { Document } from "./document.js";
import { toRange } from "./positions.js";
import type { LsDiagnostic, LsFix, LsSeverity } from "./types.js";

const SEVERITY: Record<Diagnostic["severity"], LsSeverity> = { error: 1, warning: 2, info: 3 };
/** Codes whose span is code with no effect: editors fade it (LSP `DiagnosticTag.Unnecessary`). */
const UNNECESSARY = new Set(["W-rag-item-unused", "W-rag-unreachable-node"]);

/** The document's diagnostics, in source order. */
export function documentDiagnostics(doc: Document): LsDiagnostic[] {
  return doc.diagnostics.map((d) => toLsDiagnostic(doc.uri, d));
}

/** One compiler diagnostic, LSP-shaped. Labels pointing into other files are dropped (no URI known). */
export function toLsDiagnostic(uri: string, d: Diagnostic): LsDiagnostic {
  const related = d.labels.filter((l) => l.file === undefined || l.file === d.file).map((l) => ({ location: { uri, range: toRange(l.span) }, message: l.message }));
  return {
    range: toRange(d.span),
    severity: SEVERITY[d.severity],
    code: d.code,
    source: "rag",
    message: d.help ? `${d.message}\nhelp: ${d.help}` : d.message,
    ...(related.length ? { relatedInformation: related } : {}),
    ...(UNNECESSARY.has(d.code) ? { tags: [1 as const] } : {}),
    data: { fixes: d.fixes.length ? [toLsFix(d.fixes)] : [] },
  };
}

/** A diagnostic's fixes are one edit (compiler/fixes.ts): all apply, or none. */
function toLsFix(fixes: readonly Fix[]): LsFix {
  return { title: fixes.map((f) => f.description).join("; "), edits: fixes.map((f) => ({ range: toRange(f.span), newText: f.replacement })) };
}

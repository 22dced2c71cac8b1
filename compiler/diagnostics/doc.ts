/**
 * `docs/diagnostics.md`, generated from the catalog (`npm run docs:diagnostics`; a test
 * fails when the committed file differs). Each entry shows its meaning, its example
 * program and what `rag check` prints for it — compiled here, so the page cannot drift
 * from the compiler — and whether a machine fix applies.
 */
import { compileGraph } from "../compile.js";
import { registryViewFromSnapshot } from "../registry-view.js";
import { CATALOG, CATALOG_AREAS, type CatalogEntry } from "./catalog.js";
import { renderDiagnostic } from "./render.js";

const anchor = (code: string) => code.toLowerCase();

function compiled(e: CatalogEntry) {
  const r = compileGraph(e.example, { file: "example.rag", ...(e.exampleRegistry ? { registry: registryViewFromSnapshot(e.exampleRegistry) } : {}) });
  const d = r.diagnostics.find((x) => x.code === e.code);
  return { d, lines: r.compilation.lines };
}

function registryNote(e: CatalogEntry): string {
  const reg = e.exampleRegistry;
  if (!reg) return "";
  const parts = Object.entries(reg)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `\`${k}\`: ${Array.isArray(v) ? v.map((x) => `\`${x}\``).join(", ") : `\`${JSON.stringify(v)}\``}`);
  return `Checked against a registry with ${parts.join("; ")}.\n\n`;
}

/** The whole page. */
export function diagnosticsDoc(): string {
  const out: string[] = [];
  out.push(
    "# Diagnostics",
    "",
    "<!-- Generated from compiler/diagnostics/catalog/*.ts by `npm run docs:diagnostics`. Do not edit by hand. -->",
    "",
    "Every diagnostic of the `.rag` front end has a stable code, documented here once with a program that triggers it",
    "and what `rag check` prints for that program. The code's prefix is its severity: `E-` an error (the graph does not",
    "compile), `W-` a warning (it compiles; look anyway). With `rag check --format json` each diagnostic is",
    "`{severity, code, message, file, span, labels, help?, fixes}`. A *machine fix* is attached where the right edit is",
    "unambiguous; `rag check --fix` applies them (never two overlapping edits; it re-checks and repeats until nothing",
    "applies, and running it again changes nothing). While a file has a syntax error, warnings are held back and",
    "errors inside the damaged node are dropped (they echo the syntax error); errors elsewhere are still reported.",
    "",
    "| code | severity | title | machine fix |",
    "|---|---|---|---|",
  );
  const fixable = new Map<string, boolean>();
  for (const e of CATALOG) {
    const fix = e.example ? Boolean(compiled(e).d?.fixes.length) : false;
    fixable.set(e.code, fix);
    out.push(`| [\`${e.code}\`](#${anchor(e.code)}) | ${e.code.startsWith("W-") ? "warning" : "error"} | ${e.title} | ${fix ? "yes" : ""} |`);
  }
  for (const { area, entries } of CATALOG_AREAS) {
    out.push("", `## ${area}`);
    for (const e of entries) {
      out.push("", `### ${e.code}`, "", `**${e.title}** (${e.code.startsWith("W-") ? "warning" : "error"}${fixable.get(e.code) ? ", machine fix" : ""}). ${e.meaning}`, "");
      if (!e.example) {
        out.push("No example: this code reports a bug in ragraph itself, never a mistake in a file.");
        continue;
      }
      out.push(registryNote(e) + "```rag", e.example, "```", "");
      const { d, lines } = compiled(e);
      out.push("```", d ? renderDiagnostic(d, { lines, file: "example.rag" }) : "(not reported: the catalog test fails)", "```");
    }
  }
  return out.join("\n").replace(/\n\n\n+/g, "\n\n") + "\n";
}

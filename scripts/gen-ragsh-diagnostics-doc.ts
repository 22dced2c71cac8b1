/**
 * Writes docs/ragsh-diagnostics.md from the `.ragsh` catalog (compiler/diagnostics/
 * catalog/ragsh.ts): each code with its meaning, its example cell and what the session
 * reports for it — run here in a real session over the catalog registry, so the page
 * cannot drift from the interpreter. Run: `npx tsx scripts/gen-ragsh-diagnostics-doc.ts`;
 * test/repl/diagnostics-doc.test.ts fails when the committed file is stale.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderDiagnostic } from "../compiler/index.js";
import { RAGSH } from "../compiler/diagnostics/catalog/ragsh.js";
import { LineIndex } from "../grammar/span.js";
import { harness } from "../test/repl/helpers.js";

export async function ragshDiagnosticsDoc(): Promise<string> {
  const out = [
    "# `.ragsh` diagnostics",
    "",
    "<!-- Generated from compiler/diagnostics/catalog/ragsh.ts by `npx tsx scripts/gen-ragsh-diagnostics-doc.ts`. Do not edit by hand. -->",
    "",
    "Every diagnostic a `.ragsh` session reports — parsing a cell, the static check before it runs, and the",
    "interpreter with its sandbox and limits ([the REPL guide](../README.md#the-ragsh-repl)) — has a stable code, documented here with a cell that",
    "triggers it and what the session prints. `E-` stops the cell; `W-` is reported beside its result. The examples run",
    "in a session whose registry has the model `default` (scripted), the tools `search`, `wait`, `broken` (always",
    "fails) and `leaky` (returns a getter), the agent `researcher` and the graph `hello`.",
    "",
    "| code | title |",
    "|---|---|",
    ...RAGSH.map((e) => `| [\`${e.code}\`](#${e.code.toLowerCase()}) | ${e.title} |`),
  ];
  for (const e of RAGSH) {
    out.push("", `## ${e.code}`, "", `**${e.title}** (${e.code.startsWith("W-") ? "warning" : "error"}). ${e.meaning}`, "");
    if (!e.example) {
      out.push("No example: this code reports a bug in ragraph itself, never a mistake in a cell.");
      continue;
    }
    const notes = [
      ...(e.examplePolicy ? [`under the policy ${Object.entries(e.examplePolicy).map(([k, v]) => `\`${k}: ${v}\``).join(", ")}`] : []),
      ...(e.exampleAuthor ? [`written by a ${e.exampleAuthor}`] : []),
      ...(e.exampleCancelAfterMs !== undefined ? [`cancelled by the host after ${e.exampleCancelAfterMs} ms`] : []),
    ];
    if (notes.length) out.push(`Run ${notes.join(", ")}.`, "");
    const h = harness({ policy: e.examplePolicy ?? {}, ...(e.exampleAuthor ? { author: e.exampleAuthor } : {}) });
    const pending = h.session.runCell(e.example, { file: "example.ragsh" });
    if (e.exampleCancelAfterMs !== undefined) setTimeout(() => h.session.cancel(), e.exampleCancelAfterMs);
    const r = await pending;
    const d = r.diagnostics.find((x) => x.code === e.code);
    out.push("```js", e.example, "```", "", "```", d ? renderDiagnostic(d, { lines: new LineIndex(e.example), file: "example.ragsh" }) : "(not reported: the catalog test fails)", "```");
  }
  return out.join("\n") + "\n";
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = new URL("../docs/ragsh-diagnostics.md", import.meta.url).pathname;
  writeFileSync(path, await ragshDiagnosticsDoc());
  process.stdout.write(`wrote ${path}\n`);
}

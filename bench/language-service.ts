/**
 * `npm run bench:lsp`: the language service on a generated 1,000-node graph, as an
 * editor drives it on each keystroke (issue 12 §4 asks diagnostics within 100 ms of a
 * keystroke on a 1,000-node file): `update` + `diagnostics` after a one-character edit,
 * then completion, hover and semantic tokens on the same text. Median of 21 runs after
 * one warm-up, wall clock ms. Prints a table, or JSON with `--json`.
 */
import { createLanguageService } from "../language-service/index.js";
import { generateGraph } from "./compiler/generate.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 10) / 10;

const src = generateGraph(1_000);
const uri = "file:///bench/big.rag";
const ls = createLanguageService({ registry: { models: ["default"], tools: ["search"] } });
const lines = src.split("\n");
// The cursor: inside the first `next` target after the middle of the file.
const mid = lines.findIndex((l, i) => i >= lines.length / 2 && /\bnext \w/.test(l));
const pos = { line: mid, character: lines[mid].indexOf("next ") + 6 };

function measure(name: string, f: (i: number) => void): { workload: string; ms: number } {
  f(-1);
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    f(i);
    times.push(performance.now() - t0);
  }
  return { workload: name, ms: round(median(times)) };
}

const edited = (i: number) => src + `// edit ${i}\n`;
const rows = [
  measure("keystroke → diagnostics", (i) => {
    ls.update(uri, edited(i));
    ls.diagnostics(uri);
  }),
  measure("keystroke → completion", (i) => {
    ls.update(uri, edited(i));
    ls.completion(uri, pos);
  }),
  measure("hover (warm document)", () => ls.hover(uri, pos)),
  measure("references (warm document)", () => ls.references(uri, pos)),
  measure("semantic tokens (warm document)", () => ls.semanticTokens(uri)),
  measure("document symbols (warm document)", () => ls.symbols(uri)),
];
if (process.argv.includes("--json")) process.stdout.write(JSON.stringify({ nodes: 1_000, lines: lines.length, rows }, null, 2) + "\n");
else {
  process.stdout.write(`language service, 1,000-node graph (${lines.length} lines), median of 21, ms\n`);
  for (const r of rows) process.stdout.write(`  ${r.workload.padEnd(36)} ${String(r.ms).padStart(8)}\n`);
}

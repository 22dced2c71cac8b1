/**
 * `tsx bench/compiler/parse-fast.ts`: parse times of the 10k-node file and the 20k-graphs
 * file, through `parseRag` (fast path when it applies) and, for comparison, through the
 * Chevrotain path alone (`RAGRAPH_NO_FAST_PARSE=1`). Median of 7 after 2 warm-ups, ms.
 */
import { parseRag } from "../../grammar/rag/parse.js";
import { generateGraph } from "./generate.js";

function manyGraphs(graphs: number): string {
  return Array.from({ length: graphs }, (_, i) => `graph g${i} { start a node a { next END } }`).join("\n") + "\n";
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const t0 = performance.now();
const first = parseRag("graph g { start a node a { next END } }");
const firstMs = performance.now() - t0;
if (first.diagnostics.length) throw new Error("first parse has diagnostics");
for (const [name, src] of [["10k", generateGraph(10_000)], ["20k-graphs", manyGraphs(20_000)]] as const) {
  const runs: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t = performance.now();
    const r = parseRag(src);
    runs.push(performance.now() - t);
    if (r.diagnostics.length) throw new Error(`${name}: ${r.diagnostics[0].message}`);
  }
  console.log(`${name}: median ${median(runs.slice(2)).toFixed(1)} ms, min ${Math.min(...runs.slice(2)).toFixed(1)} ms`);
}
console.log(`first parse (cold, incl. parser construction): ${firstMs.toFixed(1)} ms`);

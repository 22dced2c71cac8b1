/**
 * `tsx bench/compiler/parse-fast.ts`: `parseRag` time on the compiler benchmark's inputs
 * (the generated 10,000-node graph and the 20,000 one-node graphs), with the fast path
 * (fast-parse.ts) and with the Chevrotain path alone (`fastPath: false`). Median and
 * fastest of 7 runs after 2 warm-ups, wall clock, ms. Also the first parse in the process
 * (fast path: no Chevrotain parser construction).
 */
import { parseRag } from "../../grammar/rag/parse.js";
import { generateGraph, manyGraphs } from "./generate.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const t0 = performance.now();
const first = parseRag("graph g { start a node a { next END } }");
console.log(`first parse in the process (fast path): ${(performance.now() - t0).toFixed(1)} ms`);
if (first.diagnostics.length) throw new Error("first parse has diagnostics");
for (const [name, src] of [["10k-nodes", generateGraph(10_000)], ["20k-graphs", manyGraphs(20_000)]] as const) {
  for (const fastPath of [true, false]) {
    const runs: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t = performance.now();
      const r = parseRag(src, { fastPath });
      runs.push(performance.now() - t);
      if (r.diagnostics.length) throw new Error(`${name}: ${r.diagnostics[0].message}`);
    }
    const rest = runs.slice(2);
    console.log(`${name} ${fastPath ? "fast path " : "chevrotain"}: median ${median(rest).toFixed(1)} ms, min ${Math.min(...rest).toFixed(1)} ms`);
  }
}

/**
 * `tsx bench/compiler/parse-fast.ts`: `parseRag` time on the compiler benchmark's inputs
 * (the generated 10,000-node graph and the 20,000 one-node graphs) with the fast path
 * (fast-parse.ts) and with the Chevrotain path alone (`fastPath: false`), runs of the two
 * interleaved so that a busy machine disturbs both alike. Median and fastest of 11 runs
 * each after 2 warm-ups, wall clock, ms. Also the first parse in the process (fast path:
 * no Chevrotain parser or lexer construction).
 */
import { parseRag } from "../../grammar/rag/parse.js";
import { generateGraph, manyGraphs } from "./generate.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const t0 = performance.now();
const first = parseRag("graph g { start a node a { next END } }");
console.log(`first parse in the process (fast path): ${(performance.now() - t0).toFixed(1)} ms`);
if (first.diagnostics.length) throw new Error("first parse has diagnostics");
for (const [name, src] of [["10k-nodes", generateGraph(10_000)], ["20k-graphs", manyGraphs(20_000)]] as const) {
  const runs = { fast: [] as number[], chevrotain: [] as number[] };
  for (let i = 0; i < 13; i++) {
    for (const fastPath of [true, false]) {
      const t = performance.now();
      const r = parseRag(src, { fastPath });
      const ms = performance.now() - t;
      if (r.diagnostics.length) throw new Error(`${name}: ${r.diagnostics[0].message}`);
      if (i >= 2) runs[fastPath ? "fast" : "chevrotain"].push(ms);
    }
  }
  for (const [path, xs] of Object.entries(runs)) console.log(`${name} ${path.padEnd(10)}: median ${median(xs).toFixed(1)} ms, min ${Math.min(...xs).toFixed(1)} ms`);
}

/**
 * LangGraph.js's side of `npm run bench:compiler` (bench/compiler/run.ts runs it as a
 * child process from this folder, where @langchain/langgraph is installed): how long its
 * builder takes to build and `compile()` the graphs ragraph compiles from `.rag` text.
 * - `1k`, `10k`: one StateGraph of that many nodes, each with an edge to the next (the
 *   chain LangGraph.js's own bench suite builds; `createSequential` in langgraph.ts);
 * - `20k-graphs`: 20,000 StateGraphs of one node each.
 * Prints `{"workload", "ms", "min_ms"}` JSON: median and fastest of 5 runs after one
 * warm-up (3 and 1 for `20k-graphs`), wall clock, ms.
 */
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";

type Builder = { addNode(n: string, f: () => object): Builder; addEdge(a: string, b: string): Builder; compile(): unknown };

function chain(n: number): void {
  const b = new StateGraph(MessagesAnnotation) as unknown as Builder;
  let prev: string = START;
  for (let i = 0; i < n; i++) {
    b.addNode(`n${i}`, () => ({}));
    b.addEdge(prev, `n${i}`);
    prev = `n${i}`;
  }
  b.addEdge(prev, END);
  b.compile();
}

function many(graphs: number): void {
  for (let g = 0; g < graphs; g++) {
    const b = new StateGraph(MessagesAnnotation) as unknown as Builder;
    b.addNode("a", () => ({})).addEdge(START, "a").addEdge("a", END).compile();
  }
}

const workload = process.argv[2] ?? "1k";
const run = workload === "20k-graphs" ? () => many(20_000) : () => chain(workload === "10k" ? 10_000 : 1_000);
const runs = workload === "20k-graphs" ? 3 : 5;
run();
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  run();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ workload, ms: times[Math.floor(times.length / 2)], min_ms: times[0] }) + "\n");

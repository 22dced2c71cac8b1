/**
 * `npm run bench:repl [-- --json]`: the `.ragsh` interpreter's speed (`repl.md`, issue 5
 * §7). Each workload runs the same logic as a session cell and as plain JavaScript;
 * the table shows the median time of each, the interpreter's throughput in operations
 * (evaluated syntax nodes) per second, and the ratio. Per-cell overhead is the median
 * time of a trivial cell (`1 + 1`): parse, static check, built-ins restored, run, result.
 */
import { Session } from "../repl/index.js";
import { standardRegistry } from "../stdlib/index.js";

interface Row {
  workload: string;
  ragsh_ms: number;
  js_ms: number;
  ratio: number;
  ops_per_s: number;
  operations: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const WORKLOADS: { name: string; ragsh: string; js: () => unknown }[] = [
  {
    name: "loop_1e6 (arithmetic in a for loop)",
    ragsh: "let t = 0\nfor (let i = 0; i < 1000000; i++) { t += i % 7 }\nt",
    js: () => {
      let t = 0;
      for (let i = 0; i < 1000000; i++) t += i % 7;
      return t;
    },
  },
  {
    name: "fib_20 (recursive calls)",
    ragsh: "fn fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) }\nfib(20)",
    js: () => {
      const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
      return fib(20);
    },
  },
  {
    name: "strings_1e4 (split, join, template strings)",
    ragsh: 'let words = []\nfor (let i = 0; i < 10000; i++) words.push(`w${i % 100}`)\nlet counts = {}\nfor (const w of words.join(" ").split(" ")) counts[w] = (counts[w] ?? 0) + 1\nObject.keys(counts).length',
    js: () => {
      const words: string[] = [];
      for (let i = 0; i < 10000; i++) words.push(`w${i % 100}`);
      const counts: Record<string, number> = {};
      for (const w of words.join(" ").split(" ")) counts[w] = (counts[w] ?? 0) + 1;
      return Object.keys(counts).length;
    },
  },
  {
    name: "list_methods_1e5 (map, filter, reduce with callbacks)",
    ragsh: "range(100000).map(x => x * 2).filter(x => x % 3 == 0).reduce((a, b) => a + b, 0)",
    js: () =>
      Array.from({ length: 100000 }, (_, i) => i)
        .map((x) => x * 2)
        .filter((x) => x % 3 === 0)
        .reduce((a, b) => a + b, 0),
  },
];

async function main() {
  const json = process.argv.includes("--json");
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const session = new Session({ registry: standardRegistry(), policy: { maxOperations: 1e9, timeoutMs: 600_000, maxMemoryBytes: 1e9 } });
  const rows: Row[] = [];
  for (const w of WORKLOADS) {
    const times: number[] = [];
    let ops = 0;
    let expected: unknown;
    for (let i = 0; i < runs + 1; i++) {
      const r = await session.runCell(w.ragsh);
      if (!r.ok) throw new Error(`${w.name}: ${r.diagnostics.map((d) => d.message).join("; ")}`);
      if (i > 0) times.push(r.elapsedMs);
      ops = r.operations;
      expected = r.value;
    }
    const jsTimes: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const t0 = performance.now();
      const v = w.js();
      if (i > 0) jsTimes.push(performance.now() - t0);
      if (JSON.stringify(v) !== JSON.stringify(expected)) throw new Error(`${w.name}: JavaScript gives ${JSON.stringify(v)}, .ragsh ${JSON.stringify(expected)}`);
    }
    const ms = median(times);
    const jsMs = Math.max(median(jsTimes), 0.001);
    rows.push({ workload: w.name, ragsh_ms: round(ms), js_ms: round(jsMs), ratio: round(ms / jsMs), ops_per_s: Math.round(ops / (ms / 1000)), operations: ops });
  }
  const cellTimes: number[] = [];
  for (let i = 0; i < 300; i++) cellTimes.push((await session.runCell("1 + 1")).elapsedMs);
  const jsCell = 0.0001;
  rows.push({ workload: "cell_overhead (a `1 + 1` cell: parse, check, run, result)", ragsh_ms: round(median(cellTimes.slice(50))), js_ms: jsCell, ratio: round(median(cellTimes.slice(50)) / jsCell), ops_per_s: 0, operations: 3 });

  if (json) {
    process.stdout.write(JSON.stringify(rows) + "\n");
    return;
  }
  const header = ["workload", ".ragsh ms", "JS ms", "ratio", "ops/s"];
  const lines = rows.map((r) => [r.workload, r.ragsh_ms.toFixed(3), r.js_ms.toFixed(3), `${r.ratio.toFixed(0)}×`, r.ops_per_s ? r.ops_per_s.toLocaleString("en-US") : "—"]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  process.stdout.write([fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(fmt)].join("\n") + "\n");
  process.stdout.write(`\n(medians of ${runs} runs after one warm-up; ${process.version}; BENCH_RUNS sets the count)\n` + JSON.stringify(rows) + "\n");
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

await main();

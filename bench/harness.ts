/**
 * `npm run bench:harness`: what the model-call harness costs per call, with the
 * `scripted` provider (no network) so only our code is measured.
 *
 * - bare provider: `provider.chat` directly;
 * - standard chain: `Registry.chat` through telemetry (no SDK: no-op) → budget → validate
 *   → cache → retry → circuit breaker, for a call outside a run (no node policies);
 * - chain + node policies: a call with a node context, a run budget and a cache policy,
 *   answered by the provider (distinct requests) or by the cache (identical requests);
 * - a 200-branch fan-out where every branch asks the same cached question (one provider call).
 *
 * Prints a table and one JSON line. Timings are medians of 7 rounds (µs per call).
 */
import { compileGraph } from "../compiler/index.js";
import type { CallContext, ChatRequest } from "../registry/index.js";
import { CompiledGraph } from "../runtime/index.js";
import { registryFromConfig, scripted } from "../stdlib/index.js";

const N = 5_000;
const ROUNDS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function perCall(fn: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 500; i++) await fn(i);
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await fn(i);
    samples.push(((performance.now() - t0) * 1000) / N);
  }
  return median(samples);
}

const provider = scripted({ rules: [{ reply: "ok" }] });
const registry = registryFromConfig({ models: { m: { provider, price: { inputPerMTok: 1, outputPerMTok: 1 } } }, middleware: { budget: { run: { tokens: 1e12, usd: 1e9 } } } });
const model = registry.model("m");
const request = (i: number): ChatRequest => ({ model: "m", messages: [{ id: "u", role: "user", content: `question ${i}` }] });
const bp = compileGraph(`graph g {\n  start a\n  node a {\n    kind model\n    model "m"\n    cache true\n  }\n}\n`, { registry: registry.view() }).value!;
const context: CallContext = { run: { runId: "r", rootRunId: "r", threadId: "t", graph: "g", namespace: "g", checkpointNs: "", depth: 0, step: 1 }, taskId: "1.0", node: bp.nodes[0], defaults: {} };

const rows: [string, number][] = [];
rows.push(["bare provider", await perCall((i) => provider.chat(request(i)))]);
rows.push(["standard chain, no run context", await perCall((i) => registry.chat(model, request(i)))]);
rows.push(["chain + budget + cache miss", await perCall((i) => registry.chat(model, request(i + 1_000_000 * Math.random()), { context }))]);
rows.push(["chain + budget + cache hit", await perCall(() => registry.chat(model, request(0), { context }))]);

// Fan-out: 200 branches asking the same question share one provider call.
const fan = compileGraph(`graph f {\n  start fan\n  channel out append\n  node fan {\n    kind set\n    send [w { i: x } for x in input.items -> out]\n  }\n  node w {\n    kind model\n    model "m"\n    prompt "same question"\n    cache true\n  }\n}\n`, { registry: registry.view() }).value!;
const fanGraph = new CompiledGraph(fan, { registry });
const items = Array.from({ length: 200 }, (_, i) => i);
const before = provider.requests.length;
const t0 = performance.now();
const fanRun = await fanGraph.invoke({ items });
const fanMs = performance.now() - t0;
const fanCalls = provider.requests.length - before;

console.log("harness overhead (µs per call, median of 7 × 5,000 calls)");
for (const [name, us] of rows) console.log(`  ${name.padEnd(34)} ${us.toFixed(2).padStart(8)}`);
console.log(`  200-branch cached fan-out            ${fanMs.toFixed(1).padStart(8)} ms, ${fanCalls} provider call(s), ${(fanRun.state.out as unknown[]).length} results`);
console.log(JSON.stringify({ bench: "harness", perCallUs: Object.fromEntries(rows), fanout: { branches: 200, ms: Math.round(fanMs * 10) / 10, providerCalls: fanCalls } }));

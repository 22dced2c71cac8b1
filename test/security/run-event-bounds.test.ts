/**
 * Issue 10, third audit: the events a `rag studio` / `rag serve` process keeps per run.
 * They were bounded by count (20,000) only, but a loop appending to a list emits the whole
 * list in every `state_updated` event: one run of 20,000 steps kept ~760 MB, a longer one
 * (or a few of them, ended runs are kept too) ran the server out of heap. The events a run
 * keeps are now bounded in JSON bytes, and an event too large to keep is a stand-in.
 */
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { standardRegistry } from "../../repl/standard-registry.js";
import { CompiledGraph } from "../../runtime/index.js";
import { RunManager, type RunRecord } from "../../server/index.js";

/** The documented bounds (`server/runs.ts`: MAX_EVENT_BYTES_PER_RUN, MAX_EVENT_BYTES). */
const MAX_EVENT_BYTES_PER_RUN = 16 * 1024 * 1024;
const MAX_EVENT_BYTES = 1024 * 1024;

function graph(src: string): CompiledGraph {
  const reg = standardRegistry();
  const r = compileGraph(src, { file: "g.rag", graph: "g", registry: reg.view() });
  if (!r.value) throw new Error(r.diagnostics.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return new CompiledGraph(r.value, { registry: reg });
}

/** The run once it has ended; throws when it has not ended within 10 s. */
async function ended(rec: RunRecord): Promise<RunRecord> {
  for (let i = 0; i < 500 && !rec.ended; i++) await new Promise((r) => setTimeout(r, 20));
  if (!rec.ended) throw new Error(`run ${rec.runId} did not end within 10 s`);
  return rec;
}

const held = (rec: RunRecord) => rec.events.reduce((n, e) => n + JSON.stringify(e).length, 0);

describe("events a server keeps per run", () => {
  it("a loop that re-emits a growing list keeps at most MAX_EVENT_BYTES_PER_RUN of events; the newest are kept, a late reader is told what was dropped", { timeout: 20_000 }, async () => {
    const steps = 700;
    const g = graph(`graph g {
  start a
  defaults { recursion_limit: ${steps + 10} }
  state { xs: list<string> append  n: number = 0 }
  node a { kind set set { xs: "${"p".repeat(1000)}", n: state.n + 1 } routes { when state.n < ${steps} -> a else -> END } }
}`);
    const rec = await ended(new RunManager().launch(g, "g.rag", {}, { threadId: "t-grow" }));
    expect(rec.status).toBe("completed");
    expect(held(rec)).toBeLessThanOrEqual(MAX_EVENT_BYTES_PER_RUN);
    expect(rec.firstId).toBeGreaterThan(1);
    expect(rec.since(0)[0][0]).toBe(rec.firstId);
    expect(rec.events.at(-1)?.type).toBe("run_completed");
  });

  it("one event over MAX_EVENT_BYTES is kept as a stand-in (its type and ids, `omitted`); the run still completes", async () => {
    const g = graph(`graph g {
  start a
  state { big: string = "" }
  node a { kind set set { big: "${"q".repeat(1000)}" } next b }
  node b { kind set set { big: state.big + state.big + state.big + state.big } next c }
  node c { kind set set { big: state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big } next d }
  node d { kind set set { big: state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big + state.big } next END }
}`);
    const rec = await ended(new RunManager().launch(g, "g.rag", {}, { threadId: "t-big" }));
    expect(rec.status).toBe("completed");
    for (const e of rec.events) expect(JSON.stringify(e).length).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    const stand = rec.events.filter((e) => "omitted" in e);
    expect(stand.length).toBeGreaterThan(0);
    expect(stand.map((e) => e.type)).toContain("state_updated");
  });
});

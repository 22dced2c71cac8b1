/**
 * Red team 12A: a value written by reference costs one operation, but the checkpoint
 * stores it once per write — each field a blob of its own, each branch's write a record of
 * its own. `set { f0: state.s, …, f99: state.s }` over a 16 MB string (doubled from a
 * literal with `join`, charged) stored 1.6 GB in one checkpoint: 105 s and 2.2 GB of
 * memory on SQLite for a 3 kB file, and a 1,000-field file would take 16 GB. The writes of
 * the tasks in flight in a run tree are now charged as JSON bytes where each task
 * completes, before its record is saved (`chargeWrites`), at most `MAX_STEP_WRITE_BYTES`
 * (256 MiB) together, given back when the barrier applies them. A child run's input is
 * stored with its first checkpoint too, and is charged the same way until the child returns.
 */
import { describe, expect, it } from "vitest";
import { NodeError } from "../../runtime/index.js";
import { runGraph } from "../helpers/run-graph.js";

// `s` grows to 16,384,000 characters (fourteen doublings of 1,000), then `a` writes it into `n` fields.
function fanIn(n: number, via: "fields" | "branches"): string {
  const fields = Array.from({ length: n }, (_, i) => `f${i}: string = ""`).join("  ");
  const write = via === "fields" ? `node a { kind set set { ${Array.from({ length: n }, (_, i) => `f${i}: state.s`).join(", ")} } next END }` : `node a { kind set send [w {} for x in [${Array(n).fill("0").join(",")}]] }\n  node w { kind set set { out: state.s } next END }`;
  return `graph g {
  start grow
  state { s: string = "${"x".repeat(1000)}"  k: number sum = 0  out: string[] append = []  ${fields} }
  node grow { kind set set { s: join([state.s, state.s], ""), k: 1 } routes { when state.k < 14 -> grow  else -> a } }
  ${write}
}`;
}

const failure = (src: string) => runGraph(src).then(() => undefined, (e: unknown) => e);

describe("red team 12A: the bytes a step's writes hold", () => {
  it("a 16 MB string written by reference into 20 fields (330 MB to store) is refused at the task", async () => {
    const err = await failure(fanIn(20, "fields"));
    expect(err).toBeInstanceOf(NodeError);
    expect((err as Error).message).toMatch(/node `a` wrote more than \d+ bytes of state .*stored once per write/);
  });

  it("…and so is the same string appended by 20 branches, each a record of its own", async () => {
    const err = await failure(fanIn(20, "branches"));
    expect(err).toBeInstanceOf(NodeError);
    expect((err as Error).message).toMatch(/node `w` wrote more than \d+ bytes of state/);
  });

  it("…and so is the same string handed by reference to 20 subgraph nodes of one step, as their input", async () => {
    const subs = Array.from({ length: 20 }, (_, i) => `node c${i} { kind subgraph graph "sub" input { s: state.s } next END }`).join("\n  ");
    const src = `graph g {
  start grow
  state { s: string = "${"x".repeat(1000)}"  k: number sum = 0 }
  node grow { kind set set { s: join([state.s, state.s], ""), k: 1 } routes { when state.k < 14 -> grow  else -> a } }
  node a { kind set next [${Array.from({ length: 20 }, (_, i) => `c${i}`).join(", ")}] }
  ${subs}
}
graph sub { start b state { s: string } node b { kind set next END } }`;
    const err = await runGraph(src, {}, { graph: "g" }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(NodeError);
    expect((err as Error).message).toMatch(/would hand graph `sub` more than \d+ bytes of input/);
  });

  it("into 10 fields (165 MB) it runs", async () => {
    const r = await runGraph(fanIn(10, "fields"));
    expect(r.status).toBe("completed");
    expect((r.state.f9 as string).length).toBe(16_384_000);
  });
});

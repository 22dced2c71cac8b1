/**
 * A plan that throws after charging Send packets to the run tree's gauge (`PacketGauge`)
 * gives them back: a child run whose plan failed (one task's fan-out charged, the next
 * task's `for … in` not a list) left its packets counted for the rest of the root run, so
 * a parent that survived such failures (`on_error`) had later fan-outs refused.
 */
import { describe, expect, it } from "vitest";
import { runGraph } from "../helpers/run-graph.js";

const FAILS = 10;
const chain = Array.from({ length: FAILS }, (_, i) => `  node c${i} { kind subgraph graph "sub" on_error -> ${i + 1 < FAILS ? `c${i + 1}` : "f"} next END }`).join("\n");
const source = `graph g {
  start c0
  state { n: number sum = 0 }
${chain}
  node f { kind set send [v {} for x in [0, 0]] }
  node v { kind set set { n: 1 } next END }
}
graph sub {
  start s
  state { bad: number sum = 0, n: number sum = 0 }
  node s { kind set }
  s -> a
  s -> b
  node a { kind set send [w {} for x in [0, 0]] }
  node b { kind set send [w {} for x in state.bad] }
  node w { kind set set { n: 1 } next END }
}`;

describe("Send packets charged by a plan that fails", () => {
  it("are given back: a parent past ten failed children still fans out within the step bound", async () => {
    const r = await runGraph(source, {}, { maxSendPackets: 2, graph: "g" });
    expect(r.status).toBe("completed");
    expect(r.state.n).toBe(2);
    expect(r.errors.filter((e) => e.handledBy === "on_error")).toHaveLength(FAILS);
  });
});

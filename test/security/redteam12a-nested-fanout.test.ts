/**
 * Red team 12A: the Send packet limit bounded one task's fan-out, not a superstep. Each
 * branch of a fan-out that sends again adds its own fan-out, so
 * `a { send [w {} for x in L] }  w { send [v {} for x in L] }` with a 1,000-item literal
 * `L` (a 4 kB file) planned a million `v` tasks in one step (90 s, 3.4 GB here) and at
 * the allowed 10,000 × 10,000 exhausted the heap. The packets of one superstep together
 * are now bounded (`STEP_SEND_PACKETS_FACTOR` × the per-task limit), charged before any
 * packet is built. The same multiplication went through child runs: each branch starting
 * a graph (a send to a graph, a subgraph node) whose run fans out again planned in a run of
 * its own, under a bound of its own; the packets in flight are now counted over the whole
 * run tree (`PacketGauge`, handed to child runs). The tests scale the limit down with the
 * host's `maxSendPackets`.
 */
import { describe, expect, it } from "vitest";
import { FanoutLimitError, STEP_SEND_PACKETS_FACTOR } from "../../runtime/index.js";
import { runGraph } from "../helpers/run-graph.js";

const list = (n: number) => "[" + Array(n).fill("0").join(",") + "]";
const nested = (outer: number, inner: number) => `graph g {
  start a
  state { n: number sum = 0 }
  node a { kind set send [w {} for x in ${list(outer)}] }
  node w { kind set send [v {} for x in ${list(inner)}] }
  node v { kind set set { n: 1 } next END }
}`;

describe("red team 12A: nested fan-outs against the per-step packet bound", () => {
  const perTask = 20;

  it("20 branches each sending 20 (400 packets in one step) are refused at 10 × 20, before any v runs", async () => {
    const err = await runGraph(nested(perTask, perTask), {}, { maxSendPackets: perTask }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FanoutLimitError);
    expect(err).toMatchObject({ code: "fanout_limit", scope: "step", limit: perTask * STEP_SEND_PACKETS_FACTOR });
  });

  it("through child runs: 20 branches each running a graph that sends 20 are refused the same way", async () => {
    const viaChild = `graph g {
  start a
  state { n: number sum = 0 }
  node a { kind set send [sub {} for x in ${list(perTask)}] join d }
  node d { kind set next END }
}
graph sub {
  start w
  state { n: number sum = 0 }
  node w { kind set send [v {} for x in ${list(perTask)}] }
  node v { kind set set { n: 1 } next END }
}`;
    const err = await runGraph(viaChild, {}, { maxSendPackets: perTask, graph: "g" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FanoutLimitError);
    expect(err).toMatchObject({ code: "fanout_limit", scope: "step" });
  });

  it("a nested fan-out inside the bound still runs every branch", async () => {
    const r = await runGraph(nested(perTask, STEP_SEND_PACKETS_FACTOR), {}, { maxSendPackets: perTask });
    expect(r.status).toBe("completed");
    expect(r.state.n).toBe(perTask * STEP_SEND_PACKETS_FACTOR);
  });
});

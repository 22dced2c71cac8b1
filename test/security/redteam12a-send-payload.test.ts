/**
 * Red team 12A: a Send packet's arguments are kept per packet (each branch's task record
 * in the checkpoint holds its own copy), but a value passed by reference cost one
 * operation. A 1 kB file doubled a string with `join` (charged, 16 MB in 14 steps) and
 * sent it to 100 branches with `send [w { s: state.s } for x in L]`: 1.6 GB to store, and
 * the SQLite checkpoint write failed "Invalid string length" (a `CheckpointError`, which a
 * queue worker retries as a store failure). The arguments of the packets in flight in a
 * run tree are now charged as JSON bytes before each packet is built, at most
 * `MAX_SEND_PAYLOAD_BYTES` (64 MiB) together.
 */
import { describe, expect, it } from "vitest";
import { FanoutLimitError, MAX_SEND_PAYLOAD_BYTES } from "../../runtime/index.js";
import { runGraph } from "../helpers/run-graph.js";

// `s` grows to 1,024,000 characters (ten doublings of 1,000), then goes to `n` branches by reference.
const doubled = (n: number) => `graph g {
  start grow
  state { s: string = "${"x".repeat(1000)}"  k: number sum = 0  n: number sum = 0 }
  node grow { kind set set { s: join([state.s, state.s], ""), k: 1 } routes { when state.k < 10 -> grow  else -> a } }
  node a { kind set send [w { s: state.s } for x in [${Array(n).fill("0").join(",")}]] }
  node w { kind set set { n: 1 } next END }
}`;

describe("red team 12A: the bytes Send packets carry", () => {
  it("a 1 MB string sent by reference to 80 branches (80 MB to keep) is refused before any branch runs", async () => {
    const err = await runGraph(doubled(80)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FanoutLimitError);
    expect(err).toMatchObject({ code: "fanout_limit", scope: "bytes", limit: MAX_SEND_PAYLOAD_BYTES });
  });

  it("the same string to 40 branches (40 MB) runs every branch", async () => {
    const r = await runGraph(doubled(40));
    expect(r.status).toBe("completed");
    expect(r.state.n).toBe(40);
  });
});

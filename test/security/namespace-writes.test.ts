/**
 * Issue 10, third audit: writes and time travel addressed to a child run by checkpoint
 * namespace (`updateState`/`getState` with `namespace`, `invoke(null, {checkpointNs})`).
 * A namespace is caller text: it must reach only a child run the thread really has, of a
 * graph its node binds — never write a checkpoint for a graph the node does not run (a
 * sibling graph of the file here, bound to a node kind with a side effect), nor use a
 * checkpoint of another namespace, nor make a parent node run inside the child. Each case
 * asserts the refusal, that no checkpoint was written and that the side effect never ran.
 * These attacks held when tried; the matrix keeps them holding.
 */
import { describe, expect, it } from "vitest";
import { MemoryCheckpointer, type CompiledGraph } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { buildGraph } from "../helpers/run-graph.js";

const STATE = "state { value: list<string> append }";
const SOURCE = `
graph parent { start executor ${STATE}
  node executor { kind subgraph graph "executor_graph" input { } writes { value: result.value } next END } }
graph executor_graph { start ask_1 ${STATE} output { value: list<string> }
  node ask_1 { kind ask next END } }
graph evil { start pay ${STATE} output { value: list<string> }
  node pay { kind pay next END } }`;

async function paused(): Promise<{ g: CompiledGraph; saver: MemoryCheckpointer; paid: string[]; child: string; rootId: string }> {
  const registry = standardRegistry();
  const paid: string[] = [];
  registry.registerNodeKind("ask", async (t) => ({ writes: [["value", String(t.interrupt<string>("ok?"))]] }));
  registry.registerNodeKind("pay", async () => (paid.push("pay"), { writes: [["value", "paid"]] }));
  const saver = new MemoryCheckpointer();
  const { graph: g } = buildGraph(SOURCE, { registry, checkpointer: saver, graph: "parent" });
  const r = await g.invoke({}, { threadId: "t" });
  expect(r.status).toBe("interrupted");
  const s = (await g.getState("t", undefined, { subgraphs: true }))!;
  const child = Object.values(s.subgraphs ?? {})[0]!.namespace;
  return { g, saver, paid, child, rootId: s.checkpointId };
}

/** Every checkpoint of the thread, over every namespace the test knows. */
async function count(saver: MemoryCheckpointer, namespaces: readonly string[]): Promise<number> {
  let n = 0;
  for (const ns of namespaces) n += (await saver.list("t", { namespace: ns })).length;
  return n;
}

const ATTACKS: readonly [string, (x: Awaited<ReturnType<typeof paused>>) => Promise<unknown>][] = [
  ["updateState into a sibling graph the node does not run (full namespace)", ({ g, child }) => g.updateState("t", { value: ["x"] }, { namespace: child.replace("executor_graph", "evil") })],
  ["updateState into a registry-less graph name", ({ g, child }) => g.updateState("t", { value: ["x"] }, { namespace: child.replace("executor_graph", "nope") })],
  ["updateState with a forged lineage", ({ g, child }) => g.updateState("t", { value: ["x"] }, { namespace: `${child}@3-forged00` })],
  ["updateState on the child with a root checkpoint's id", ({ g, child, rootId }) => g.updateState("t", { value: ["x"] }, { namespace: child, checkpointId: rootId })],
  ["updateState on the child as a parent node", ({ g }) => g.updateState("t", { value: ["x"] }, { namespace: "executor", asNode: "executor" })],
  ["updateState on the child as the sibling graph's node", ({ g }) => g.updateState("t", { value: ["x"] }, { namespace: "executor", asNode: "pay" })],
  ["updateState through a node path that names the sibling graph", ({ g }) => g.updateState("t", { value: ["x"] }, { namespace: "evil" })],
  ["updateState 100 levels deep", ({ g }) => g.updateState("t", { value: ["x"] }, { namespace: Array(100).fill("executor").join("|") })],
  ["time travel into the sibling graph's namespace", ({ g, child }) => g.invoke(null, { threadId: "t", checkpointNs: child.replace("executor_graph", "evil") })],
  ["time travel with a root checkpoint id in the child's namespace", ({ g, child, rootId }) => g.invoke(null, { threadId: "t", checkpointNs: child, checkpointId: rootId })],
  ["time travel to the root through `checkpointNs` of the parent's own node name", ({ g }) => g.invoke(null, { threadId: "t", checkpointNs: "parent" })],
];

describe("a checkpoint namespace reaches only the child runs a thread has", () => {
  for (const [what, attack] of ATTACKS) {
    it(`${what}: refused, nothing written, nothing run`, async () => {
      const x = await paused();
      const namespaces = ["", x.child, x.child.replace("executor_graph", "evil")];
      const before = await count(x.saver, namespaces);
      const out = await attack(x).then(
        (v) => v,
        (e: Error) => e,
      );
      expect(out, JSON.stringify(out)).toBeInstanceOf(Error);
      expect((out as Error).message).not.toMatch(/is not a function|Cannot read|undefined/);
      expect(await count(x.saver, namespaces)).toBe(before);
      expect(x.paid).toEqual([]);
    });
  }
});

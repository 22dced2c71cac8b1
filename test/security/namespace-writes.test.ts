/**
 * Issue 10, third audit: writes and time travel addressed to a child run by checkpoint
 * namespace (`updateState`/`getState` with `namespace`, `invoke(null, {checkpointNs})`).
 * A namespace is caller text: it must reach only a child run the thread really has, of a
 * graph its node binds — never write a checkpoint for a graph the node does not run (a
 * sibling graph of the file here, bound to a node kind with a side effect), nor use a
 * checkpoint of another namespace, nor make a parent node run inside the child. Each case
 * asserts the refusal, that no checkpoint was written and that the side effect never ran.
 * These attacks held when tried; the matrix keeps them holding.
 *
 * Fourth round: the resolver itself denies by default. A level must name a node of its
 * parent graph (a task of the parent's history, or a persistent subgraph node) and a graph
 * that node binds in the blueprint; any other graph the file or the registry knows, a
 * task the parent never ran, a persistent level of a node that is not one, is
 * `NamespaceError` reason `not_found` — for reads too (they used to read as "nothing
 * there", or fail later with a `CheckpointError`). Node kinds that run graphs at run time
 * (a custom kind binding `graph`, a send to a graph, `persistent true`) still resolve.
 */
import { describe, expect, it } from "vitest";
import { MemoryCheckpointer, NamespaceError, type CompiledGraph } from "../../runtime/index.js";
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

async function paused(): Promise<{ g: CompiledGraph; saver: MemoryCheckpointer; paid: string[]; child: string; rootId: string; childTask: string }> {
  const registry = standardRegistry();
  const paid: string[] = [];
  registry.registerNodeKind("ask", async (t) => ({ writes: [["value", String(t.interrupt<string>("ok?"))]] }));
  registry.registerNodeKind("pay", async () => (paid.push("pay"), { writes: [["value", "paid"]] }));
  const saver = new MemoryCheckpointer();
  const { graph: g } = buildGraph(SOURCE, { registry, checkpointer: saver, graph: "parent" });
  const r = await g.invoke({}, { threadId: "t" });
  expect(r.status).toBe("interrupted");
  const s = (await g.getState("t", undefined, { subgraphs: true }))!;
  const childSnap = Object.values(s.subgraphs ?? {})[0]!;
  // A graph the registry knows that no node of `parent` binds.
  registry.registerGraph("registered_evil", g.subgraph("evil")!.blueprint);
  return { g, saver, paid, child: childSnap.namespace, rootId: s.checkpointId, childTask: childSnap.next[0]!.id };
}

/** Every checkpoint of the thread, over every namespace the test knows. */
async function count(saver: MemoryCheckpointer, namespaces: readonly string[]): Promise<number> {
  let n = 0;
  for (const ns of namespaces) n += (await saver.list("t", { namespace: ns })).length;
  return n;
}

/** Each attack, the stable code of the typed error it is refused with, and the attack. */
const ATTACKS: readonly [string, string, (x: Awaited<ReturnType<typeof paused>>) => Promise<unknown>][] = [
  ["updateState into a sibling graph the node does not run (full namespace)", "checkpoint_namespace", ({ g, child }) => g.updateState("t", { value: ["x"] }, { namespace: child.replace("executor_graph", "evil") })],
  ["updateState into a registry-less graph name", "checkpoint_namespace", ({ g, child }) => g.updateState("t", { value: ["x"] }, { namespace: child.replace("executor_graph", "nope") })],
  ["updateState with a forged lineage", "checkpoint_namespace", ({ g, child }) => g.updateState("t", { value: ["x"] }, { namespace: `${child}@3-forged00` })],
  ["updateState on the child with a root checkpoint's id", "checkpoint", ({ g, child, rootId }) => g.updateState("t", { value: ["x"] }, { namespace: child, checkpointId: rootId })],
  ["updateState on the child as a parent node", "checkpoint", ({ g }) => g.updateState("t", { value: ["x"] }, { namespace: "executor", asNode: "executor" })],
  ["updateState on the child as the sibling graph's node", "checkpoint", ({ g }) => g.updateState("t", { value: ["x"] }, { namespace: "executor", asNode: "pay" })],
  ["updateState through a node path that names the sibling graph", "checkpoint_namespace", ({ g }) => g.updateState("t", { value: ["x"] }, { namespace: "evil" })],
  ["updateState 100 levels deep", "checkpoint_namespace", ({ g }) => g.updateState("t", { value: ["x"] }, { namespace: Array(100).fill("executor").join("|") })],
  ["time travel into the sibling graph's namespace", "checkpoint_namespace", ({ g, child }) => g.invoke(null, { threadId: "t", checkpointNs: child.replace("executor_graph", "evil") })],
  ["time travel with a root checkpoint id in the child's namespace", "checkpoint", ({ g, child, rootId }) => g.invoke(null, { threadId: "t", checkpointNs: child, checkpointId: rootId })],
  ["time travel to the root through `checkpointNs` of the parent's own node name", "checkpoint_namespace", ({ g }) => g.invoke(null, { threadId: "t", checkpointNs: "parent" })],
];

/** Namespaces no node binds: each is refused with `NamespaceError` reason `not_found` by every reader and writer. */
const UNBOUND: readonly [string, (x: Awaited<ReturnType<typeof paused>>) => string][] = [
  ["the real task with a sibling graph of the file", ({ child }) => child.replace("executor_graph", "evil")],
  ["the real task with a registry graph no node binds", ({ child }) => child.replace("executor_graph", "registered_evil")],
  ["a task the parent never ran, with the bound graph", () => "9.9:executor_graph"],
  ["a persistent level of a node that is not persistent", () => "executor:executor_graph"],
  ["a persistent level of a node the parent does not have", () => "pay:evil"],
  ["a nested level under the real child whose task binds no graph", ({ child, childTask }) => `${child}|${childTask}:executor_graph`],
  ["a nested level under the real child naming the sibling graph", ({ child, childTask }) => `${child}|${childTask}:evil`],
];

const READERS_WRITERS: readonly [string, (g: CompiledGraph, ns: string) => Promise<unknown>][] = [
  ["getState", (g, ns) => g.getState("t", undefined, { namespace: ns })],
  ["getStateHistory", (g, ns) => g.getStateHistory("t", { namespace: ns })],
  ["updateState", (g, ns) => g.updateState("t", { value: ["x"] }, { namespace: ns })],
  ["time travel", (g, ns) => g.invoke(null, { threadId: "t", checkpointNs: ns })],
];

describe("a namespace level must be a node of its parent graph and a graph that node binds", () => {
  for (const [what, ns] of UNBOUND) {
    for (const [op, call] of READERS_WRITERS) {
      it(`${op}: ${what} — NamespaceError not_found, nothing written, nothing run`, async () => {
        const x = await paused();
        const namespace = ns(x);
        const before = await count(x.saver, ["", x.child, namespace]);
        const out = await call(x.g, namespace).then(
          (v) => v,
          (e: Error) => e,
        );
        expect(out, JSON.stringify(out)).toBeInstanceOf(NamespaceError);
        expect(out).toMatchObject({ code: "checkpoint_namespace", reason: "not_found" });
        expect(await count(x.saver, ["", x.child, namespace])).toBe(before);
        expect(x.paid).toEqual([]);
      });
    }
  }
});

describe("node kinds that run graphs at run time still resolve", () => {
  const STATE1 = "state { value: list<string> append }";
  const CHILD = `graph executor_graph { start ask_1 ${STATE1} output { value: list<string> }
  node ask_1 { kind ask next END } }`;
  async function run(parent: string) {
    const registry = standardRegistry();
    registry.registerNodeKind("ask", async (t) => ({ writes: [["value", String(t.interrupt<string>("ok?"))]] }));
    registry.registerNodeKind("call_child", async (t) => {
      const r = await t.runGraph("executor_graph", {});
      return { writes: [["value", (r.output as { value: string[] }).value.join(",")]] };
    });
    const saver = new MemoryCheckpointer();
    const { graph: g } = buildGraph(`${parent}\n${CHILD}`, { registry, checkpointer: saver, graph: "parent" });
    expect((await g.invoke({}, { threadId: "t" })).status).toBe("interrupted");
    const s = (await g.getState("t", undefined, { subgraphs: true }))!;
    return { g, ns: Object.values(s.subgraphs ?? {})[0]!.namespace };
  }

  it("a custom kind calling runGraph on the graph it binds: by node path and by full namespace", async () => {
    const { g, ns } = await run(`graph parent { start c ${STATE1} node c { kind call_child graph "executor_graph" next END } }`);
    expect(ns).toBe("1.0:executor_graph");
    expect((await g.getState("t", undefined, { namespace: "c" }))?.namespace).toBe(ns);
    expect((await g.getState("t", undefined, { namespace: ns }))?.graph).toBe("executor_graph");
    await expect(g.updateState("t", { value: ["edited"] }, { namespace: ns })).resolves.toMatchObject({ namespace: ns });
  });

  it("a send to a graph: by full namespace", async () => {
    const { g, ns } = await run(`graph parent { start s ${STATE1} node s { kind set set { value: "s" } send [executor_graph {}] next END } }`);
    expect((await g.getState("t", undefined, { namespace: ns }))?.graph).toBe("executor_graph");
  });

  it("a persistent subgraph node: its level names the node", async () => {
    const { g, ns } = await run(`graph parent { start p ${STATE1} node p { kind subgraph graph "executor_graph" persistent true input { } writes { value: result.value } next END } }`);
    expect(ns).toBe("p:executor_graph");
    expect((await g.getState("t", undefined, { namespace: ns }))?.graph).toBe("executor_graph");
    expect((await g.getState("t", undefined, { namespace: "p" }))?.namespace).toBe(ns);
    // Fifth round (held): a persistent level with a lineage no branch has, or repeated under
    // itself, writes nothing — refused as a namespace no child run has (it was a
    // `CheckpointError` "no checkpoint" for the made-up lineage).
    for (const forged of [`${ns}@3-forged00`, `${ns}|${ns}`, `${ns}@x|${ns}`]) {
      const out = await g.updateState("t", { value: ["x"] }, { namespace: forged }).then(
        (v) => v,
        (e: Error) => e,
      );
      expect(out, forged).toBeInstanceOf(NamespaceError);
      expect(out, forged).toMatchObject({ code: "checkpoint_namespace", reason: "not_found" });
    }
    await expect(g.getState("t", undefined, { namespace: `${ns}@3-forged00` })).rejects.toMatchObject({ code: "checkpoint_namespace", reason: "not_found" });
    expect((await g.getState("t", undefined, { namespace: ns }))?.values).toEqual({ value: [] });
  });
});

describe("a checkpoint namespace reaches only the child runs a thread has", () => {
  for (const [what, code, attack] of ATTACKS) {
    it(`${what}: refused, nothing written, nothing run`, async () => {
      const x = await paused();
      const namespaces = ["", x.child, x.child.replace("executor_graph", "evil")];
      const before = await count(x.saver, namespaces);
      const out = await attack(x).then(
        (v) => v,
        (e: Error) => e,
      );
      expect(out, JSON.stringify(out)).toBeInstanceOf(Error);
      expect((out as { code?: unknown }).code, (out as Error).message).toBe(code);
      expect((out as Error).message).not.toMatch(/is not a function|Cannot read|undefined/);
      expect(await count(x.saver, namespaces)).toBe(before);
      expect(x.paid).toEqual([]);
    });
  }
});

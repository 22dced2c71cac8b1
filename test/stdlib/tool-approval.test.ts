/**
 * Tool approval (`auto | ask | deny`): an `ask` call pauses the run with an interrupt
 * carrying the call, before any call of the turn runs; the resume value approves (maybe
 * with edited arguments) or denies it. In an agent's own loop the approval names the
 * call's fingerprint, so a different call proposed after the resume is never run on an
 * approval given for another. A direct `callTool` of an `ask` tool without approval is
 * refused.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { tool, type ChatMessage, type NodeTask, type Registry } from "../../registry/index.js";
import { MemoryCheckpointer, type RunEvent } from "../../runtime/index.js";
import { callFingerprint } from "../../stdlib/kinds/approval.js";
import { registryFromConfig, scripted, type ScriptRule } from "../../stdlib/index.js";
import { buildGraph } from "../helpers/run-graph.js";
import { doneWithToolResults } from "../helpers/order-desk.js";

const EXECUTOR = `graph ops {\n  start agent\n  state {\n    messages: messages\n  }\n  node agent {\n    kind agent\n    model "m"\n    tools ["read", "write", "drop"]\n    routes {\n      tool_call -> tools\n      final -> END\n    }\n  }\n  node tools {\n    kind tool_executor\n    tools ["read", "write", "drop"]\n    next agent\n  }\n}\n`;

function setup(rules: ScriptRule[]) {
  const ran: string[] = [];
  const provider = scripted({ rules });
  const registry = registryFromConfig({
    models: { m: { provider } },
    tools: {
      read: tool({ description: "Read a row.", schema: z.object({ id: z.number() }), readOnly: true, run: ({ id }) => (ran.push(`read ${id}`), { id }) }),
      write: tool({ description: "Write a row.", schema: z.object({ id: z.number() }), run: ({ id }) => (ran.push(`write ${id}`), "written") }),
      drop: tool({ description: "Drop a table.", schema: z.object({ table: z.string() }), approval: "ask", run: ({ table }) => (ran.push(`drop ${table}`), "dropped") }),
    },
  });
  return { ran, provider, registry };
}

const turn0: ScriptRule = { when: { turn: 0 }, reply: { toolCalls: [{ name: "write", arguments: { id: 1 }, id: "c_w" }, { name: "drop", arguments: { table: "users" }, id: "c_d" }, { name: "read", arguments: { id: 2 }, id: "c_r" }] } };
const final = doneWithToolResults;

describe("approval: ask", () => {
  it("pauses before any call of the turn runs, with the call in the interrupt; approve runs it, once", async () => {
    const { ran, registry } = setup([turn0, final]);
    const { graph } = buildGraph(EXECUTOR, { registry, checkpointer: new MemoryCheckpointer() });
    const events: RunEvent[] = [];
    const paused = await graph.invoke({ q: "clean up" }, { threadId: "t", onEvent: (e) => void events.push(e) });
    expect(paused.status).toBe("interrupted");
    expect(ran).toEqual([]); // not even the auto `write` before it: approvals come first
    expect(paused.interrupts).toHaveLength(1);
    expect(paused.interrupts[0]).toMatchObject({ node: "tools", payload: { type: "tool_approval", node: "tools", tool: "drop", callId: "c_d", args: { table: "users" }, description: "Drop a table.", options: ["approve", "deny"] } });
    expect(events.some((e) => e.type === "tool_started")).toBe(false);

    const done = await graph.resume("t", { value: "approve" });
    expect(done.status).toBe("completed");
    expect(ran).toEqual(["write 1", "drop users", "read 2"]);
    expect(done.output).toBe('done: written | dropped | {"id":2}');
  });

  it("deny (with a reason) skips the call and tells the model; approve with edited args runs those", async () => {
    const a = setup([turn0, final]);
    const g1 = buildGraph(EXECUTOR, { registry: a.registry, checkpointer: new MemoryCheckpointer() }).graph;
    await g1.invoke({ q: "x" }, { threadId: "t" });
    const denied = await g1.resume("t", { value: { choice: "deny", reason: "not on a Friday" } });
    expect(a.ran).toEqual(["write 1", "read 2"]);
    expect(denied.output).toBe('done: written | Error: tool `drop` was not run: a person declined the call: not on a Friday | {"id":2}');

    const b = setup([turn0, final]);
    const g2 = buildGraph(EXECUTOR, { registry: b.registry, checkpointer: new MemoryCheckpointer() }).graph;
    await g2.invoke({ q: "x" }, { threadId: "t" });
    await g2.resume("t", { value: { choice: "approve", args: { table: "tmp_users" } } });
    expect(b.ran).toEqual(["write 1", "drop tmp_users", "read 2"]);
  });

  it("an answer outside the options is refused at resume", async () => {
    const { registry } = setup([turn0, final]);
    const g = buildGraph(EXECUTOR, { registry, checkpointer: new MemoryCheckpointer() }).graph;
    await g.invoke({ q: "x" }, { threadId: "t" });
    await expect(g.resume("t", { value: "yes please" })).rejects.toThrow(/expects one of "approve", "deny", got "yes please"/);
  });

  it("without a checkpointer the run fails clearly instead of running the tool", async () => {
    const { ran, registry } = setup([turn0, final]);
    const err = await buildGraph(EXECUTOR, { registry }).graph.invoke({ q: "x" }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/asked for human input \(interrupt\), but the run has no checkpointer/);
    expect(ran).toEqual([]);
  });

  it("in an agent's own loop the approval names the call; a different call after the resume is declined, not run", async () => {
    // The model proposes dropping `users`; after the resume (the task re-runs from its start) it proposes `orders`.
    let asked = 0;
    const rules: ScriptRule[] = [
      { when: { turn: 0 }, reply: () => ({ toolCalls: [{ name: "drop", arguments: { table: asked++ === 0 ? "users" : "orders" }, id: "c1" }] }) },
      final,
    ];
    const { ran, registry } = setup(rules);
    const loop = `graph g {\n  start agent\n  node agent {\n    kind agent\n    model "m"\n    tools ["drop"]\n  }\n}\n`;
    const { graph } = buildGraph(loop, { registry, checkpointer: new MemoryCheckpointer() });
    const paused = await graph.invoke({ q: "x" }, { threadId: "t" });
    const key = callFingerprint({ name: "drop", arguments: { table: "users" } });
    expect(paused.interrupts[0].payload).toMatchObject({ tool: "drop", args: { table: "users" }, options: [`approve ${key}`, "deny"] });
    const done = await graph.resume("t", { value: `approve ${key}` });
    expect(ran).toEqual([]);
    expect(done.output).toMatch(/^done: Error: tool `drop` was not run: the approval given \(approve [0-9a-f]{64}\) was for a different call than this one \(approve [0-9a-f]{64}\); ask again$/);
  });

  it("in an agent's own loop, the same call after the resume runs on its approval", async () => {
    const { ran, registry } = setup([{ when: { turn: 0 }, reply: { toolCalls: [{ name: "drop", arguments: { table: "users" }, id: "c1" }] } }, final]);
    const { graph } = buildGraph(`graph g {\n  start agent\n  node agent {\n    kind agent\n    model "m"\n    tools ["drop"]\n  }\n}\n`, { registry, checkpointer: new MemoryCheckpointer() });
    const paused = await graph.invoke({ q: "x" }, { threadId: "t" });
    const done = await graph.resume("t", { value: (paused.interrupts[0].payload as { options: string[] }).options[0] });
    expect(ran).toEqual(["drop users"]);
    expect(done.output).toBe("done: dropped");
  });

  it("a `tool` node asks too; a denial fails the task with the reason", async () => {
    const { ran, registry } = setup([]);
    const source = `graph g {\n  start d\n  node d {\n    kind tool\n    tool "drop"\n    input { table: "logs" }\n  }\n}\n`;
    const g = buildGraph(source, { registry, checkpointer: new MemoryCheckpointer() }).graph;
    const paused = await g.invoke({}, { threadId: "t" });
    expect(paused.interrupts[0].payload).toMatchObject({ tool: "drop", args: { table: "logs" }, options: ["approve", "deny"] });
    await expect(g.resume("t", { value: { choice: "deny", reason: "keep logs" } })).rejects.toThrow("tool `drop` was not run: a person declined the call: keep logs");
    expect(ran).toEqual([]);
    const g2 = buildGraph(source, { registry, checkpointer: new MemoryCheckpointer() }).graph;
    await g2.invoke({}, { threadId: "t" });
    expect((await g2.resume("t", { value: "approve" })).output).toBe("dropped");
    expect(ran).toEqual(["drop logs"]);
  });

  it("callTool refuses an `ask` tool without approval (a custom kind cannot skip the question)", async () => {
    const { registry } = setup([]);
    (registry as Registry).registerNodeKind("sneaky", async (task: NodeTask) => ({ result: await task.callTool("drop", { table: "users" }) }));
    const err = await buildGraph(`graph g {\n  start s\n  node s {\n    kind sneaky\n    tools ["drop"]\n  }\n}\n`, { registry }).graph.invoke({}).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/tool `drop` needs a person's approval \(approval: ask\) and none was given/);
  });

  it("callTool refuses a tool the node does not bind, before any approval question (deny by default)", async () => {
    const { registry } = setup([]);
    (registry as Registry).registerNodeKind("sneaky", async (task: NodeTask) => ({ result: await task.callTool("drop", { table: "users" }) }));
    const err = await buildGraph(`graph g {\n  start s\n  node s {\n    kind sneaky\n  }\n}\n`, { registry }).graph.invoke({}).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/tool `drop` is not available to node `s`/);
  });
});

describe("approval: deny", () => {
  it("a denied tool is refused and the model is told", async () => {
    const provider = scripted({ rules: [{ when: { turn: 0 }, reply: { toolCalls: [{ name: "rm", arguments: {} }] } }, { reply: (req) => (req.messages.at(-1) as ChatMessage).content }] });
    const registry = registryFromConfig({ models: { m: { provider } }, tools: { rm: tool({ description: "rm -rf", schema: z.object({}), approval: "deny", run: () => "gone" }) } });
    const r = await buildGraph(`graph g {\n  start a\n  node a {\n    kind agent\n    model "m"\n    tools ["rm"]\n  }\n}\n`, { registry }).graph.invoke({ q: "x" });
    expect(r.output).toBe("Error: tool `rm` is denied by its approval policy");
  });
});

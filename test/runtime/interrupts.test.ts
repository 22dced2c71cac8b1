/**
 * Interrupts (`runtime.md` §4): the `interrupt` node kind (options → routes), a node's
 * `interrupt(payload)` call, graph-level `interrupt before/after`, several pending
 * interrupts answered by id, interrupts inside subgraphs (namespaced checkpoints), and
 * the clear failures without a checkpointer.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InterruptError, InvalidResumeError, MemoryCheckpointer, SqliteCheckpointer, type Checkpointer, type RunEvent } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { buildGraph, eventsOf, registerProbe } from "../helpers/run-graph.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

type Ev<T extends RunEvent["type"]> = Extract<RunEvent, { type: T }>;
const ofType = <T extends RunEvent["type"]>(events: readonly RunEvent[], type: T) => events.filter((e): e is Ev<T> => e.type === type);

const approval = `graph review {
  start draft
  state { draft: string?  decision: any  log: list<string> append }
  node draft { kind set set { draft: "v1", log: "drafted" } next ask }
  node ask {
    kind interrupt
    prompt "Publish {{ state.draft }}?"
    options ["approve", "reject"]
    writes decision
    routes { approve -> publish  reject -> discard }
  }
  node publish { kind set set { log: "published" } next END }
  node discard { kind set set { log: "discarded" } next END }
}`;

describe("the interrupt node", () => {
  it("pauses with {prompt, options}; the events end with interrupt then run_interrupted", async () => {
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(approval, { checkpointer: saver });
    const events = await eventsOf(graph, {}, { threadId: "t" });
    const [i] = ofType(events, "interrupt");
    expect(events.slice(-2).map((e) => e.type)).toEqual(["interrupt", "run_interrupted"]);
    expect(i).toMatchObject({ interruptId: "2.0#0", kind: "node", node: "ask", taskId: "2.0", payload: { prompt: "Publish v1?", options: ["approve", "reject"], node: "ask" } });
    const last = events.at(-1) as Ev<"run_interrupted">;
    expect(last.interrupts).toHaveLength(1);
    expect(last.state.log).toEqual(["drafted"]);
    expect(last.steps).toBe(1);
    const state = await graph.getState("t");
    expect(state?.status).toBe("interrupted");
    expect(state?.interrupts.map((x) => x.id)).toEqual(["2.0#0"]);
    expect(state?.next.map((x) => x.node)).toEqual(["ask"]);
  });

  it("the resume value picks the route: approve → publish, reject → discard; the value is the node's result", async () => {
    for (const [choice, end] of [["approve", "published"], ["reject", "discarded"]] as const) {
      const { graph } = buildGraph(approval, { checkpointer: new MemoryCheckpointer() });
      const paused = await graph.invoke({}, { threadId: "t" });
      expect(paused).toMatchObject({ status: "interrupted", output: null });
      expect(paused.interrupts.map((x) => x.node)).toEqual(["ask"]);
      const done = await graph.resume("t", { value: choice });
      expect(done.status).toBe("completed");
      expect(done.state.log).toEqual(["drafted", end]);
      expect(done.state.decision).toBe(choice);
    }
  });

  it("an object resume value picks its `choice` and is stored whole", async () => {
    const { graph } = buildGraph(approval, { checkpointer: new MemoryCheckpointer() });
    await graph.invoke({}, { threadId: "t" });
    const done = await graph.resume("t", { value: { choice: "approve", note: "ship it" } });
    expect(done.state.decision).toEqual({ choice: "approve", note: "ship it" });
    expect((done.state.log as string[]).at(-1)).toBe("published");
  });

  it("a value outside the options is an InvalidResumeError, and the thread stays paused", async () => {
    const { graph } = buildGraph(approval, { checkpointer: new MemoryCheckpointer() });
    await graph.invoke({}, { threadId: "t" });
    const err = await graph.resume("t", { value: "maybe" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidResumeError);
    expect((err as Error).message).toContain('expects one of "approve", "reject", got "maybe"');
    expect((err as Error).message).not.toContain("did you mean");
    // A misspelt option is named.
    const typo = await graph.resume("t", { value: "aprove" }).catch((e: unknown) => e);
    expect(typo).toBeInstanceOf(InvalidResumeError);
    expect((typo as Error).message).toMatch(/expects one of "approve", "reject", got "aprove"; did you mean "approve"\?$/);
    // Resuming without an answer runs the task again, and it asks again (LangGraph's invoke(null) on a paused thread).
    const again = await graph.resume("t");
    expect(again.status).toBe("interrupted");
    expect(again.interrupts.map((i) => i.node)).toEqual(["ask"]);
    expect((await graph.getState("t"))?.status).toBe("interrupted");
    expect(((await graph.resume("t", { value: "reject" })).state.log as string[]).at(-1)).toBe("discarded");
  });

  it("without a checkpointer, a graph that can pause fails at once with InterruptError", async () => {
    const { graph } = buildGraph(approval);
    const err = await graph.invoke({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptError);
    expect((err as Error).message).toContain("needs a checkpointer and a thread id");
  });
});

describe("resuming into a fan-out or a join", () => {
  // The paused thread's checkpoint holds a planner with nothing open; the resumed run
  // must still be able to open a fan-out and count a barrier's arrivals.
  const pauseThen = (after: string) => `graph g {
  start ask
  state { decision: any  log: list<string> append }
  node ask { kind interrupt prompt "go?" options ["yes", "no"] writes decision routes { yes -> a  no -> END } }
  ${after}
  node b { kind set set { log: "b" } }
  node c { kind set set { log: "c" } }
  node d { kind set set { log: "d" } next END }
}`;

  for (const saver of ["memory", "sqlite"] as const) {
    const make = (): Checkpointer => (saver === "memory" ? new MemoryCheckpointer() : new SqliteCheckpointer(join(scratchDir("rag-resume-"), "c.db")));

    it(`a send fan-out with a join after resume (${saver})`, async () => {
      const { graph } = buildGraph(pauseThen(`node a { kind set set { log: "a" } send [b {}, c {}] join d }`), { checkpointer: make() });
      expect((await graph.invoke({}, { threadId: "t" })).status).toBe("interrupted");
      const done = await graph.resume("t", { value: "yes" });
      expect(done.status).toBe("completed");
      expect([...(done.state.log as string[])].sort()).toEqual(["a", "b", "c", "d"]);
      expect((done.state.log as string[]).at(-1)).toBe("d");
    });

    it(`a static join barrier after resume (${saver})`, async () => {
      const { graph } = buildGraph(pauseThen(`node a { kind set set { log: "a" } next [b, c] }\n  join [b, c] -> d`), { checkpointer: make() });
      await graph.invoke({}, { threadId: "t" });
      const done = await graph.resume("t", { value: "yes" });
      expect(done.status).toBe("completed");
      expect((done.state.log as string[]).filter((x) => x === "d")).toHaveLength(1);
    });

    it(`updateState as a node that sends (${saver})`, async () => {
      const { graph } = buildGraph(pauseThen(`node a { kind set set { log: "a" } send [b {}, c {}] join d }`), { checkpointer: make() });
      await graph.invoke({}, { threadId: "t" });
      const s = await graph.updateState("t", { log: "x" }, { asNode: "a" });
      expect(s.next.map((x) => x.node).sort()).toEqual(["b", "c"]);
      const done = await graph.resume("t");
      expect((done.state.log as string[]).slice(-1)).toEqual(["d"]);
    });
  }
});

describe("interrupt(payload) from a node implementation", () => {
  function asker() {
    const registry = standardRegistry();
    const effects: string[] = [];
    registry.registerNodeKind("asker", async (task) => {
      effects.push("before first");
      const name = task.interrupt<string>({ question: "name?" });
      effects.push(`got ${name}`);
      const age = task.interrupt<number>({ question: "age?" });
      return { result: `${name} (${age})` };
    });
    return { registry, effects };
  }

  it("returns the resume value on the re-run; a second call pauses again; the task re-runs from its start each time", async () => {
    const { registry, effects } = asker();
    const { graph } = buildGraph(`graph g { start a state { who: string? } node a { kind asker writes who next END } }`, { registry, checkpointer: new MemoryCheckpointer() });
    const p1 = await graph.invoke({}, { threadId: "t" });
    expect(p1.interrupts.map((i) => [i.id, i.payload])).toEqual([["1.0#0", { question: "name?" }]]);
    const p2 = await graph.resume("t", { value: "Ada" });
    expect(p2.status).toBe("interrupted");
    expect(p2.interrupts.map((i) => [i.id, i.payload])).toEqual([["1.0#1", { question: "age?" }]]);
    const done = await graph.resume("t", { value: 36 });
    expect(done.state.who).toBe("Ada (36)");
    expect(effects).toEqual(["before first", "before first", "got Ada", "before first", "got Ada"]);
  });

  it("a node calling interrupt() on a run without a checkpointer fails with InterruptError", async () => {
    const { registry } = asker();
    const { graph } = buildGraph(`graph g { start a state { who: string? } node a { kind asker writes who next END } }`, { registry });
    const err = await graph.invoke({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptError);
    expect((err as InterruptError).node).toBe("a");
    expect((err as InterruptError).payload).toEqual({ question: "name?" });
  });

  it("several pending interrupts are answered by id; a bare value is refused; a partial answer re-pauses the rest", async () => {
    const registry = standardRegistry();
    registry.registerNodeKind("ask", async (task) => ({ result: task.interrupt({ item: (task.args as { n: number }).n }) }));
    const siblings = registerProbe(registry, "probe", async () => ({ writes: [["answers", "sibling"]] }));
    const { graph } = buildGraph(`graph g {
      start s
      state { answers: list<any> append }
      node s { kind set send [q { n: 1 } -> answers, q { n: 2 } -> answers, other {}] join end }
      node q { kind ask }
      node other { kind probe }
      node end { kind set next END }
    }`, { registry, checkpointer: new MemoryCheckpointer() });
    const paused = await graph.invoke({}, { threadId: "t" });
    const ids = paused.interrupts.map((i) => i.id);
    expect(ids).toEqual(["2.0#0", "2.1#0"]);
    expect(siblings).toHaveLength(1);
    await expect(graph.resume("t", { value: "x" })).rejects.toThrow(/2 pending interrupts that need a value/);
    await expect(graph.resume("t", { values: { "9.9#0": 1 } })).rejects.toThrow(/no pending interrupt `9.9#0`/);
    const partial = await graph.resume("t", { values: { "2.1#0": "second" } });
    expect(partial.interrupts.map((i) => i.id)).toEqual(["2.0#0"]);
    const done = await graph.resume("t", { values: { "2.0#0": "first" } });
    expect(done.state.answers).toEqual(["first", "second", "sibling"]);
    expect(siblings).toHaveLength(1); // the completed sibling never ran again
  });
});

describe("interrupt before / after", () => {
  const src = `graph g {
    start a
    state { log: list<string> append }
    interrupt before [b]
    interrupt after [c]
    node a { kind probe set { log: "a" } next b }
    node b { kind probe set { log: "b" } next c }
    node c { kind probe set { log: "c" } next d }
    node d { kind probe set { log: "d" } next END }
  }`;

  it("pause before b (b has not run) and after c (c's writes applied); `resume` without a value continues", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const { graph } = buildGraph(src, { registry, checkpointer: new MemoryCheckpointer() });
    const p1 = await graph.invoke({}, { threadId: "t" });
    expect(p1.interrupts).toEqual([{ id: "before:2.0", kind: "before", node: "b", taskId: "2.0", namespace: "" }]);
    expect(calls.map((c) => c.node)).toEqual(["a"]);
    expect(p1.state.log).toEqual(["a"]);
    const p2 = await graph.resume("t");
    expect(p2.interrupts.map((i) => [i.kind, i.node])).toEqual([["after", "c"]]);
    expect(p2.state.log).toEqual(["a", "b", "c"]);
    expect(calls.map((c) => c.node)).toEqual(["a", "b", "c"]);
    const done = await graph.resume("t", { value: "ok" });
    expect(done.state.log).toEqual(["a", "b", "c", "d"]);
    expect(calls.map((c) => c.node)).toEqual(["a", "b", "c", "d"]);
  });

  it("interrupt before the start node pauses before any node runs", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const { graph } = buildGraph(src.replace("interrupt before [b]", "interrupt before [a]"), { registry, checkpointer: new MemoryCheckpointer() });
    const p = await graph.invoke({}, { threadId: "t" });
    expect(p.interrupts.map((i) => i.id)).toEqual(["before:1.0"]);
    expect(p.steps).toBe(0);
    expect(calls).toHaveLength(0);
  });

  it("steering given with a resume is recorded in the next checkpoint's metadata, apart from resume values", async () => {
    const registry = standardRegistry();
    registerProbe(registry, "probe");
    const saver = new MemoryCheckpointer();
    const { graph } = buildGraph(src, { registry, checkpointer: saver });
    await graph.invoke({}, { threadId: "t" });
    await graph.resume("t", { steering: "keep it short" });
    const history = await saver.list("t");
    expect(history.filter((h) => h.metadata.steering === "keep it short").map((h) => h.checkpoint.step)).toEqual([2]);
  });
});

describe("interrupts in subgraphs", () => {
  const src = `graph parent {
    start call
    state { answer: any  before: number = 0 }
    node call { kind subgraph graph "child" input { q: "hi" } writes answer next END }
  }
  graph child {
    start c1
    input { q: string }
    state { got: any  n: number = 0 }
    output { got: any  n: number }
    node c1 { kind counter set { n: 1 } next c2 }
    node c2 { kind asker writes got next END }
  }`;

  for (const backend of ["memory", "sqlite"] as const) {
    it(`${backend}: the parent pauses on the child's interrupt; resume continues the child from its namespaced checkpoint`, async () => {
      const registry = standardRegistry();
      const counted = registerProbe(registry, "counter");
      registry.registerNodeKind("asker", async (task) => ({ result: task.interrupt({ q: task.input.q }) }));
      const path = join(scratchDir("rag-int-"), "c.db");
      const saver: Checkpointer = backend === "memory" ? new MemoryCheckpointer() : new SqliteCheckpointer(path);
      const { graph } = buildGraph(src, { registry, checkpointer: saver });
      const paused = await graph.invoke({}, { threadId: "t" });
      expect(paused.interrupts).toEqual([{ id: "1.0/2.0#0", kind: "node", node: "c2", taskId: "1.0/2.0", payload: { q: "hi" }, namespace: "1.0:child" }]);
      expect((await saver.list("t", { namespace: "1.0:child" })).map((h) => h.checkpoint.step)).toEqual([1, 0]);
      // a new process: a fresh graph and (for SQLite) a reopened file
      const saver2 = backend === "memory" ? saver : (saver.close?.(), new SqliteCheckpointer(path));
      const { graph: again } = buildGraph(src, { registry, checkpointer: saver2 });
      const done = await again.resume("t", { value: "answered" });
      expect(done.status).toBe("completed");
      expect(done.state.answer).toEqual({ got: "answered", n: 1 });
      expect(counted).toHaveLength(1); // c1 did not run again
      saver2.close?.();
    });
  }
});

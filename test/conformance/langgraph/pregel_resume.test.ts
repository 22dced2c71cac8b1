/**
 * Further ported cases of LangGraph.js `libs/langgraph-core/src/tests/pregel.test.ts`:
 * several interrupts of one task answered plainly or by interrupt id, static breakpoints
 * with a resume that only updates, new input on a paused or failed thread, `updateState`
 * as a node, history ordering, a Command with `goto` returned by a node, and the waiting
 * edge in a loop. Where ragraph differs on purpose the case says `(differs: …)` and
 * docs/langgraph-differences.md says why.
 */
import { describe, expect, it } from "vitest";
import { CheckpointError, InvalidResumeError, type CompiledGraph, type RunEvent } from "../../../runtime/index.js";
import { failure, sleep } from "../../helpers/run-graph.js";
import { compile, world } from "./helpers.js";

describe("StateGraph (pregel.test.ts, resume and thread edits)", () => {
  for (const style of ["null", "map"] as const) {
    // upstream: tests/pregel.test.ts "can throw a node interrupt multiple times in a single node (%s)"
    // (resumeStyle "null": a plain resume value; "map": `{ [interruptId]: value }`)
    it(`can throw a node interrupt multiple times in a single node (${style})`, async () => {
      const { registry } = world();
      registry.registerNodeKind("twice", async (t) => {
        const answer = t.interrupt<string>({ value: 1 });
        const answer2 = t.interrupt<string>({ value: 2 });
        return { writes: [["my_key", `${answer} ${answer2}`]] };
      });
      registry.reducers.set("concat", (a, b) => `${(a as string | null) ?? ""}${b as string}`);
      const g = compile(`graph g { start one state { my_key: string aggregate "concat" = "" } node one { kind twice next END } }`, registry);
      const paused: RunEvent[] = [];
      for await (const e of g.stream({ my_key: "DE" }, { threadId: "test_multi_interrupt", mode: "values" })) paused.push(e);
      expect(paused.find((e) => e.type === "interrupt")).toMatchObject({ interruptId: expect.any(String), payload: { value: 1 } });
      const answer = async (value: string) => {
        const s = (await g.getState("test_multi_interrupt"))!;
        expect(s.next).toHaveLength(1);
        expect(s.interrupts).toHaveLength(1);
        return g.resume("test_multi_interrupt", style === "null" ? { value } : { values: { [s.interrupts[0]!.id]: value } });
      };
      expect((await answer("answer 1")).status).toBe("interrupted");
      expect((await g.getState("test_multi_interrupt"))!.interrupts[0]!.payload).toEqual({ value: 2 });
      expect((await answer("answer 2")).state.my_key).toBe("DEanswer 1 answer 2");
      expect((await g.getState("test_multi_interrupt"))!.next).toHaveLength(0);
    });
  }

  // upstream: tests/pregel.test.ts "test_command_with_static_breakpoints"
  // (paused before the first node, a resume that only updates: the node runs on the edited state)
  it("test_command_with_static_breakpoints", async () => {
    const { registry } = world();
    registry.registerNodeKind("tag", async (t) => ({ writes: [["foo", `${t.state.foo as string}|${t.node.name.replace("node", "node-")}`]] }));
    const g = compile(`graph g { start node1 state { foo: string } node node1 { kind tag next node2 } node node2 { kind tag next END } interrupt before [node1] }`, registry);
    const first = await g.invoke({ foo: "abc" }, { threadId: "1" });
    expect([first.status, first.state]).toEqual(["interrupted", { foo: "abc" }]);
    expect((await g.resume("1", { update: { foo: "def" } })).state).toEqual({ foo: "def|node-1|node-2" });
  });

  // upstream: tests/pregel.test.ts "should invoke two processes with input/output and interrupt"
  // (interrupt after `one`; new input on the paused thread drops the paused work; updateState as
  // `one`; replay from history. Steps differ by difference 3: an input checkpoint takes the step
  // of the checkpoint before it, upstream one more, and there is no step −1)
  it("should invoke two processes with input/output and interrupt", async () => {
    const { registry } = world();
    registry.registerNodeKind("add_one", async (t) => (t.node.name === "one" ? { writes: [["inbox", (t.state.input as number) + 1]] } : { writes: [["output", (t.state.inbox as number) + 1]] }));
    const g = compile(`graph g { start one state { input: number  inbox: number  output: number } output { output: number }
      node one { kind add_one next two } node two { kind add_one next END } interrupt after [one] }`, registry);
    const paused = async (input: Record<string, unknown>, thread: string) => {
      const r = await g.invoke(input, { threadId: thread });
      expect(r.status).toBe("interrupted");
      return r.state.inbox;
    };
    expect(await paused({ input: 2 }, "1")).toBe(3);
    expect((await g.invoke(null, { threadId: "1" })).output).toEqual({ output: 4 });
    expect(await paused({ input: 20 }, "1")).toBe(21);
    // a new input on the paused thread: `two` (waiting) is dropped, the run starts again
    expect(await paused({ input: 3 }, "1")).toBe(4);
    expect((await g.invoke(null, { threadId: "1" })).output).toEqual({ output: 5 });

    expect(await paused({ input: 20 }, "2")).toBe(21);
    const s = (await g.getState("2"))!;
    expect([s.values.inbox, s.next.map((t) => t.node)]).toEqual([21, ["two"]]);
    await g.updateState("2", { inbox: 25 }, { asNode: "one" });
    expect((await g.invoke(null, { threadId: "2" })).output).toEqual({ output: 26 });
    expect((await g.getState("2"))!.next).toEqual([]);

    const history = await g.getStateHistory("1");
    expect(history.map((h) => [h.source, h.step, h.values, h.next.map((t) => t.node)])).toEqual([
      ["loop", 5, { inbox: 4, output: 5, input: 3 }, []],
      ["loop", 4, { inbox: 4, output: 4, input: 3 }, ["two"]],
      ["input", 3, { inbox: 21, output: 4, input: 3 }, ["one"]],
      ["loop", 3, { inbox: 21, output: 4, input: 20 }, ["two"]],
      ["input", 2, { inbox: 3, output: 4, input: 20 }, ["one"]],
      ["loop", 2, { inbox: 3, output: 4, input: 2 }, []],
      ["loop", 1, { inbox: 3, output: null, input: 2 }, ["two"]],
      ["input", 0, { inbox: null, output: null, input: 2 }, ["one"]],
    ]);
    for (let i = 0; i < history.length - 1; i++) expect(history[i]!.parentId).toBe(history[i + 1]!.checkpointId);
    // running from a checkpoint of the history runs its tasks again
    const from = (i: number) => updatesFrom(g, "1", history[i]!.checkpointId);
    expect(await from(0)).toEqual([]);
    expect(await from(1)).toEqual([{ two: { output: 5 } }]);
    expect(await from(2)).toEqual([{ one: { inbox: 4 } }, { __interrupt__: [] }]);
  });

  for (const durability of ["async", "sync", "exit"] as const) {
    // upstream: tests/pregel.test.ts "checkpoint recovery async %s"
    // (a failed first attempt, then new input on the failed thread: the failed task is dropped and the
    // run starts again. History by difference 3: the input checkpoints hold the input applied, and the
    // failure is on the checkpoint node1 ran from, the first input's; upstream's step −1 and its
    // separate loop checkpoint of step 0 are not there)
    it(`checkpoint recovery async {"durability":"${durability}"}`, async () => {
      const { registry } = world();
      registry.registerNodeKind("step", async (t) => {
        if (t.node.name === "node1" && t.state.attempt === 1) throw new Error("Simulated failure");
        await sleep(20);
        return { writes: [["steps", [t.node.name]]] };
      });
      const g = compile(`graph g { start node1 state { steps: list<string> append  attempt: number }
        node node1 { kind step next node2 } node node2 { kind step next END } }`, registry);
      await failure(g.invoke({ steps: ["start"], attempt: 1 }, { threadId: "1", durability }));
      const s = (await g.getState("1"))!;
      expect([s.values, s.next.map((t) => t.node), s.status]).toEqual([{ steps: ["start"], attempt: 1 }, ["node1"], "failed"]);
      expect((await g.invoke({ steps: [], attempt: 2 }, { threadId: "1", durability })).state).toEqual({ steps: ["start", "node1", "node2"], attempt: 2 });
      const history = (await g.getStateHistory("1")).map((h) => ({ source: h.source, step: h.step, values: h.values, ...(h.error ? { error: h.error.error.message } : {}) }));
      const failed = { source: "input", step: 0, values: { steps: ["start"], attempt: 1 }, error: "node `node1` failed: Simulated failure" };
      const done = { source: "loop", step: 2, values: { steps: ["start", "node1", "node2"], attempt: 2 } };
      expect(history).toEqual(
        durability === "exit"
          ? [done, failed]
          : [done, { source: "loop", step: 1, values: { steps: ["start", "node1"], attempt: 2 } }, { source: "input", step: 0, values: { steps: ["start"], attempt: 2 } }, failed],
      );
    });
  }

  // upstream: tests/pregel.test.ts "resume multiple interrupts" (differs: a single resume value while
  // several interrupts wait is refused; LangGraph.js gives that value to every waiting task)
  it("resume multiple interrupts (differs: one plain value for several waiting interrupts is refused; answer each by id)", async () => {
    const { registry } = world();
    const g = compile(`graph g { start s state { value: list<string> append } node s { kind push next [a, b] } node a { kind ask next END } node b { kind ask next END } }`, registry);
    const r = await g.invoke({}, { threadId: "t" });
    const err = await failure(g.resume("t", { value: "x" }));
    expect(err).toBeInstanceOf(InvalidResumeError);
    expect(err.message).toContain("2 pending interrupts");
    // nothing ran: both still wait, and answering each by id completes the run
    expect((await g.getState("t"))!.interrupts.map((i) => i.node)).toEqual(["a", "b"]);
    const done = await g.resume("t", { values: Object.fromEntries(r.interrupts.map((i) => [i.id, "x"])) });
    expect(done.state.value).toEqual(["s", "human:x", "human:x"]);
  });

  // upstream: tests/pregel.test.ts "update as input %s" (differs: a thread is cloned there by
  // replaying its history as edits — `__input__`/`__start__` updates into an empty thread; here
  // `updateState` needs a checkpoint to edit and `START` is no node: `fork` copies a checkpoint
  // into a new thread, and new input starts the next turn)
  it("update as input (differs: no updateState into an empty thread nor as START; fork copies a thread)", async () => {
    const { registry } = world();
    const g = compile(`graph g { start agent state { foo: string } node agent { kind set set { foo: "agent" } next tool } node tool { kind set set { foo: "tool" } next END } }`, registry);
    expect((await g.invoke({ foo: "input" }, { threadId: "1" })).state).toEqual({ foo: "tool" });
    expect((await g.invoke({ foo: "input" }, { threadId: "1" })).state).toEqual({ foo: "tool" });
    await expect(g.updateState("2", { foo: "input" }, { asNode: "__input__" })).rejects.toBeInstanceOf(CheckpointError);
    await expect(g.updateState("1", { foo: "input" }, { asNode: "__start__" })).rejects.toThrow(/has no node `__start__`/);
    const head = (await g.getState("1"))!;
    await g.fork("1", head.checkpointId, "2");
    expect((await g.getState("2"))!.values).toEqual({ foo: "tool" });
    expect((await g.invoke({ foo: "input" }, { threadId: "2" })).state).toEqual({ foo: "tool" });
    expect((await g.getStateHistory("1")).length).toBe(6);
  });
});

/** The `updates` chunks of a run of thread `threadId` from `checkpointId` (a replay). */
async function updatesFrom(g: CompiledGraph, threadId: string, checkpointId: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const e of g.stream(null, { mode: "updates", threadId, checkpointId })) {
    if (e.type === "updates") out.push({ [e.node!]: Object.fromEntries(e.writes.map((w) => [w.channel, w.value])) });
    if (e.type === "run_interrupted") out.push({ __interrupt__: [] });
  }
  return out;
}

/**
 * `stepTasks` (the tasks of the superstep run from a checkpoint, as the studio's thread
 * timeline and `rag runs show` draw them) agrees with what the runtime waits on. A task
 * whose question was answered — the resume value recorded — but which has not run again
 * (the resumed run was cancelled, or crashed, before it did) was shown as `interrupted`
 * while `getState` had no interrupt left and a plain resume runs it with the recorded
 * answer without asking again; as LangGraph's `StateSnapshot.tasks`, an answered
 * interrupt is no longer among the task's `interrupts`.
 */
import { describe, expect, it } from "vitest";
import { CancelledError, stepTasks, type Checkpointer } from "../../runtime/index.js";
import { pendingInterrupts, threadStatus } from "../../runtime/checkpoint/types.js";
import { standardRegistry } from "../../stdlib/index.js";
import { useCheckpointerBackends } from "../helpers/backends.js";
import { buildGraph } from "../helpers/run-graph.js";


/**
 * A graph whose one task asks a question; `ctl.stopAfterAnswer` makes the re-run, once
 * given the answer, cancel its own run before it completes (what a crash or a cancelled
 * resume leaves: the answer recorded, the task not run again).
 */
function asking(saver: Checkpointer) {
  const registry = standardRegistry();
  const ctl = { stopAfterAnswer: undefined as AbortController | undefined, ran: [] as unknown[] };
  registry.registerNodeKind("gate", async (task) => {
    const answer = task.interrupt<string>({ prompt: "ship it?" });
    ctl.ran.push(answer);
    const stop = ctl.stopAfterAnswer;
    if (stop) {
      stop.abort();
      await new Promise((_, reject) => (task.signal.aborted ? reject(task.signal.reason) : task.signal.addEventListener("abort", () => reject(task.signal.reason), { once: true })));
    }
    return { result: answer };
  });
  const { graph } = buildGraph("graph g { start a state { decision: string? } node a { kind gate writes decision next END } }", { registry, checkpointer: saver });
  return { graph, ctl };
}

const backends = useCheckpointerBackends("rag-step-tasks-");

describe("stepTasks of a task whose question is answered but which has not run again", () => {
  for (const [name, make] of backends)
    it(`${name}: pending with the answer, not interrupted — as getState and the resume see it`, async () => {
      const saver = make();
      const { graph, ctl } = asking(saver);
      const paused = await graph.invoke({}, { threadId: "t" });
      expect(paused.status).toBe("interrupted");
      const asked = (await saver.getTuple({ threadId: "t" }))!;
      expect(stepTasks(asked)).toMatchObject([{ node: "a", status: "interrupted", interrupts: [{ id: "1.0#0", payload: { prompt: "ship it?" } }] }]);
      expect(stepTasks(asked)[0]!.answered).toBeUndefined();

      // The answer is recorded, then the run is cancelled before the task completes.
      ctl.stopAfterAnswer = new AbortController();
      await expect(graph.resume("t", { value: "yes" }, { signal: ctl.stopAfterAnswer.signal })).rejects.toBeInstanceOf(CancelledError);
      const t = (await saver.getTuple({ threadId: "t" }))!;
      expect(t.checkpoint.id).toBe(asked.checkpoint.id); // no step completed: the same checkpoint
      expect(pendingInterrupts(t)).toEqual([]);
      expect(threadStatus(t)).toBe("resumable");
      expect((await graph.getState("t"))!.interrupts).toEqual([]);

      const [task] = stepTasks(t);
      expect(task!.status).toBe("pending");
      expect(task!.interrupts).toBeUndefined();
      expect(task!.answered).toEqual([{ interrupt: expect.objectContaining({ id: "1.0#0", node: "a", taskId: "1.0" }), value: "yes" }]);

      // A plain resume runs it with the recorded answer: it asks nothing.
      ctl.stopAfterAnswer = undefined;
      const done = await graph.resume("t");
      expect(done).toMatchObject({ status: "completed", state: { decision: "yes" } });
      expect(ctl.ran).toEqual(["yes", "yes"]);
      saver.close?.();
    });

  it("a task with one of two questions answered is still interrupted, on the open one only, with the answered one beside it", () => {
    const q = (n: number) => ({ id: `1.0#${n}`, kind: "node" as const, node: "a", taskId: "1.0", payload: { n }, namespace: "" });
    const t = {
      checkpoint: { next: [{ id: "1.0", node: "a", trigger: "start" as const }], interrupts: [] },
      pendingWrites: [
        { taskId: "1.0", channel: "__interrupt__", value: [q(0), q(1)] },
        { taskId: "__resume__", channel: "__resume__", value: { "1.0#0": "first" } },
      ],
    };
    const [task] = stepTasks(t as never);
    expect(task).toMatchObject({ status: "interrupted", interrupts: [q(1)], answered: [{ interrupt: q(0), value: "first" }] });
    expect(pendingInterrupts(t as never)).toEqual([q(1)]);
  });
});

/**
 * Resume values through the runtime API (not only HTTP, whose 4 MiB body limit was the
 * only bound): `resume(thread, {value})`, `Command({resume, update})`, answers by id and
 * `answerInterrupts` itself are charged against MAX_RESUME_BYTES / MAX_RESUME_DEPTH
 * before any work, with the typed error `resume_too_large`.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { answerInterrupts, CompiledGraph, MAX_RESUME_BYTES, MemoryCheckpointer, ResumeTooLargeError } from "../../runtime/index.js";

const src = 'graph g { start ask state { draft: any } node ask { kind interrupt prompt "edit" writes { draft: result } next END } }';

function graph(): CompiledGraph {
  const reg = registryFromConfig({});
  const r = compile(src, { file: "a.rag", registry: reg.view() });
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: new MemoryCheckpointer() });
}

async function refusal(p: Promise<unknown>): Promise<ResumeTooLargeError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ResumeTooLargeError);
  return e as ResumeTooLargeError;
}

describe("resume values are bounded on the runtime API", () => {
  it("an answer past MAX_RESUME_BYTES is refused with `resume_too_large`, and the thread stays paused", async () => {
    const g = graph();
    expect((await g.invoke({}, { threadId: "t" })).status).toBe("interrupted");
    const e = await refusal(g.resume("t", { value: "x".repeat(MAX_RESUME_BYTES + 10) }));
    expect(e.code).toBe("resume_too_large");
    expect(e.toJSON()).toMatchObject({ code: "resume_too_large", limitBytes: MAX_RESUME_BYTES });
    expect(e.message).toMatch(/thread `t`/);
    const r = await g.resume("t", { value: "ok" });
    expect(r.status).toBe("completed");
    expect(r.state.draft).toBe("ok");
  });

  it("a shared-reference answer (2^40 leaves) is refused after bounded work instead of being expanded", async () => {
    const g = graph();
    await g.invoke({}, { threadId: "t" });
    let v: unknown = "leaf";
    for (let i = 0; i < 40; i++) v = [v, v];
    const started = Date.now();
    await refusal(g.resume("t", { values: { [(await g.getState("t"))!.interrupts[0].id]: v } }));
    expect(Date.now() - started).toBeLessThan(10_000); // expanded, 2^40 leaves would never end
  });

  it("a huge `update` (Command({resume, update})) is refused before the state is written", async () => {
    const g = graph();
    await g.invoke({}, { threadId: "t" });
    const before = (await g.getState("t"))!.checkpointId;
    await refusal(g.resume("t", { value: "ok", update: { draft: "y".repeat(MAX_RESUME_BYTES) } }));
    expect((await g.getState("t"))!.checkpointId).toBe(before);
  });

  it("answerInterrupts, called directly, applies the same bound", () => {
    const pending = [{ id: "i1", kind: "node" as const, node: "ask", taskId: "t1", namespace: "" }];
    expect(() => answerInterrupts("t", pending, {}, { value: { big: "z".repeat(MAX_RESUME_BYTES) } })).toThrow(ResumeTooLargeError);
    expect(answerInterrupts("t", pending, {}, { value: { small: "z" } }).i1).toEqual({ small: "z" });
  });
});

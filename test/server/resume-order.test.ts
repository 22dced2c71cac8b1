/**
 * Two resumes of one paused thread sent at once to the in-process server (`rag serve`
 * without `--queue`): they never run at the same time. The thread is held from the first
 * request's first await (`RunManager.reserve`), so exactly one resume runs, from the
 * checkpoint it answered; the other is refused with 409 `thread_busy` at once and runs
 * nothing (there is no in-process queue to hold it in). Per-thread order of *queued* runs is
 * the workers' (`scale/`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testStudio, type TestStudio } from "./helpers.js";

let s: TestStudio;
beforeAll(async () => {
  s = await testStudio();
});
afterAll(() => s.close());

/** Waits for a run's SSE stream to end; returns its final status. */
async function finish(runId: string): Promise<string> {
  const res = await fetch(`${s.server.origin}/api/runs/${runId}/events`, { headers: { authorization: `Bearer ${s.server.token}` } });
  const end = /event: end\ndata: (.*)\n/.exec(await res.text());
  return (JSON.parse(end![1]) as { status: string }).status;
}

describe("two resumes of one thread at once (in-process)", () => {
  it("one runs, the other is refused with 409 thread_busy and runs nothing", async () => {
    const start = await s.api<{ runId: string; threadId: string }>("POST", "/api/runs", { file: "approval.rag" });
    expect(await finish(start.json.runId)).toBe("interrupted");
    const thread = start.json.threadId;
    const before = await s.api<unknown[]>("GET", `/api/threads/${thread}/history`);
    const answers = ["approve", "reject"];
    const [a, b] = await Promise.all(answers.map((answer) => s.api<{ runId?: string; error?: { code: string; message: string } }>("POST", `/api/threads/${thread}/resume`, { answer })));
    expect([a!.status, b!.status].sort()).toEqual([200, 409]);
    const [won, lost] = a!.status === 200 ? [0, 1] : [1, 0];
    const refused = [a, b][lost]!;
    expect(refused.json.error).toMatchObject({ code: "thread_busy" });
    expect(refused.json.error!.message).toContain(thread);
    expect(await finish([a, b][won]!.json.runId!)).toBe("completed");
    const state = await s.api<{ values: { decision: string } }>("GET", `/api/threads/${thread}/state`);
    expect(state.json.values.decision).toBe(answers[won]);
    // One resume's checkpoints only: approve adds publish + its end, reject ends at once.
    const after = await s.api<{ metadata: { source: string } }[]>("GET", `/api/threads/${thread}/history`);
    expect(after.json.length - before.json.length).toBe(answers[won] === "approve" ? 2 : 1);
    // The refused answer, sent again after the run ended, finds nothing left to answer.
    const late = await s.api<{ error?: { code: string } }>("POST", `/api/threads/${thread}/resume`, { answer: answers[lost] });
    expect(late.status).toBe(400);
  });
});

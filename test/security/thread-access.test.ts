/**
 * Threads are other runs' state. A `.ragsh` script (possibly model-written) shares its
 * session's checkpoint store with other runs — a real SQLite file here, as `rag repl
 * --checkpoints` and the studio's console do — so `graph_history` and
 * `graph_run({thread})` must not read or continue a thread the session did not create,
 * unless the policy grants every thread (`threadAccess: "all"`). The refusal is a
 * diagnostic and a failed `calls[]` record; the session goes on.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteCheckpointer } from "../../runtime/checkpoint/sqlite.js";
import { getStateHistory } from "../../runtime/index.js";
import { codes, harness, HELLO_GRAPH } from "../repl/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "ragraph-threads-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A session-defined copy of the registry's `hello` (the registry's own is run too).
const register = `graph_register({name: "hi", graph: graph_compile(graph_define({name: "hello", source: ${JSON.stringify(HELLO_GRAPH)}}))})`;

/** A victim session runs `hello` on thread `secret` with a private input; returns the shared store. */
async function victimStore(name: string) {
  const checkpointer = new SqliteCheckpointer(join(dir, name, "checkpoints.db"));
  const victim = harness({ checkpointer });
  const r = await victim.run(`${register}\ngraph_run({graph: "hello", input: {name: "TOP-SECRET"}, thread: "secret"}).status`);
  expect(r.diagnostics).toEqual([]);
  expect(r.value).toBe("completed");
  return checkpointer;
}

describe("a session reads and continues only its own threads", () => {
  it("graph_history of another session's thread is refused and reveals nothing", async () => {
    const checkpointer = await victimStore("a");
    const attacker = harness({ checkpointer, author: "model" });
    const r = await attacker.run('graph_history({thread: "secret"})');
    expect(codes(r)).toEqual(["E-ragsh-capability-denied"]);
    expect(r.diagnostics[0].message).toContain("thread `secret` was not created by this session");
    expect(JSON.stringify(r)).not.toContain("TOP-SECRET");
    expect(r.calls).toMatchObject([{ capability: "graph_history", target: "secret", ok: false, error: { code: "E-ragsh-capability-denied" } }]);
    expect((await attacker.run("1 + 1")).value).toBe(2);
  });

  it("graph_run on another session's thread is refused before anything runs; the thread is unchanged", async () => {
    const checkpointer = await victimStore("b");
    const before = (await getStateHistory(checkpointer, "secret")).length;
    const attacker = harness({ checkpointer, author: "model" });
    const r = await attacker.run(`let out = graph_run({graph: "hello", input: {name: "x"}, thread: "secret"})\nout.state`);
    expect(codes(r)).toEqual(["E-ragsh-capability-denied"]);
    expect(JSON.stringify(r)).not.toContain("TOP-SECRET");
    expect((await getStateHistory(checkpointer, "secret")).length).toBe(before);
    expect(attacker.session.counts.graph).toBe(0);
  });

  it("its own threads stay readable: a new id, an id it chose, and one a person resumed at the prompt", async () => {
    const checkpointer = await victimStore("c");
    const h = harness({ checkpointer });
    const r = await h.run(`${register}\nlet a = graph_run({graph: "hello", input: {name: "me"}})\nlet b = graph_run({graph: "hello", input: {name: "me"}, thread: "mine"})\n[graph_history({thread: a.thread}).length > 0, graph_history({thread: "mine"}).length > 0, graph_run({graph: "hi", input: {name: "again"}, thread: "mine"}).status]`);
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toEqual([true, true, "completed"]);
  });

  it("an id claimed by a run that failed before its first checkpoint is not kept: another session's later thread of that id stays private", async () => {
    const checkpointer = new SqliteCheckpointer(join(dir, "e", "checkpoints.db"));
    const attacker = harness({ checkpointer, author: "model" });
    const claim = await attacker.run('graph_run({graph: "hello", input: {name: 5}, thread: "future"})');
    expect(claim.ok).toBe(false);
    const victim = harness({ checkpointer });
    expect((await victim.run('graph_run({graph: "hello", input: {name: "TOP-SECRET"}, thread: "future"}).status')).value).toBe("completed");
    const r = await attacker.run('graph_history({thread: "future"})');
    expect(codes(r)).toEqual(["E-ragsh-capability-denied"]);
    expect(JSON.stringify(r)).not.toContain("TOP-SECRET");
  });

  it('`threadAccess: "all"` grants every thread of the store (a person who owns it)', async () => {
    const checkpointer = await victimStore("d");
    const h = harness({ checkpointer, policy: { threadAccess: "all" } });
    const r = await h.run('graph_history({thread: "secret"})[0].values.greeting');
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toBe("hello TOP-SECRET");
  });

  it("an invalid `threadAccess` is refused when the policy is read", () => {
    expect(() => harness({ policy: { threadAccess: "everything" as never } })).toThrow(/threadAccess/);
  });
});

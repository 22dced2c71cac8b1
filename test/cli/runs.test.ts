/**
 * Durable runs from the shell (`runtime.md` §3–4): `rag run` pausing with exit 3 and the
 * exact command to resume, `rag resume` (by value and by id), Ctrl-C leaving a resumable
 * checkpoint, and `rag runs` (list, show, state, fork) over `.rag/checkpoints.db`.
 * In-process (the program bin/rag.js runs), except the run Ctrl-C interrupts.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CheckpointError, SqliteCheckpointer } from "../../runtime/index.js";
import { jsonEvents, ragAsync, ragIn as rag, root, scratchProject } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const approval = join(root, "examples/approval.rag");

/** The command line printed after "resume with:", as argv for `rag`. */
function resumeArgs(stdout: string): string[] {
  const line = stdout.split("\n").map((l) => l.trim()).find((l) => l.startsWith("rag resume "))!;
  expect(line).toBeDefined();
  const args: string[] = [];
  for (const m of line.slice("rag ".length).matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)) args.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]);
  return args;
}

describe("rag run / rag resume with an interrupt", () => {
  it("pauses with exit 3, printing the question and the exact command that resumes it; that command completes the run", async () => {
    const dir = scratchProject({});
    const r = await rag(["run", approval, "--thread", "t-approve"], dir);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("⏸ 2.0#0  review: Publish this announcement? ragraph runs can now pause for a human and resume later.  options: approve | revise | reject");
    expect(r.stdout).toMatch(/⏸ paused after 1 step: waiting for 1 answer/);
    expect(r.stdout).toContain(`rag resume t-approve --resume '"approve"'`);
    expect(existsSync(join(dir, ".rag/checkpoints.db"))).toBe(true);
    const resumed = await rag(resumeArgs(r.stdout), dir);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("resumed from checkpoint");
    expect(resumed.stdout).toContain("review chose approve → publish");
    expect(resumed.stdout).toMatch(/log \(2 entries\)\s+- drafted\s+- published/);
  });

  it("--json: the pause is an interrupt event then run_interrupted; a new thread id is made and printed; bad answers exit 2", async () => {
    const dir = scratchProject({});
    const r = await rag(["run", approval, "--json", "--checkpoints", "state/ck.db"], dir);
    expect(r.code).toBe(3);
    const events = jsonEvents(r.stdout);
    expect(events.slice(-2).map((e) => e.type)).toEqual(["interrupt", "run_interrupted"]);
    const thread = events[0].threadId as string;
    expect(thread).toMatch(/^thread-/);
    expect(events.at(-1)).toMatchObject({ interrupts: [{ id: "2.0#0", node: "review", payload: { options: ["approve", "revise", "reject"] } }] });
    expect(r.stderr).toContain(`rag resume ${thread} --checkpoints state/ck.db --resume '"approve"'`);
    const bad = await rag(["resume", thread, "--checkpoints", "state/ck.db", "--resume", '"maybe"'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expects one of "approve", "revise", "reject", got "maybe"');
    const done = await rag(["resume", thread, "--checkpoints", "state/ck.db", "--resume", '"reject"', "--json"], dir);
    expect(done.code).toBe(0);
    expect(jsonEvents(done.stdout).at(-1)).toMatchObject({ type: "run_completed", state: { decision: "reject", log: ["drafted"] } });
  });

  it("resuming a completed thread runs nothing: says it completed and how to continue it (exit 0); --resume on it exits 2", async () => {
    const dir = scratchProject({});
    expect((await rag(["run", approval, "--thread", "done", "--checkpoints", "ck.db"], dir)).code).toBe(3);
    expect((await rag(["resume", "done", "--checkpoints", "ck.db", "--resume", '"approve"'], dir)).code).toBe(0);
    const again = await rag(["resume", "done", "--checkpoints", "ck.db"], dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^thread done has already completed \(checkpoint 3-\w+, step 3\); nothing to resume\.\n/);
    expect(again.stdout).toContain("rag runs fork done CHECKPOINT --checkpoints ck.db");
    expect(again.stdout).toContain("rag runs update done --values JSON --as-node NODE --checkpoints ck.db");
    expect(again.stdout).not.toContain("completed in");
    // Nothing ran: still the 4 checkpoints of the original run.
    expect((await rag(["runs", "--checkpoints", "ck.db"], dir)).stdout).toMatch(/\ndone\s+approval\s+completed\s+3\s+4\s/);
    const json = await rag(["resume", "done", "--checkpoints", "ck.db", "--json"], dir);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ threadId: "done", status: "completed", resumed: false, step: 3 });
    const answer = await rag(["resume", "done", "--checkpoints", "ck.db", "--resume", '"approve"', "--json"], dir);
    expect(answer.code).toBe(2);
    expect(JSON.parse(answer.stdout).error.message).toMatch(/^thread done has already completed .*--resume has no run to go to/);
  });

  it("--checkpoints in a missing folder: creates it with a one-line note on stderr naming it (stdout stays pure JSON); the default .rag/ is silent", async () => {
    const dir = scratchProject({});
    const outside = join(scratchDir("rag-ck-"), "new", "deeper");
    const r = await rag(["run", approval, "--json", "--checkpoints", join(outside, "x.db")], dir);
    expect(r.code).toBe(3);
    expect(jsonEvents(r.stdout).at(-1)!.type).toBe("run_interrupted");
    expect(r.stderr.split("\n")[0]).toBe(`note: created folder ${outside} for --checkpoints ${join(outside, "x.db")}`);
    expect(existsSync(join(outside, "x.db"))).toBe(true);
    // Inside the project too (a typo there should not go unnoticed), once: the folder exists next time.
    const inside = await rag(["run", approval, "--checkpoints", "state/ck.db"], dir);
    expect(inside.stderr).toBe(`note: created folder ${join(realpathSync(dir), "state")} for --checkpoints state/ck.db\n`);
    expect((await rag(["run", approval, "--checkpoints", "state/ck.db"], dir)).stderr).toBe("");
    expect((await rag(["run", approval], dir)).stderr).toBe("");
    // A missing folder under /proc is refused before any mkdir (Node's recursive mkdir hangs there).
    const proc = await rag(["run", approval, "--checkpoints", "/proc/rag-no-such/x.db"], dir);
    expect(proc.code).toBe(2);
    expect(proc.stderr).toContain("is on a kernel file system (/proc)");
  });

  it("without checkpoints a graph that can pause fails clearly", async () => {
    const r = await rag(["run", approval, "--no-checkpoints"], scratchProject({}));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("needs a checkpointer and a thread id");
  });
});

describe("rag runs", () => {
  it("`rag runs --help` shows the options `rag runs` takes (those of its default command, list): --checkpoints, --json", async () => {
    const r = await rag(["runs", "--help"], root);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: rag runs [list] [--checkpoints <path>] [--json] | <command> [options]");
    expect(r.stdout).toMatch(/\n {2}--checkpoints <path> {2}SQLite checkpoint file, or postgres:\/\/… \(shared store\) \(default: "\.rag\/checkpoints\.db"\)\n {2}--json {16}print JSON\n/);
  });

  it("lists a thread a run of another process holds (its lease) as running, in the table and in --json", async () => {
    const dir = scratchProject({});
    expect((await rag(["run", approval, "--thread", "busy"], dir)).code).toBe(3);
    const other = new SqliteCheckpointer(join(dir, ".rag/checkpoints.db")); // another process's run: its lease on the file
    try {
      const claim = await other.claim("busy", () => undefined);
      expect((await rag(["runs"], dir)).stdout).toMatch(/\nbusy\s+approval\s+running\s+1\s/);
      expect(JSON.parse((await rag(["runs", "--json"], dir)).stdout)).toMatchObject([{ threadId: "busy", status: "interrupted", running: true }]);
      const show = (await rag(["runs", "show", "busy"], dir)).stdout;
      expect(show).toContain("running: a run holds this thread now");
      expect(show).not.toContain("resume with:");
      await claim.release();
      expect((await rag(["runs"], dir)).stdout).toMatch(/\nbusy\s+approval\s+interrupted\s+1\s/);
      expect(JSON.parse((await rag(["runs", "--json"], dir)).stdout)[0]).not.toHaveProperty("running");
    } finally {
      other.close();
    }
  });

  it("lists threads, shows a thread's checkpoints, prints a state, and forks a checkpoint to answer differently", async () => {
    const dir = scratchProject({});
    expect((await rag(["run", approval, "--thread", "orig"], dir)).code).toBe(3);
    expect((await rag(["resume", "orig", "--resume", '"approve"'], dir)).code).toBe(0);
    const list = await rag(["runs"], dir);
    expect(list.stdout).toMatch(/THREAD\s+GRAPH\s+STATUS\s+STEP\s+CHECKPOINTS\s+UPDATED \(local time\)\norig\s+approval\s+completed\s+3\s+4\s/);
    const show = await rag(["runs", "show", "orig"], dir);
    const rows = show.stdout.trim().split("\n").slice(2).map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => r.slice(1, 5))).toEqual([
      ["0", "input", "draft", "-"],
      ["1", "loop", "review", "draft, log"],
      ["2", "loop", "publish", "decision"],
      ["3", "loop", "-", "log"],
    ]);
    const paused = rows[1][0];
    const state = JSON.parse((await rag(["runs", "state", "orig", paused], dir)).stdout);
    expect(state).toMatchObject({ checkpointId: paused, step: 1, status: "resumable", values: { draft: expect.any(String), log: ["drafted"] }, next: [{ taskId: "2.0", node: "review" }] });
    const fork = await rag(["runs", "fork", "orig", paused, "--thread", "alt"], dir);
    expect(fork.stdout).toContain(`forked orig at ${paused} (step 1) into thread alt`);
    expect(fork.stdout).toContain(`rag resume alt --resume '"approve"'`);
    const alt = await rag(["resume", "alt", "--resume", '"reject"', "--json"], dir);
    expect(jsonEvents(alt.stdout).at(-1)).toMatchObject({ type: "run_completed", state: { decision: "reject", log: ["drafted"] } });
  });

  it("rag runs show lists a thread without reading the values of its task completions and channel writes: corrupt ones change nothing", async () => {
    const dir = scratchProject({});
    expect((await rag(["run", approval, "--thread", "t"], dir)).code).toBe(3);
    const before = await rag(["runs", "show", "t", "--json"], dir);
    expect(before.code).toBe(0);
    const path = join(dir, ".rag/checkpoints.db");
    const db = new SqliteCheckpointer(path);
    // `rag run` saved each task's completion (`__task__`) beside its channel writes; the pause's question stays readable.
    const corrupted = db.db.prepare("UPDATE writes SET value = '{not json' WHERE thread_id = 't' AND channel NOT IN ('__interrupt__', '__resume__', '__error__', '__spend__')").run().changes;
    expect(corrupted).toBeGreaterThan(0);
    await expect(db.list("t")).rejects.toThrow(CheckpointError); // every write read: the corrupt ones fail it
    db.close();
    const after = await rag(["runs", "show", "t", "--json"], dir);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toEqual(JSON.parse(before.stdout));
    expect(JSON.parse(after.stdout)[0]).toMatchObject({ status: "interrupted", interrupts: [{ id: "2.0#0", node: "review" }] });
    const table = await rag(["runs", "show", "t"], dir);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/paused: 2\.0#0/);
  });
});

describe("Ctrl-C", () => {
  it("cancels the run with exit 130, keeps the completed branches, and `rag resume` finishes without re-running them", async () => {
    const dir = scratchProject({
      "rag.config.ts": `import { appendFileSync } from "node:fs";
import { defineConfig, tool, z } from ${JSON.stringify(join(root, "index.ts"))};
export default defineConfig({
  tools: {
    work: tool({ description: "slow work", schema: z.object({ n: z.number() }), run: async ({ n }, ctx) => {
      // Branch 3 of the interrupted run ends only by Ctrl-C (the 10-minute timer just keeps
      // the process alive), however slow the machine: it cannot finish before the signal.
      await new Promise((ok, fail) => { const t = setTimeout(ok, n === 3 && !process.env.FAST ? 600_000 : n * 40); ctx.signal.addEventListener("abort", () => (clearTimeout(t), fail(ctx.signal.reason))); });
      appendFileSync("effects.txt", n + "\\n");
      return n * 10;
    } }),
  },
});
`,
      "fan.rag": `graph fan {
  start split
  input { items: list<number> }
  state { done: list<number> append }
  node split { kind set send [w { n: x } for x in input.items -> done] join total }
  node w { kind tool tool "work" }
  node total { kind set next END }
}
`,
    });
    const run = ragAsync(["run", "fan.rag", "--input", '{"items": [1, 2, 3]}', "--thread", "c1", "--json"], dir);
    // Wait for the observable event (both fast branches reported done, which under sync
    // durability follows their saved writes); the bound only covers a slow start under load.
    await expect.poll(() => jsonEvents(run.stdout()).filter((e) => e.type === "task_completed" && e.node === "w").length, { timeout: 45_000, interval: 20 }).toBe(2);
    run.child.kill("SIGINT");
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain("the thread is resumable from its last checkpoint:\n  rag resume c1");
    expect(jsonEvents(r.stdout).at(-1)).toMatchObject({ type: "run_failed", error: { code: "cancelled", message: "cancelled by Ctrl-C" } });
    expect(readFileSync(join(dir, "effects.txt"), "utf8")).toBe("1\n2\n");
    const resumed = await rag(["resume", "c1", "--json"], dir, { FAST: "1" });
    expect(resumed.code).toBe(0);
    expect(jsonEvents(resumed.stdout).at(-1)).toMatchObject({ type: "run_completed", state: { done: [10, 20, 30] } });
    expect(readFileSync(join(dir, "effects.txt"), "utf8")).toBe("1\n2\n3\n");
  }, 90_000);
});

describe("rag runs with a misspelt subcommand", () => {
  it("names the command and suggests the one meant, instead of `too many arguments for 'list'`", async () => {
    const dir = scratchProject({});
    const r = await rag(["runs", "shwo", "t1"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown command 'runs shwo' (did you mean `rag runs show`?); `rag runs` takes list, show, state, fork, update\n");
    const json = await rag(["runs", "bogus", "--json"], dir);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: "usage", message: "unknown command 'runs bogus'; `rag runs` takes list, show, state, fork, update" } });
  });
});

describe("rag runs show/state of a thread that is not there", () => {
  it("says where it looked and that `rag runs` lists the threads there, as `rag resume` does", async () => {
    const dir = scratchProject({});
    new SqliteCheckpointer(join(dir, ".rag/checkpoints.db")).close();
    for (const args of [["runs", "show", "nope"], ["runs", "state", "nope"], ["resume", "nope"]]) {
      const r = await rag(args, dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe("error: no thread nope in .rag/checkpoints.db (`rag runs` lists the threads there)\n");
    }
  });
});

/**
 * Child runs from the shell (`runtime.md` §3 "Subgraph state and time travel by
 * namespace"): `rag runs show/state --subgraphs` nest a paused subgraph's snapshot under
 * the task that runs it, `--namespace` (node path or full namespace) reads, edits and
 * branches the child run, and a bad namespace is one line naming the thread, exit 2.
 * In-process, in a scratch project (its own `.rag/checkpoints.db`).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonEvents, ragIn as rag, scratchProject } from "../helpers/cli.js";
import { NESTED } from "../helpers/subgraph-source.js";


async function paused(): Promise<string> {
  const dir = scratchProject({ "nested.rag": NESTED });
  const r = await rag(["run", "nested.rag", "--thread", "t1"], dir);
  expect(r.code).toBe(3);
  return dir;
}

/** Table rows after the header line of `rag runs show` (cells split on 2+ spaces), up to the first blank line. */
function rows(stdout: string): string[][] {
  const lines = stdout.split("\n");
  const start = lines.findIndex((l) => l.startsWith("CHECKPOINT"));
  const end = lines.indexOf("", start);
  return lines.slice(start + 1, end).map((l) => l.split(/\s{2,}/));
}

describe("rag runs show / state with subgraphs", () => {
  it("--subgraphs nests the paused child run under the task that runs it; --namespace lists the child's own checkpoints", async () => {
    const dir = await paused();
    const show = await rag(["runs", "show", "t1", "--subgraphs"], dir);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/subgraphs at 1-\w+:\n {2}executor \[2\.0\] → executor_graph {2}namespace 2\.0:executor_graph\n {4}checkpoint 1-\w+ {2}step 1 {2}interrupted {2}next: ask {2}paused: 2\.0\/2\.0#0\n/);
    const child = await rag(["runs", "show", "t1", "--namespace", "executor"], dir);
    expect(child.code).toBe(0);
    expect(child.stdout).toMatch(/^thread t1 {2}namespace 2\.0:executor_graph {2}executor_graph {2}interrupted/);
    expect(rows(child.stdout).map((r) => r.slice(1, 5))).toEqual([
      ["0", "input", "step_a", "-"],
      ["1", "loop", "ask", "log"],
    ]);
    // The full namespace names the same run.
    expect(rows((await rag(["runs", "show", "t1", "--namespace", "2.0:executor_graph"], dir)).stdout)).toEqual(rows(child.stdout));
  });

  it("--json: the latest checkpoint carries the nested snapshot; `runs state --subgraphs` nests the child's values", async () => {
    const dir = await paused();
    const history = JSON.parse((await rag(["runs", "show", "t1", "--subgraphs", "--json"], dir)).stdout) as Record<string, unknown>[];
    expect(history[0]).toMatchObject({ namespace: "", subgraphs: { "2.0": { namespace: "2.0:executor_graph", graph: "executor_graph", status: "interrupted", next: [{ node: "ask" }] } } });
    expect(history[0].subgraphs as Record<string, Record<string, unknown>>).not.toHaveProperty(["2.0", "values"]);
    const state = JSON.parse((await rag(["runs", "state", "t1", "--subgraphs"], dir)).stdout);
    expect(state).toMatchObject({ values: { log: ["prepped"] }, next: [{ taskId: "2.0", node: "executor" }], subgraphs: { "2.0": { namespace: "2.0:executor_graph", values: { log: ["a"] }, next: [{ taskId: "2.0/2.0", node: "ask" }], interrupts: [{ id: "2.0/2.0#0" }] } } });
    const child = JSON.parse((await rag(["runs", "state", "t1", "--namespace", "executor"], dir)).stdout);
    expect(child).toMatchObject({ namespace: "2.0:executor_graph", graph: "executor_graph", step: 1, values: { log: ["a"] } });
    expect(child).not.toHaveProperty("subgraphs");
  });

  it("a bad namespace is one line naming the thread and the namespace, exit 2, no stack; with --json an error object", async () => {
    const dir = await paused();
    const none = await rag(["runs", "show", "t1", "--namespace", "nope"], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe("error[checkpoint_namespace]: thread `t1` has no child run of node `nope`\n");
    const malformed = await rag(["runs", "state", "t1", "--namespace", "a||b"], dir);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toBe("error[checkpoint_namespace]: thread t1, namespace `a||b`: checkpoint namespace `a||b` has an empty level\n");
    const empty = await rag(["runs", "state", "t1", "--namespace", "9.9:executor_graph"], dir);
    expect(empty.code).toBe(2);
    // A task the parent never ran is no child run (deny by default), not an empty one.
    expect(empty.stderr).toBe("error[checkpoint_namespace]: thread t1, namespace `9.9:executor_graph`: checkpoint namespace `9.9:executor_graph`: graph `parent` has no task `9.9` in its checkpoints\n");
    const json = await rag(["runs", "show", "t1", "--namespace", "nope", "--json"], dir);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: "checkpoint_namespace", message: "thread `t1` has no child run of node `nope`" } });
    for (const r of [none, malformed, empty, json]) expect(r.stderr + r.stdout).not.toMatch(/\n\s+at /);
  });
});

describe("rag runs update / fork with --namespace", () => {
  it("update --namespace writes through the child's reducers; resuming continues the child from the edit", async () => {
    const dir = await paused();
    const up = await rag(["runs", "update", "t1", "--namespace", "executor", "--values", '{"log": "edited"}'], dir);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/^updated t1 \(namespace 2\.0:executor_graph\): checkpoint 2-\w+ \(step 2\), next: ask\nresume with: rag resume t1 --resume '"yes"'\n$/);
    const done = await rag(["resume", "t1", "--resume", '"yes"', "--json"], dir);
    expect(done.code).toBe(0);
    expect(jsonEvents(done.stdout).at(-1)).toMatchObject({ type: "run_completed", state: { log: ["prepped", "a", "edited", "b"] } });
    const bad = await rag(["runs", "update", "t1", "--namespace", "prep", "--values", "{}"], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("error[checkpoint_namespace]: thread `t1` has no child run of node `prep`\n");
    // --values is untrusted JSON as --input is: a `__proto__` key is refused, a file read with @.
    const proto = await rag(["runs", "update", "t1", "--namespace", "executor", "--values", '{"log": "x", "__proto__": {"polluted": 1}}'], dir);
    expect(proto.code).toBe(2);
    expect(proto.stderr).toMatch(/^error(\[invalid_input\])?: --values: .*__proto__/);
    writeFileSync(join(dir, "values.json"), '{"log": "from a file"}');
    const fromFile = await rag(["runs", "update", "t1", "--namespace", "executor", "--values", "@values.json"], dir);
    expect(fromFile.code).toBe(0);
  });

  it("fork --namespace branches the thread at a child checkpoint: `rag resume` re-runs the child from there", async () => {
    const dir = await paused();
    const first = rows((await rag(["runs", "show", "t1", "--namespace", "executor"], dir)).stdout)[0][0];
    const fork = await rag(["runs", "fork", "t1", first, "--namespace", "executor"], dir);
    expect(fork.code).toBe(0);
    expect(fork.stdout).toMatch(new RegExp(`^branched t1 at checkpoint ${first} of executor: new head 1-\\w+ \\(step 1\\); the child run continues from 0-\\w+ in namespace 2\\.0:executor_graph@1-\\w+\\nresume with: rag resume t1\\n$`));
    const show = await rag(["runs", "show", "t1", "--subgraphs"], dir);
    expect(rows(show.stdout).at(-1)!.slice(1, 4)).toEqual(["1", "fork", "executor"]);
    expect(show.stdout).toMatch(/executor \[2\.0\] → executor_graph {2}namespace 2\.0:executor_graph@1-\w+\n {4}checkpoint 0-\w+ {2}step 0 {2}resumable {2}next: step_a/);
    // step_a runs again on the branch, then the child asks again.
    expect((await rag(["resume", "t1"], dir)).code).toBe(3);
    const done = await rag(["resume", "t1", "--resume", '"no"', "--json"], dir);
    expect(jsonEvents(done.stdout).at(-1)).toMatchObject({ type: "run_completed", state: { log: ["prepped", "a"] } });
    const refused = await rag(["runs", "fork", "t1", first, "--namespace", "executor", "--thread", "other"], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: --thread and --namespace: a child run's checkpoint is branched inside its own thread/);
  });
});

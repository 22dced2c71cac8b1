/**
 * Thread edits outside a run hold the thread as a run does (`runtime/thread-hold.ts`,
 * `Checkpointer.claim`). Before, `updateState` and `fork` took no claim: an edit made
 * while a run of the thread was live (another process on the SQLite file, the same
 * store, the same Postgres process) read the head the run was writing past, and the run's
 * next checkpoint hid the edit; a fork copied a checkpoint whose records the run was
 * still writing. Now both are refused with `ThreadBusyError` naming the thread, and
 * write nothing; once the run has ended they go through. On memory, SQLite (two handles
 * on one file) and the real Postgres (two checkpointers on one schema: two processes as
 * far as its locks go; and one checkpointer: one process). A real second process:
 * `test/cli/thread-busy.test.ts`.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fakeModel } from "../helpers/fake-model.js";
import { compile } from "../../compiler/index.js";
import type { ModelProvider } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, MemoryCheckpointer, SqliteCheckpointer, ThreadBusyError, type Checkpointer } from "../../runtime/index.js";
import { PostgresCheckpointer } from "../../scale/index.js";
import { PAUSING_BUDGET_LOOP } from "../helpers/budget-source.js";
import { dropTestSchema, missingServices, PG_URL, uniqueName } from "../helpers/services.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const skipPg = await missingServices(["postgres"]);
const dir = scratchDir("rag-thread-edit-");
let files = 0;
const schemas = new Set<string>();
const pgOpen: PostgresCheckpointer[] = [];
const pgStore = (schema: string) => {
  schemas.add(schema);
  const c = new PostgresCheckpointer(PG_URL, { schema });
  pgOpen.push(c);
  return c;
};

afterAll(async () => {
  await Promise.all(pgOpen.map((c) => c.closeAsync()));
  for (const s of schemas) await dropTestSchema(s);
});

/** A model whose calls wait until `open()`. */
function gated() {
  const { m, provider, hold, release } = fakeModel({ name: "gated", usage: { inputTokens: 10, outputTokens: 90 } });
  return { m, provider, close: hold, open: release };
}

function graphOf(provider: ModelProvider, saver: Checkpointer): CompiledGraph {
  const reg = registryFromConfig({ models: { m: { provider } } });
  return new CompiledGraph(compile(PAUSING_BUDGET_LOOP, { file: "g.rag", registry: reg.view() }).value.blueprints[0], { registry: reg, checkpointer: saver });
}

/** A shared store gives up the lock a run's writes took (what `rag serve` and a queue worker do when a run ends). */
const released = async (s: Checkpointer) => s.release?.("t");

const backends: [string, () => [Checkpointer, Checkpointer], boolean?][] = [
  ["memory (one store)", () => {
    const s = new MemoryCheckpointer();
    return [s, s];
  }],
  ["sqlite (two handles on one file)", () => {
    const path = join(dir, `c${++files}.db`);
    return [new SqliteCheckpointer(path), new SqliteCheckpointer(path)];
  }],
  ["postgres (two processes on one schema)", () => {
    const schema = uniqueName("rag_edit_claim");
    return [pgStore(schema), pgStore(schema)];
  }, true],
  ["postgres (one process)", () => {
    const s = pgStore(uniqueName("rag_edit_claim"));
    return [s, s];
  }, true],
];

describe.each(backends)("thread edits while a run holds the thread (%s)", (_name, make, pg) => {
  it.skipIf(pg && skipPg)("updateState and fork are refused with ThreadBusyError naming the thread and write nothing; after the run they go through", async () => {
    const [runs, edits] = make();
    const { m, provider, close, open } = gated();
    // A first run pauses after its call (`interrupt after [a]`): the thread has a history.
    expect((await graphOf(provider, runs).invoke({}, { threadId: "t" })).status).toBe("interrupted");
    await released(runs);
    const editor = graphOf(provider, edits);
    const history = await editor.getStateHistory("t");
    const forkAt = history.at(-1)!.checkpointId;

    // A resumed run, live in its model call.
    close();
    const live = graphOf(provider, runs).invoke(null, { threadId: "t", resume: {} });
    await expect.poll(() => m.calls).toBe(2);

    const update = await editor.updateState("t", { n: 42 }).then(() => new Error("updated"), (e: unknown) => e);
    expect(update).toBeInstanceOf(ThreadBusyError);
    expect((update as ThreadBusyError).threadId).toBe("t");
    expect((update as Error).message).toMatch(/^thread t is busy/);
    const forked = await editor.fork("t", forkAt, "f").then(() => new Error("forked"), (e: unknown) => e);
    expect(forked).toBeInstanceOf(ThreadBusyError);
    expect((forked as Error).message).toMatch(/^thread t is busy/);
    expect(await edits.getTuple({ threadId: "f" })).toBeUndefined();

    open();
    expect((await live).status).toBe("interrupted");
    await released(runs);
    // Nothing the refused edits did is in the history: the run's checkpoints follow each other.
    const after = await editor.getStateHistory("t");
    expect(after.filter((s) => s.source === "update")).toEqual([]);
    expect(after[0].values.n).toBe(1);

    // The run has ended: both edits go through, and the edit is the thread's head.
    expect((await editor.updateState("t", { n: 42 })).values.n).toBe(42);
    expect((await editor.fork("t", forkAt, "f")).threadId).toBe("f");
    await released(edits);
    expect((await graphOf(provider, runs).getState("t"))!.source).toBe("update");
  });
});

describe("a run started while an edit holds the thread", () => {
  it("is refused too (memory: the edit's claim is the run's)", async () => {
    const saver = new MemoryCheckpointer();
    const { provider } = gated();
    const g = graphOf(provider, saver);
    await g.invoke({}, { threadId: "t" });
    const held = await saver.claim("t");
    await expect(g.updateState("t", { n: 7 })).rejects.toBeInstanceOf(ThreadBusyError);
    await expect(g.invoke(null, { threadId: "t", resume: {} })).rejects.toBeInstanceOf(ThreadBusyError);
    await held.release();
    expect((await g.updateState("t", { n: 7 })).values.n).toBe(7);
  });
});

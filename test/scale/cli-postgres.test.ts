/**
 * `--checkpoints postgres://…` wherever a checkpoint path is accepted (issue 13 §1): a
 * `rag run` (the program bin/rag.js runs, in-process) checkpoints into the machine's Postgres, `rag runs` lists and shows the
 * thread from there. Own schema, dropped after.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { jsonEvents, ragIn as rag, root, scratchProject } from "../helpers/cli.js";
import { missingServices, PG_URL, uniqueName, dropTestSchema } from "../helpers/services.js";

const skip = await missingServices(["postgres"]);
const schema = uniqueName("rag_cli");
const url = `${PG_URL}?schema=${schema}`;

afterAll(async () => {
  if (skip) return;
  await dropTestSchema(schema);
});

const config = `import { defineConfig, tool, z } from ${JSON.stringify(join(root, "index.ts"))};
export default defineConfig({ tools: { work: tool({ description: "square", schema: z.object({ n: z.number() }), run: async ({ n }) => n * n }) } });
`;
const source = `graph g {
  start split
  input { items: list<number> }
  state {
    squares: list<number> append
    total: number = 0
  }
  node split { kind set send [w { n: x } for x in input.items -> squares] join sum }
  node w { kind tool tool "work" }
  node sum { kind set set { total: sum(state.squares) } next END }
}
`;

describe.skipIf(skip)("rag with --checkpoints postgres://", () => {
  it("run checkpoints into Postgres; runs lists and shows the thread from there", async () => {
    const dir = scratchProject({ "rag.config.ts": config, "g.rag": source });
    const r = await rag(["run", "g.rag", "--input", '{"items":[1,2,3]}', "--thread", "pg-1", "--checkpoints", url, "--json"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(jsonEvents(r.stdout).at(-1)).toMatchObject({ type: "run_completed", state: { squares: [1, 4, 9], total: 14 } });
    const list = await rag(["runs", "--checkpoints", url, "--json"], dir);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ threadId: "pg-1", status: "completed", step: 3, checkpoints: 4 })]);
    const state = await rag(["runs", "state", "pg-1", "--checkpoints", url], dir);
    expect(JSON.parse(state.stdout)).toMatchObject({ threadId: "pg-1", values: { total: 14 } });
    // A second run on the same thread continues it under the same blueprint (no lost history).
    expect((await rag(["run", "g.rag", "--input", '{"items":[2]}', "--thread", "pg-1", "--checkpoints", url, "--json"], dir)).code).toBe(0);
    expect(JSON.parse((await rag(["runs", "--checkpoints", url, "--json"], dir)).stdout)[0].checkpoints).toBeGreaterThan(4);
  });

  it("a bad Postgres URL is one clear error line, not a stack trace", async () => {
    const dir = scratchProject({ "rag.config.ts": config, "g.rag": source });
    const r = await rag(["run", "g.rag", "--input", '{"items":[1]}', "--checkpoints", "postgres://nobody@127.0.0.1:1/none"], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/postgres:\/\/nobody@127\.0\.0\.1:1\/none/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

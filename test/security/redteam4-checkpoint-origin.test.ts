/**
 * Red team 4: the checkpoint store names the code `rag resume` / `rag runs` import.
 * `rag run` records the thread's file and config in its checkpoints' metadata
 * (`origin`); `rag resume THREAD` and `rag runs show|state|update|fork` loaded the graph
 * from it, importing the recorded config — or the `rag.config.ts` beside the recorded
 * file — wherever it was. Whoever could write a shared store (a Postgres other people
 * run against, a checkpoint file in /tmp) ran code in the next `rag resume`. Now a
 * config taken from the record of a store outside the working directory must resolve
 * inside it; another is refused with exit 2, naming the `--config` flag that loads it on
 * the user's word. (A SQLite store inside the working directory is as trusted as the
 * project's own files: `test/cli/runs.test.ts` resumes from one.)
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rag, ragIn } from "../helpers/cli.js";
import { dropTestSchema, missingServices, PG_URL, uniqueName } from "../helpers/services.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const GRAPH = `graph g {
  start a
  channel decision last_value
  node a {
    kind interrupt
    prompt "ok?"
    writes decision
    next END
  }
}
`;

const noPostgres = await missingServices(["postgres"]);
const schema = uniqueName("rt4_origin");
afterAll(async () => {
  if (!noPostgres) await dropTestSchema(schema);
});

/**
 * An attacker's folder holding `g.rag` and a config that leaves a marker when imported,
 * the victim's working directory `ws` holding its own `g.rag`, and a thread `t1` the
 * attacker started from its folder into `store` (default: a SQLite file outside `ws`).
 */
async function setUp(store?: string, thread = "t1"): Promise<{ ws: string; evil: string; marker: string; store: string }> {
  const base = scratchDir("rt4-origin-");
  const ws = join(base, "ws");
  const evil = join(base, "evil");
  mkdirSync(ws);
  mkdirSync(evil);
  const marker = join(base, "PWNED");
  const at = store ?? join(base, "shared.db");
  writeFileSync(join(ws, "g.rag"), GRAPH);
  writeFileSync(join(evil, "g.rag"), GRAPH);
  writeFileSync(join(evil, "package.json"), '{ "type": "module" }\n');
  writeFileSync(join(evil, "rag.config.ts"), `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "imported");\nexport default {};\n`);
  // In a process of its own, so this one's module cache does not hold the config.
  const r = rag(["run", "g.rag", "--thread", thread, "--checkpoints", at], evil);
  expect(r.code).toBe(3);
  rmSync(marker, { force: true });
  return { ws, evil, marker, store: at };
}

/** Rewrites the `origin` of every checkpoint of a SQLite store, as a writer of the store could. */
function forgeOrigin(store: string, origin: Record<string, unknown>): void {
  const Database = createRequire(import.meta.url)("better-sqlite3") as new (p: string) => { prepare(s: string): { all(): { seq: number; metadata: string }[]; run(...a: unknown[]): void }; close(): void };
  const db = new Database(store);
  for (const row of db.prepare("SELECT seq, metadata FROM checkpoints").all()) {
    const meta = JSON.parse(row.metadata) as Record<string, unknown>;
    meta.origin = origin;
    db.prepare("UPDATE checkpoints SET metadata = ? WHERE seq = ?").run(JSON.stringify(meta), row.seq);
  }
  db.close();
}

describe("a config named by a shared store's checkpoint metadata is not imported from outside the working directory", () => {
  it("a thread started elsewhere into a shared SQLite file: rag resume refuses and imports nothing", async () => {
    const { ws, marker, store } = await setUp();
    const r = await ragIn(["resume", "t1", "--resume", '"yes"', "--checkpoints", store], ws);
    expect(existsSync(marker)).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/records the config .*evil\/rag\.config\.ts, outside the working directory.*--config/);
  }, 60_000);

  it.skipIf(noPostgres)("the same through a shared Postgres store: rag resume and rag runs state --subgraphs refuse", async () => {
    const url = `${PG_URL}?schema=${schema}`;
    const { ws, marker } = await setUp(url, "pg-t1");
    const r = await ragIn(["resume", "pg-t1", "--resume", '"yes"', "--checkpoints", url], ws);
    expect(existsSync(marker)).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/outside the working directory/);
    const s = await ragIn(["runs", "state", "pg-t1", "--subgraphs", "--checkpoints", url], ws);
    expect(existsSync(marker)).toBe(false);
    expect(s.code).toBe(2);
  }, 60_000);

  it("a forged origin.file outside with a rag.config.ts beside it: rag runs show --subgraphs refuses and imports nothing", async () => {
    const { ws, evil, marker, store } = await setUp();
    forgeOrigin(store, { file: join(evil, "g.rag"), graph: "g", config: null });
    const r = await ragIn(["runs", "show", "t1", "--subgraphs", "--checkpoints", store], ws);
    expect(existsSync(marker)).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/outside the working directory/);
  }, 60_000);

  it("a malformed origin (file not a string) counts as none: asks for --file, no stack trace", async () => {
    const { ws, marker, store } = await setUp();
    forgeOrigin(store, { file: 3, graph: "g", config: { toString: 1 } });
    const r = await ragIn(["resume", "t1", "--resume", '"yes"', "--checkpoints", store], ws);
    expect(existsSync(marker)).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass --file FILE/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("the user's own --config still loads it; a recorded origin inside the working directory still resumes", async () => {
    const { ws, evil, store } = await setUp();
    const r = await ragIn(["resume", "t1", "--resume", '"yes"', "--checkpoints", store, "--config", join(evil, "rag.config.ts")], ws);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/decision: yes/);
    expect(existsSync(join(evil, "..", "PWNED"))).toBe(true);
    const own = await setUp();
    forgeOrigin(own.store, { file: join(own.ws, "g.rag"), graph: "g", config: null });
    const ok = await ragIn(["resume", "t1", "--resume", '"yes"', "--checkpoints", own.store], own.ws);
    expect(ok.code).toBe(0);
    expect(existsSync(own.marker)).toBe(false);
  }, 60_000);
});

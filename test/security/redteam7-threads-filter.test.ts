/**
 * Red team 7: `GET /api/threads?thread=T` (the studio's follow poll) on a Postgres store.
 * The filter was any string up to 512 characters and went to Postgres as a query
 * parameter: a NUL byte (`?thread=a%00b`) failed the query (`invalid byte sequence for
 * encoding "UTF8"`), answered as 500 `internal` with the store's message, for a caller's
 * typo. The filter now refuses a NUL (400 `invalid_request`; other control characters
 * may be in a thread id a host chose, and the studio follows such threads), and `PostgresCheckpointer.threads({threadId})` reads an id Postgres cannot hold
 * (a NUL byte) as naming no thread.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresCheckpointer } from "../../scale/index.js";
import { loadStudioConfig, Project, startStudioServer, Workspace, type StudioServer } from "../../server/index.js";
import { dropTestSchema, missingServices, PG_URL, uniqueName } from "../helpers/services.js";

const skip = await missingServices(["postgres"]);
const schema = uniqueName("rag_rt7_threads");
const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;
let dir = "";
let saver: PostgresCheckpointer;
let project: Project;
let server: StudioServer;

beforeAll(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), "rt7-threads-"));
  saver = new PostgresCheckpointer(`${PG_URL}?schema=${schema}`);
  project = new Project(new Workspace(dir), await loadStudioConfig(dir, join(EXAMPLES, "rag.config.ts")), { approvals: join(dir, ".rag", "approvals.json"), checkpointer: saver });
  server = await startStudioServer({ project });
});

afterAll(async () => {
  if (skip) return;
  await server.close();
  project.close();
  await saver.closeAsync();
  await dropTestSchema(schema);
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skip)("GET /api/threads?thread= on Postgres", () => {
  it("a thread id with a NUL is 400 invalid_request, not 500 internal", async () => {
    for (const t of ["a%00b", "%00"]) {
      const res = await fetch(`${server.origin}/api/threads?thread=${t}`, { headers: { authorization: `Bearer ${server.token}` } });
      const body = (await res.json()) as { error?: { code: string; message: string } };
      expect(res.status, t).toBe(400);
      expect(body.error?.code).toBe("invalid_request");
      expect(body.error?.message).toMatch(/NUL/);
    }
    for (const t of ["no-such-thread", "a%0Ab"]) {
      const ok = await fetch(`${server.origin}/api/threads?thread=${t}`, { headers: { authorization: `Bearer ${server.token}` } });
      expect(ok.status, t).toBe(200);
      expect(await ok.json()).toEqual([]);
    }
  });

  it("the store reads an id Postgres cannot hold as naming no thread", async () => {
    expect(await saver.threads({ threadId: "a\u0000b" })).toEqual([]);
  });
});

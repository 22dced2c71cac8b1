/**
 * A checkpoint store that cannot be reached or opened is the user's environment, not a
 * bug (issue 13 §1: `--checkpoints postgres://…` everywhere a path is accepted; docs/cli.md:
 * a checkpoint error exits 2). Every command that reads threads reports it in one line with
 * the URL and the errno, exit 2, no stack trace; with `--json`, one `{error}` document.
 */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { ragIn, scratchProject } from "../helpers/cli.js";

/** A loopback port nothing listens on (bound, read, released). */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe("an unreachable checkpoint store", () => {
  it("rag runs, runs show and resume: one line naming the URL and errno, exit 2", async () => {
    const url = `postgres://127.0.0.1:${await deadPort()}/test`;
    const dir = scratchProject({});
    for (const args of [["runs"], ["runs", "show", "t1"], ["resume", "t1"]]) {
      const r = await ragIn([...args, "--checkpoints", url], dir);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^error\[checkpoint\]: Postgres checkpoints postgres:\/\/127\.0\.0\.1:\d+\/test .*ECONNREFUSED/);
      expect(r.stderr).not.toMatch(/\bat .*\(|internal error|bug in ragraph/);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    const j = await ragIn(["runs", "--json", "--checkpoints", url], dir);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout).error).toMatchObject({ code: "checkpoint", message: expect.stringContaining("ECONNREFUSED") });
  });
});

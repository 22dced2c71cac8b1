/**
 * A checkpoint store that cannot be reached or opened is the user's environment, not a
 * bug (issue 13 §1: `--checkpoints postgres://…` everywhere a path is accepted; docs/cli.md:
 * a checkpoint error exits 2). Every command that reads threads reports it in one line with
 * the URL and the errno, exit 2, no stack trace; with `--json`, one `{error}` document.
 * Commands that would touch the store only later, or never, check it as they open it:
 * `rag repl` (until a graph ran, never), `rag serve` and `rag studio` (until a request)
 * said nothing, and `rag run` called it a failed run with a resume line for a thread
 * that has no checkpoint.
 */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { rag, ragIn, scratchProject } from "../helpers/cli.js";

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

  /** One `error[checkpoint]` line naming the URL with its password hidden and the errno. */
  const refused = (r: { code: number | null; stderr: string }, what: string) => {
    expect(r.code, what).toBe(2);
    expect(r.stderr, what).toMatch(/^error\[checkpoint\]: Postgres checkpoints postgres:\/\/rag:\*\*\*@127\.0\.0\.1:\d+\/test .*ECONNREFUSED/);
    expect(r.stderr, what).not.toContain("hunter2");
    expect(r.stderr.trim().split("\n"), what).toHaveLength(1);
  };

  it("rag repl (prompt and script), rag run, rag serve and rag studio: refused at start, one line, exit 2", async () => {
    const url = `postgres://rag:hunter2@127.0.0.1:${await deadPort()}/test`;
    const dir = scratchProject({ "g.rag": "graph g {\n  start a\n  state { x: number = 0 }\n  node a { kind set set { x: 1 } next END }\n}\n", "s.ragsh": "let a = 1\n" });
    // Separate processes: the prompt reads standard input (empty here), and a server that
    // did not refuse would go on serving (stopped by the timeout: code null).
    refused(rag(["repl", "--checkpoints", url], dir), "rag repl");
    refused(await ragIn(["repl", "s.ragsh", "--checkpoints", url], dir), "rag repl FILE");
    refused(await ragIn(["run", "g.rag", "--checkpoints", url], dir), "rag run");
    refused(rag(["serve", "--port", "0", "--checkpoints", url], dir, {}, 20_000), "rag serve");
    refused(rag(["studio", "--no-open", "--port", "0", "--checkpoints", url], dir, {}, 20_000), "rag studio");
  });
});

/**
 * Red team 13b, the studio API's file routes: a path with a name longer than the file
 * system takes (256 bytes and more, or 250 with the write's temporary suffix) reached `lstat` and came back as a 500 `internal`
 * whose message held the workspace's absolute path; it is now a 400 `name_too_long`
 * before the file system is asked. Real requests against a real server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testStudio, type TestStudio } from "../server/helpers.js";

let s: TestStudio;
beforeAll(async () => void (s = await testStudio()));
afterAll(async () => s.close());

describe("file names longer than the file system takes", () => {
  it("write, read and review: 400 name_too_long, no internal error", async () => {
    const long = `${"a".repeat(300)}.rag`;
    for (const [method, path, body] of [
      ["PUT", "/api/file", { path: long, content: "x" }],
      ["GET", `/api/file?path=${long}`, undefined],
      ["GET", `/api/review?file=dir/${long}`, undefined],
      ["PUT", "/api/file", { path: `${"é".repeat(130)}/x.rag`, content: "x" }],
    ] as const) {
      const r = await s.api<{ error: { code: string; message: string } }>(method, path, body);
      expect(r.status, `${method} ${path.slice(0, 30)}`).toBe(400);
      expect(r.json.error.code).toBe("name_too_long");
      expect(r.json.error.message).not.toContain(s.dir);
    }
  });

  it("a name of 200 bytes is still a name (its temporary file's name fits too)", async () => {
    const name = `${"b".repeat(196)}.rag`;
    expect((await s.api("PUT", "/api/file", { path: name, content: "graph g { start a node a { kind set set {} next END } }\n" })).status).toBe(200);
    expect((await s.api<{ content: string }>("GET", `/api/file?path=${name}`)).json.content).toContain("graph g");
  });
});

/**
 * Red team 6: `rag lsp` and the language service under hostile messages and rename targets.
 *
 * - A `didOpen` whose `uri` was a number ended the server (exit 1, a stack trace on stderr):
 *   the debounced diagnostics run threw a TypeError that was an unhandled rejection. Text
 *   synchronisation messages of another shape are now dropped (cli/lsp/messages.ts) and a
 *   diagnostics run never rejects.
 * - A position that is not whole numbers (`null`, a string) threw out of every feature or
 *   came back in a completion's edit as `character: null`; the service now reads it as whole
 *   numbers from 0.
 * - Rename wrote `__proto__`, `constructor`, `prototype` (`E-rag-reserved-name`) and fields
 *   of the runtime's `__name__` form (`E-rag-reserved-field`): names the compiler refuses;
 *   and built N copies of any name, however long (past the 1 MiB a file may hold).
 * - Completion was quadratic in the number of top-level graphs (each `graph g {` copied
 *   every token before it): 20,000 graphs in 800 kB took a minute per request, holding the
 *   editor's server (and the studio's language worker); a file past the 1 MiB the compiler
 *   takes was lexed up to the cursor on every request. The vitest timeout (20 s) is the
 *   bound: after the fix this takes well under a second.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from "vscode-languageserver-protocol/node";
import { describe, expect, it } from "vitest";
import { createLanguageService, type LsPosition } from "../../language-service/index.js";

const root = new URL("../../", import.meta.url).pathname;
const SOURCE = "graph g {\n  state { count: number }\n  start a\n  node a { set { count: state.count + 1 } next END }\n}\n";

describe("red team 6: rag lsp keeps serving whatever a client sends", () => {
  it("drops a didOpen or didChange of another shape instead of exiting with a stack trace", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rt6-lsp-"));
    const child = spawn(process.execPath, [join(root, "bin/rag.js"), "lsp", "--stdio"], { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const logged: string[] = [];
    conn.onNotification("window/logMessage", (p: { message: string }) => {
      logged.push(p.message);
    });
    conn.listen();
    try {
      await conn.sendRequest("initialize", { processId: null, rootUri: null, capabilities: {} });
      const uri = "file:///tmp/rt6.rag";
      void conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "rag", version: 1, text: SOURCE } });
      void conn.sendNotification("textDocument/didOpen", { textDocument: { uri: 7, languageId: "rag", version: 1, text: "graph" } });
      void conn.sendNotification("textDocument/didOpen", { textDocument: { uri: "file:///tmp/n.rag", languageId: "rag", version: 1, text: 5 } });
      void conn.sendNotification("textDocument/didChange", { textDocument: { uri, version: 2 }, contentChanges: null });
      // The server's diagnostics wait 40 ms after an edit; a request after them is answered only if it is still up.
      await new Promise((r) => setTimeout(r, 300));
      const hover = (await conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: { line: 3, character: 8 } })) as { contents: { value: string } } | null;
      expect(hover?.contents.value).toContain("`a`");
      expect(await conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: null })).not.toBeUndefined();
      await expect(conn.sendRequest("textDocument/rename", { textDocument: { uri }, position: { line: 3, character: 8 }, newName: "__proto__" })).rejects.toThrow(/reserved/);
      expect(child.exitCode).toBeNull();
      expect(stderr).not.toMatch(/TypeError|\n\s+at /);
      expect(logged.join("\n")).toContain("ignored textDocument/didOpen");
    } finally {
      child.kill();
      conn.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});

describe("red team 6: the language service reads positions and rename targets as data", () => {
  const ls = createLanguageService();
  const uri = "file:///rt6.rag";
  ls.update(uri, SOURCE);

  it("answers every position-taking feature for positions that are not whole numbers", () => {
    for (const p of [null, undefined, { line: "3", character: "8" }, { line: Number.NaN, character: -1 }, { line: 1e300, character: 2.5 }] as unknown as LsPosition[]) {
      expect(() => ls.hover(uri, p)).not.toThrow();
      expect(() => ls.definition(uri, p)).not.toThrow();
      expect(() => ls.references(uri, p)).not.toThrow();
      expect(() => ls.prepareRename(uri, p)).not.toThrow();
      expect(() => ls.rename(uri, p, "b")).not.toThrow();
      expect(() => ls.codeActions(uri, { start: p, end: p })).not.toThrow();
      const items = ls.completion(uri, p).items;
      for (const item of items) {
        const edit = (item as { textEdit?: { range: { start: LsPosition } } }).textEdit;
        if (edit) expect(Number.isInteger(edit.range.start.character)).toBe(true);
      }
    }
  });

  it("completes in a file of 26,000 graphs (just under 1 MiB) at once, and not at all past 1 MiB", () => {
    const one = "graph g { start a node a { next END } }\n";
    const text = one.repeat(26_000);
    expect(text.length).toBeLessThanOrEqual(1024 * 1024);
    ls.update("file:///many.rag", text);
    const items = ls.completion("file:///many.rag", { line: 25_999, character: 32 }).items.map((i) => i.label);
    expect(items).toContain("END"); // after `next`: the node names
    ls.update("file:///huge.rag", one.repeat(100_000));
    expect(ls.completion("file:///huge.rag", { line: 99_999, character: 30 }).items).toEqual([]);
  });

  it("refuses to rename to a name the compiler refuses", () => {
    const node = { line: 3, character: 8 };
    const field = { line: 1, character: 11 };
    for (const name of ["__proto__", "constructor", "prototype"]) {
      expect(ls.rename(uri, node, name)).toMatchObject({ error: { code: "invalid-name" } });
      expect(ls.rename(uri, field, name)).toMatchObject({ error: { code: "invalid-name" } });
    }
    expect(ls.rename(uri, field, "__spend__")).toMatchObject({ error: { code: "invalid-name" } });
    // the compiler's own rule (isReservedFieldName): `__` and `___` are reserved too
    for (const name of ["__", "___"]) expect(ls.rename(uri, field, name)).toMatchObject({ error: { code: "invalid-name" } });
    expect(ls.rename(uri, node, 5 as unknown as string)).toMatchObject({ error: { code: "invalid-name" } });
    expect(ls.rename(uri, field, "total")).toHaveProperty("edit");
    // A name whose edits would grow the file past the compiler's 1 MiB is refused before they are built.
    expect(ls.rename(uri, field, "n".repeat(400_000))).toMatchObject({ error: { message: expect.stringMatching(/the limit is 1048576/) } });
  });
});

/**
 * Red team 8: `rag lsp` and a file URI Node cannot turn into a path (`file:///a%2Fb.rag`,
 * an encoded slash; `file://host/x.rag`, a host on POSIX). `didOpen` took it (the URI is a
 * string), and `didClose` asked for the document's service, whose `fileURLToPath` threw:
 * the notification handler's rejection was unhandled, which ended the server with a stack
 * trace. Such a URI now names no file (checked without a registry), and a close that
 * fails is logged.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from "vscode-languageserver-protocol/node";
import { describe, expect, it } from "vitest";
import { scratchDir } from "../helpers/scratch-dirs.js";

const root = new URL("../../", import.meta.url).pathname;
const TEXT = "graph g { start a node a { next END } }\n";

describe("red team 8: rag lsp and file URIs that name no path", () => {
  it("opens and closes them and keeps serving", async () => {
    const ws = scratchDir("rt8-lsp-uri-");
    const child = spawn(process.execPath, [join(root, "bin/rag.js"), "lsp", "--stdio"], { cwd: ws, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    /** Diagnostics published per URI, in order (a close publishes an empty list). */
    const published = new Map<string, number[]>();
    conn.onNotification("textDocument/publishDiagnostics", (p: { uri: string; diagnostics: unknown[] }) => void published.set(p.uri, [...(published.get(p.uri) ?? []), p.diagnostics.length]));
    conn.listen();
    const until = async (done: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!done() && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    };
    try {
      const folder = pathToFileURL(ws).href;
      await conn.sendRequest("initialize", { processId: null, rootUri: folder, capabilities: {}, workspaceFolders: [{ uri: folder, name: "ws" }] });
      await conn.sendNotification("initialized", {});
      for (const uri of [`${folder}/a%2Fb.rag`, "file://host/x.rag"]) {
        await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "rag", version: 1, text: TEXT } });
        await until(() => (published.get(uri)?.length ?? 0) >= 1);
        await conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
        // The close publishes an empty list for the document (or the server ended).
        await until(() => (published.get(uri) ?? []).at(-1) === 0 && (published.get(uri)?.length ?? 0) >= 2);
        expect(child.exitCode).toBeNull();
      }
      // Still serving: a document opened afterwards is answered.
      const ok = pathToFileURL(join(ws, "ok.rag")).href;
      await conn.sendNotification("textDocument/didOpen", { textDocument: { uri: ok, languageId: "rag", version: 1, text: TEXT } });
      const hover = await conn.sendRequest("textDocument/hover", { textDocument: { uri: ok }, position: { line: 0, character: 6 } });
      expect(hover).not.toBeNull();
      expect(child.exitCode).toBeNull();
      expect(stderr).not.toMatch(/ERR_INVALID_FILE_URL|\n\s+at /);
    } finally {
      child.kill();
      conn.dispose();
    }
  }, 40_000);
});

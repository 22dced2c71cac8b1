/**
 * Red team 7: `rag lsp` workspace folders closed after `initialize`. When the editor
 * closed its last folder (`workspace/didChangeWorkspaceFolders` removing it), the server
 * fell back to its working directory as the workspace — a folder the user never opened
 * (an editor started from `/` or the home folder: every config below it). A `.rag` file
 * opened there then ran the `rag.config.ts` beside it: code from a download or another
 * clone. Closing every folder now leaves none open: no config beside a file runs. A
 * folder opened through a link and closed after the link was removed stayed open (it was
 * looked up by where the link now led); it is known by the path it was opened with. Hostile
 * change events (no event, folders that are not lists, non-file URIs, a long list) are
 * data: the server keeps serving.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from "vscode-languageserver-protocol/node";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url).pathname;

/** A config that writes `marker` when it is loaded. */
const markingConfig = (marker: string) => `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "ran");\nexport default { models: {}, tools: {} };\n`;


/** A `rag lsp` started in `cwd`: its connection, what it logged and published, and when a document was diagnosed. */
function startLsp(cwd: string) {
  const child = spawn(process.execPath, [join(root, "bin/rag.js"), "lsp", "--stdio"], { cwd, stdio: ["pipe", "pipe", "pipe"] });
  const out = { stderr: "", logged: [] as string[], diagnosed: new Set<string>() };
  child.stderr!.on("data", (d: Buffer) => (out.stderr += d.toString()));
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  conn.onNotification("textDocument/publishDiagnostics", (p: { uri: string }) => void out.diagnosed.add(p.uri));
  conn.onNotification("window/logMessage", (p: { message: string }) => void out.logged.push(p.message));
  conn.listen();
  /** Opens `uri` and waits (at most 10 s) for its diagnostics. */
  const openAndWait = async (uri: string) => {
    await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "rag", version: 1, text: "graph g { start a node a { next END } }\n" } });
    const deadline = Date.now() + 10_000;
    while (!out.diagnosed.has(uri) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  };
  const stop = () => {
    child.kill();
    conn.dispose();
  };
  return { child, conn, out, openAndWait, stop };
}

describe("red team 7: rag lsp after the editor closes its workspace folders", () => {
  it("runs no config beside a file once the last folder is closed (not the working directory's), and survives malformed folder events", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "rt7-lsp-cwd-"));
    const opened = mkdtempSync(join(tmpdir(), "rt7-lsp-open-"));
    const marker = join(cwd, "config-ran");
    // A config beside a file in the server's working directory: code the user never opened.
    writeFileSync(join(cwd, "rag.config.ts"), markingConfig(marker));
    const { child, conn, out, openAndWait, stop } = startLsp(cwd);
    try {
      const folder = { uri: pathToFileURL(opened).href, name: "opened" };
      await conn.sendRequest("initialize", { processId: null, rootUri: folder.uri, capabilities: { workspace: { workspaceFolders: true } }, workspaceFolders: [folder] });
      await conn.sendNotification("initialized", {});
      // Malformed change events first: none of them may end the server or open a folder.
      for (const params of [null, {}, { event: null }, { event: { added: "file:///", removed: 5 } }, { event: { added: [{ uri: "http://x/" }, { uri: 7 }, null, { uri: "file://host/share" }], removed: [] } }, { event: { added: Array.from({ length: 5000 }, (_, i) => ({ uri: `file:///nonexistent-rt7/${i}` })), removed: [] } }])
        await conn.sendNotification("workspace/didChangeWorkspaceFolders", params);
      // The user closes the only folder they opened.
      await conn.sendNotification("workspace/didChangeWorkspaceFolders", { event: { added: [], removed: [folder, ...Array.from({ length: 5000 }, (_, i) => ({ uri: `file:///nonexistent-rt7/${i}`, name: "x" }))] } });
      const uri = pathToFileURL(join(cwd, "x.rag")).href;
      await openAndWait(uri);
      expect(out.diagnosed.has(uri)).toBe(true);
      expect(existsSync(marker)).toBe(false);
      expect(child.exitCode).toBeNull();
      expect(out.stderr).not.toMatch(/TypeError|\n\s+at /);
    } finally {
      stop();
      rmSync(cwd, { recursive: true, force: true });
      rmSync(opened, { recursive: true, force: true });
    }
  }, 30_000);

  it("a folder opened through a link and closed after the link went stops applying", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "rt7-lsp-cwd-"));
    const real = mkdtempSync(join(tmpdir(), "rt7-lsp-real-"));
    const link = join(cwd, "proj");
    symlinkSync(real, link);
    const marker = join(cwd, "config-ran");
    writeFileSync(join(real, "rag.config.ts"), markingConfig(marker));
    const { conn, out, openAndWait, stop } = startLsp(cwd);
    try {
      const folder = { uri: pathToFileURL(link).href, name: "proj" };
      await conn.sendRequest("initialize", { processId: null, rootUri: folder.uri, capabilities: { workspace: { workspaceFolders: true } }, workspaceFolders: [folder] });
      await conn.sendNotification("initialized", {});
      unlinkSync(link);
      await conn.sendNotification("workspace/didChangeWorkspaceFolders", { event: { added: [], removed: [folder] } });
      const uri = pathToFileURL(join(real, "x.rag")).href;
      await openAndWait(uri);
      expect(out.diagnosed.has(uri)).toBe(true);
      expect(existsSync(marker)).toBe(false);
    } finally {
      stop();
      rmSync(cwd, { recursive: true, force: true });
      rmSync(real, { recursive: true, force: true });
    }
  }, 30_000);

  it("an editor that opens no folder (a file alone) runs no config, not the working directory's", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "rt7-lsp-nofolder-"));
    const marker = join(cwd, "config-ran");
    writeFileSync(join(cwd, "rag.config.ts"), markingConfig(marker));
    const { conn, out, openAndWait, stop } = startLsp(cwd);
    try {
      await conn.sendRequest("initialize", { processId: null, rootUri: null, capabilities: {}, workspaceFolders: null });
      await conn.sendNotification("initialized", {});
      const uri = pathToFileURL(join(cwd, "x.rag")).href;
      await openAndWait(uri);
      expect(out.diagnosed.has(uri)).toBe(true);
      expect(existsSync(marker)).toBe(false);
      expect(out.logged.join("\n")).toContain("no workspace folder is open");
      expect(out.stderr).not.toMatch(/TypeError|\n\s+at /);
    } finally {
      stop();
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 30_000);
});

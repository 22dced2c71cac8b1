/**
 * Red team 8: `rag lsp` runs the config beside a file only when it lies inside an open
 * workspace folder, judged where links lead. Whether a path was inside was cached per
 * path as written (f14c258), so a folder link of the workspace that led inside when first
 * asked and was pointed outside later (a checkout, a pull) kept its "inside": the
 * config watch saw the file change, and the server ran the config outside the workspace
 * the link now led to. The path is judged where it leads at each ask now.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from "vscode-languageserver-protocol/node";
import { describe, expect, it } from "vitest";
import { scratchDir } from "../helpers/scratch-dirs.js";

const root = new URL("../../", import.meta.url).pathname;

/** A config that writes `marker` when it is loaded. */
const markingConfig = (marker: string) => `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "ran");\nexport default { models: {}, tools: {} };\n`;

/** Polls `done` every 50 ms, at most `ms`. */
async function until(done: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

describe("red team 8: rag lsp and a workspace link pointed elsewhere", () => {
  it("does not run the config a folder link leads to once it leads outside the workspace", async () => {
    const ws = scratchDir("rt8-lsp-ws-");
    const away = scratchDir("rt8-lsp-away-");
    mkdirSync(join(ws, "a"));
    const insideRan = join(ws, "inside-ran");
    const outsideRan = join(ws, "outside-ran");
    writeFileSync(join(ws, "a", "rag.config.ts"), markingConfig(insideRan));
    writeFileSync(join(away, "rag.config.ts"), markingConfig(outsideRan));
    const link = join(ws, "link");
    symlinkSync(join(ws, "a"), link);

    const child = spawn(process.execPath, [join(root, "bin/rag.js"), "lsp", "--stdio"], { cwd: ws, stdio: ["pipe", "pipe", "pipe"] });
    const logged: string[] = [];
    const diagnosed = new Set<string>();
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    conn.onNotification("textDocument/publishDiagnostics", (p: { uri: string }) => void diagnosed.add(p.uri));
    conn.onNotification("window/logMessage", (p: { message: string }) => void logged.push(p.message));
    conn.listen();
    try {
      const folder = { uri: pathToFileURL(ws).href, name: "ws" };
      await conn.sendRequest("initialize", { processId: null, rootUri: folder.uri, capabilities: { workspace: { workspaceFolders: true } }, workspaceFolders: [folder] });
      await conn.sendNotification("initialized", {});
      const uri = pathToFileURL(join(link, "doc.rag")).href;
      await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "rag", version: 1, text: "graph g { start a node a { next END } }\n" } });
      await until(() => diagnosed.has(uri) && existsSync(insideRan));
      expect(existsSync(insideRan)).toBe(true); // the link leads inside: its config applies

      // The link is pointed outside the workspace; the config watch sees the file change.
      unlinkSync(link);
      symlinkSync(away, link);
      await until(() => existsSync(outsideRan) || logged.some((m) => m.includes("not loading") && m.includes("outside the workspace")));
      expect(existsSync(outsideRan)).toBe(false);
      expect(logged.some((m) => m.includes("not loading") && m.includes("outside the workspace"))).toBe(true);
      expect(child.exitCode).toBeNull();
      expect(stderr).not.toMatch(/TypeError|\n\s+at /);
    } finally {
      child.kill();
      conn.dispose();
    }
  }, 40_000);
});

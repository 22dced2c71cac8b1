/**
 * `rag lsp` speaks the Language Server Protocol over stdio: a real child process, a
 * real JSON-RPC client (vscode-languageserver-protocol), the requests an editor sends.
 * One server for the file; documents in a temp dir (no config: names checked against
 * the file) and in examples/ (its rag.config.ts supplies the registry).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import {
  CodeActionRequest,
  CompletionRequest,
  DefinitionRequest,
  DocumentSymbolRequest,
  SemanticTokensRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidChangeWorkspaceFoldersNotification,
  DidOpenTextDocumentNotification,
  DocumentFormattingRequest,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  RenameRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type CompletionList,
  type PublishDiagnosticsParams,
  type ProtocolConnection,
  type TextEdit,
  type WorkspaceEdit,
} from "vscode-languageserver-protocol/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatSource } from "../../compiler/index.js";
import { ragIn } from "../helpers/cli.js";

const root = new URL("../../", import.meta.url).pathname;
let child: ChildProcess;
let conn: ProtocolConnection;
let dir: string;
const published = new Map<string, PublishDiagnosticsParams[]>();
const waiters: { uri: string; pred: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];

/** The next diagnostics published for `uri` that satisfy `pred` (already received ones count). */
function diagnosticsFor(uri: string, pred: (p: PublishDiagnosticsParams) => boolean = () => true): Promise<PublishDiagnosticsParams> {
  const seen = (published.get(uri) ?? []).find(pred);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => waiters.push({ uri, pred, resolve }));
}

/** The codes of a publication's diagnostics. */
const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => d.code);

/**
 * Runs `act`, then the codes of the first diagnostics published for `uri` after it that
 * satisfy `pred` (publications before `act` never count, whatever they hold).
 */
async function codesAfter(uri: string, act: () => unknown, pred: (c: ReturnType<typeof codes>) => boolean = () => true): Promise<ReturnType<typeof codes>> {
  const seen = (published.get(uri) ?? []).length;
  await act();
  return codes(await diagnosticsFor(uri, (p) => (published.get(uri) ?? []).indexOf(p) >= seen && pred(codes(p))));
}

function open(uri: string, text: string, version = 1) {
  void conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "rag", version, text } });
}

function apply(text: string, edits: readonly TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create("x", "rag", 1, text), [...edits]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rag-lsp-"));
  child = spawn(process.execPath, [join(root, "bin/rag.js"), "lsp", "--stdio"], { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
  child.stderr!.on("data", () => {});
  conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    published.set(p.uri, [...(published.get(p.uri) ?? []), p]);
    for (const w of [...waiters]) {
      if (w.uri === p.uri && w.pred(p)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p);
      }
    }
  });
  conn.listen();
  // Two workspace folders: the temp dir and examples/ (whose rag.config.ts supplies a registry).
  const folders = [dir, join(root, "examples")].map((f) => ({ uri: pathToFileURL(f).href, name: f }));
  const init = await conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: { workspace: { workspaceFolders: true } }, workspaceFolders: folders });
  expect(init.capabilities.completionProvider).toBeDefined();
  expect(init.capabilities.renameProvider).toEqual({ prepareProvider: true });
  expect(init.capabilities.documentFormattingProvider).toBe(true);
  expect(init.capabilities.codeActionProvider).toBeDefined();
  expect(init.capabilities.workspace?.workspaceFolders).toEqual({ supported: true, changeNotifications: true });
  await conn.sendNotification(InitializedNotification.type, {});
}, 30_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill();
  conn?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const SUPPORT = `graph support {
  start triage
  channel answer overwrite
  node triage {
    kind model
    model "default"
    prompt "Classify"
    routes { billing -> billing_desk  other -> END }
  }
  node billing_desk {
    kind set
    set { answer: "billing" }
    next toolz
  }
}
`;

describe("rag lsp over stdio", () => {
  it("publishes the compiler's diagnostics on didOpen, with spans as 0-based ranges", async () => {
    const uri = pathToFileURL(join(dir, "support.rag")).href;
    open(uri, SUPPORT);
    const p = await diagnosticsFor(uri);
    const unknown = p.diagnostics.find((d) => d.code === "E-rag-unknown-node");
    expect(unknown).toMatchObject({ severity: 1, source: "rag", range: { start: { line: 12, character: 9 }, end: { line: 12, character: 14 } } });
    expect(unknown!.message).toContain("`toolz`");
  });

  it("re-publishes after didChange, and offers a quick fix for a typo", async () => {
    const uri = pathToFileURL(join(dir, "support.rag")).href;
    const typo = SUPPORT.replace("next toolz", "next ENDD").replace("kind set", "kind sett");
    void conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges: [{ text: typo }] });
    const p = await diagnosticsFor(uri, (x) => x.version === 2);
    const kind = p.diagnostics.find((d) => d.code === "W-rag-unknown-node-kind");
    expect(kind?.range).toEqual({ start: { line: 10, character: 9 }, end: { line: 10, character: 13 } });
    const actions = (await conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: kind!.range, context: { diagnostics: [kind!] } })) as { title: string; kind: string; edit: WorkspaceEdit }[];
    const fix = actions.find((a) => a.kind === "quickfix")!;
    expect(fix.title).toBe("replace `sett` with `set`");
    expect(apply(typo, fix.edit.changes![uri])).toContain("kind set\n");
  });

  it("completes node kinds and node names", async () => {
    const uri = pathToFileURL(join(dir, "complete.rag")).href;
    open(uri, "graph g {\n  start a\n  node a {\n    kind \n  }\n  node b { next END }\n}\n");
    await diagnosticsFor(uri);
    const kinds = (await conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 3, character: 9 } })) as CompletionList;
    expect(kinds.items.map((i) => i.label)).toEqual(expect.arrayContaining(["model", "agent", "subagent", "interrupt", "repl_agent"]));
    void conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 3, character: 4 }, end: { line: 3, character: 9 } }, text: "next " }] });
    await diagnosticsFor(uri, (x) => x.version === 2);
    const next = (await conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 3, character: 9 } })) as CompletionList;
    expect(next.items.map((i) => i.label).sort()).toEqual(["END", "a", "b"]);
  });

  it("renames a node everywhere in its graph", async () => {
    const uri = pathToFileURL(join(dir, "support.rag")).href;
    void conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 3 }, contentChanges: [{ text: SUPPORT }] });
    await diagnosticsFor(uri, (x) => x.version === 3);
    const edit = (await conn.sendRequest(RenameRequest.type, { textDocument: { uri }, position: { line: 9, character: 8 }, newName: "billing" })) as WorkspaceEdit;
    const text = apply(SUPPORT, edit.changes![uri]);
    expect(text).toContain("billing -> billing  other");
    expect(text).toContain("node billing {");
    expect(text).not.toContain("billing_desk");
    await expect(conn.sendRequest(RenameRequest.type, { textDocument: { uri }, position: { line: 9, character: 8 }, newName: "triage" })).rejects.toThrow(/already has a node named `triage`/);
  });

  it("answers definition, document symbols and semantic tokens", async () => {
    const uri = pathToFileURL(join(dir, "support.rag")).href;
    const def = await conn.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: { line: 7, character: 27 } });
    expect(def).toEqual([{ uri, range: { start: { line: 9, character: 7 }, end: { line: 9, character: 19 } } }]);
    const syms = (await conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as { name: string; children?: { name: string; detail?: string }[] }[];
    expect(syms.map((s) => s.name)).toEqual(["support"]);
    expect(syms[0].children!.map((c) => `${c.name}:${c.detail}`)).toEqual(["answer:channel overwrite", "triage:model", "billing_desk:set"]);
    const tokens = await conn.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } });
    expect(tokens!.data.slice(0, 10)).toEqual([0, 0, 5, 0, 0, 0, 6, 7, 6, 1]); // `graph` keyword, `support` graph name (declaration)
  });

  it("formats a document to exactly what `rag fmt` writes", async () => {
    const uri = pathToFileURL(join(dir, "fmt.rag")).href;
    const messy = "graph g {start a\nnode a { kind set set { x: 1 } next END }\n  state { x number }}\n";
    open(uri, messy);
    const edits = (await conn.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })) as TextEdit[];
    expect(edits.length).toBeGreaterThan(0);
    expect(apply(messy, edits)).toBe(formatSource(messy).value);
  });

  it("uses the rag.config.ts beside a file: registry tools complete and hover with their argument schema", async () => {
    const file = join(root, "examples/research_review.rag");
    const uri = pathToFileURL(file).href;
    const text = readFileSync(file, "utf8").replace('tools ["search", "read_repo"]', 'tools ["serch", "read_repo"]');
    open(uri, text);
    const p = await diagnosticsFor(uri);
    expect(p.diagnostics.map((d) => d.code)).toContain("E-rag-unknown-tool");
    const lines = text.split("\n");
    const line = lines.findIndex((l) => l.includes('tools ["serch"'));
    const character = lines[line].indexOf("serch") + 1;
    const list = (await conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line, character } })) as CompletionList;
    expect(list.items.map((i) => i.label)).toEqual(expect.arrayContaining(["search", "read_repo"]));
    const readRepo = lines[line].indexOf("read_repo") + 2;
    const hover = await conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character: readRepo } });
    expect((hover!.contents as { value: string }).value).toMatch(/\*\*tool\*\* `read_repo` \(registry\)[\s\S]*```json/);
  }, 30_000);

  it("does not run the rag.config.ts beside a file outside the workspace folders: checks it without a registry", async () => {
    // A file opened from elsewhere (a download, another clone): its config is code the user never opened as a workspace.
    const elsewhere = mkdtempSync(join(tmpdir(), "rag-lsp-elsewhere-"));
    try {
      const marker = join(elsewhere, "ran");
      writeFileSync(join(elsewhere, "rag.config.ts"), `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "the config ran");\nexport default {};\n`);
      mkdirSync(join(elsewhere, "flows"));
      const file = join(elsewhere, "x.rag");
      writeFileSync(file, "graph x { start a node a { kind tool tool \"anything\" next END } }\n");
      const uri = pathToFileURL(file).href;
      open(uri, readFileSync(file, "utf8"));
      const p = await diagnosticsFor(uri);
      expect(p.diagnostics.map((d) => d.code)).not.toContain("E-rag-unknown-tool"); // no registry: names are not checked
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  }, 30_000);

  it("follows workspace folders the editor opens and closes later: a config runs only while its folder is open", async () => {
    const later = mkdtempSync(join(tmpdir(), "rag-lsp-later-"));
    try {
      writeFileSync(join(later, "rag.config.ts"), "export default {};\n"); // a registry with no tools
      const file = join(later, "y.rag");
      writeFileSync(file, 'graph y { start a node a { kind tool tool "anything" next END } }\n');
      const uri = pathToFileURL(file).href;
      open(uri, readFileSync(file, "utf8"));
      expect(codes(await diagnosticsFor(uri))).not.toContain("E-rag-unknown-tool"); // outside: checked without a registry
      const folder = { uri: pathToFileURL(later).href, name: "later" };
      expect(await codesAfter(uri, () => conn.sendNotification(DidChangeWorkspaceFoldersNotification.type, { event: { added: [folder], removed: [] } }))).toContain("E-rag-unknown-tool"); // its config's registry now applies
      expect(await codesAfter(uri, () => conn.sendNotification(DidChangeWorkspaceFoldersNotification.type, { event: { added: [], removed: [folder] } }))).not.toContain("E-rag-unknown-tool");
    } finally {
      rmSync(later, { recursive: true, force: true });
    }
  }, 30_000);

  it("loads a config again when it, or a file of the project it imports, changes: no restart", async () => {
    const proj = join(dir, "reloading");
    mkdirSync(proj);
    const models = (names: string[]) => `export const models = ${JSON.stringify(Object.fromEntries(names.map((n) => [n, { provider: "openai", model: "gpt-4o-mini" }])))};\n`;
    writeFileSync(join(proj, "models.ts"), models(["first"]));
    writeFileSync(join(proj, "rag.config.ts"), 'import { models } from "./models.ts";\nexport default { models };\n');
    const uri = pathToFileURL(join(proj, "x.rag")).href;
    open(uri, 'graph g { start a state { out: string } node a { kind model model "later" prompt "hi" writes out next END } }\n');
    expect(codes(await diagnosticsFor(uri))).toContain("E-rag-unknown-model");
    // The imported module gains the model: the config is loaded again, afresh, and the document checked.
    expect(await codesAfter(uri, () => writeFileSync(join(proj, "models.ts"), models(["first", "later"])), (c) => !c.includes("E-rag-unknown-model"))).toEqual([]);
    // The config itself changes: it no longer registers the model.
    expect(await codesAfter(uri, () => writeFileSync(join(proj, "rag.config.ts"), "export default { models: {} };\n"), (c) => c.includes("E-rag-unknown-model"))).toContain("E-rag-unknown-model");
  }, 30_000);

  it("a rag.config.ts created beside an open document later applies to it", async () => {
    const proj = join(dir, "config-later");
    mkdirSync(proj);
    const uri = pathToFileURL(join(proj, "x.rag")).href;
    open(uri, 'graph g { start a state { out: string } node a { kind model model "m" prompt "hi" writes out next END } }\n');
    expect(codes(await diagnosticsFor(uri))).not.toContain("E-rag-unknown-model"); // no registry yet
    expect(await codesAfter(uri, () => writeFileSync(join(proj, "rag.config.ts"), "export default { models: {} };\n"), (c) => c.includes("E-rag-unknown-model"))).toContain("E-rag-unknown-model");
  }, 30_000);

  it("follows .rag/approvals.json: `rag approve` in a terminal clears the review warning of an open document", async () => {
    const proj = join(dir, "reviewing");
    mkdirSync(proj);
    writeFileSync(join(proj, "rag.config.ts"), 'export default { policy: { name: "team", requireReview: "all" } };\n');
    const text = "graph g {\n  start a\n  node a { next END }\n}\n";
    writeFileSync(join(proj, "x.rag"), text);
    const uri = pathToFileURL(join(proj, "x.rag")).href;
    open(uri, text);
    expect(codes(await diagnosticsFor(uri))).toContain("W-rag-review-required");
    expect(await codesAfter(uri, async () => expect((await ragIn(["approve", "x.rag"], proj)).code).toBe(0), (c) => !c.includes("W-rag-review-required"))).toEqual([]);
  }, 30_000);

  it("shuts down and exits cleanly", async () => {
    await conn.sendRequest(ShutdownRequest.type);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    void conn.sendNotification(ExitNotification.type);
    expect(await exited).toBe(0);
  });
});

describe.skipIf(!existsSync("/usr/bin/script"))("rag lsp started by hand in a terminal", () => {
  it("says on stderr what it waits for (an editor speaking LSP) instead of sitting silent", async () => {
    // util-linux `script` gives the command a terminal as its standard input and output.
    const term = spawn("/usr/bin/script", ["-qfec", `${process.execPath} ${join(root, "bin/rag.js")} lsp`, "/dev/null"], { cwd: tmpdir(), stdio: ["pipe", "pipe", "pipe"] });
    try {
      let out = "";
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no note within 20 s; got ${JSON.stringify(out)}`)), 20_000);
        term.stdout!.on("data", (d: Buffer) => {
          out += d.toString("utf8");
          if (out.includes("Ctrl-C quits")) (clearTimeout(timer), resolve());
        });
      });
      expect(out).toContain("rag lsp: a language server; it talks LSP (JSON-RPC) on stdin/stdout with an editor, which starts it (set-up: docs/editors.md). Ctrl-C quits.");
    } finally {
      term.kill("SIGKILL");
    }
  }, 30_000);
});

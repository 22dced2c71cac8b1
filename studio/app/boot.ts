/**
 * The page's entry (`app.js`, a few kB): starts the language worker and, in parallel,
 * fetches the workspace listing, the registry snapshot and the first file, so the first
 * compile runs in the worker while Monaco (the `main.js` chunk, most of the page's
 * bytes) downloads and starts. Then hands everything to `main.ts`.
 */
import { api } from "./api.js";
import type { ServiceRegistrySnapshot } from "../../language-service/index.js";
import { LanguageClient, uriOf } from "./lang-client.js";
import type { Diagnostic, GraphView, InputField, Span } from "./api.js";
import { layoutQuick, topologyKey } from "./layout.js";
import { ELK_MAX_NODES, type Analysis } from "./protocol.js";

/** What the boot script fetched and started before Monaco loaded. */
export interface Early {
  readonly lang: LanguageClient;
  readonly info: Promise<WorkspaceInfo>;
  readonly language: Promise<LanguageSnapshot>;
  /**
   * The first file, already synced to the worker as version 1 with its analysis under
   * way; `server`: the same file's analysis from the server's warm compiler
   * (`POST /api/graph`), asked in parallel for the first paint only (a fresh worker
   * compiles a big file several times slower than it will once warm).
   */
  readonly first: Promise<{ path: string; content: string; analysis: Promise<Analysis>; server?: Promise<Analysis> } | undefined>;
}

export interface WorkspaceInfo {
  readonly workspace: string;
  readonly config: string | null;
  readonly files: readonly { path: string; kind: string }[];
}

/** `GET /api/registry`. */
export interface LanguageSnapshot {
  readonly registry: ServiceRegistrySnapshot | null;
  readonly approved: readonly string[];
  readonly defaultInputs: Readonly<Record<string, Record<string, unknown>>>;
}

performance.mark("studio:boot");
/** `POST /api/graph` as an `Analysis` of version 1 (big graphs laid out here, once). */
async function serverAnalysis(path: string, source: string): Promise<Analysis> {
  const r = await api<{ view?: GraphView; spans: Record<string, Span>; graphs: string[]; diagnostics: Diagnostic[]; input: InputField[] | null; ms: number }>("POST", "/api/graph", { source, file: path });
  performance.mark("studio:server-analysis");
  const topology = r.view ? topologyKey(r.view) : undefined;
  const placed = r.view && r.view.nodes.length > ELK_MAX_NODES ? layoutQuick(r.view) : undefined;
  return { version: 1, diagnostics: r.diagnostics, ...(r.view ? { view: r.view, topology } : {}), ...(placed ? { placed } : {}), spans: r.spans, graphs: r.graphs, input: r.input, timings: { compileMs: r.ms, viewMs: 0 }, source: "server" };
}

const lang = new LanguageClient(new Worker("/lang.worker.js", { type: "module" }));
const info = api<WorkspaceInfo>("GET", "/api/info");
const language = api<LanguageSnapshot>("GET", "/api/registry").then((s) => (performance.mark("studio:registry"), lang.init(s.registry, s.approved), s));
const first = info.then(async (i) => {
  const wanted = new URLSearchParams(location.search).get("file");
  const f = i.files.find((x) => x.path === wanted) ?? i.files.find((x) => x.kind === "rag");
  if (!f) return undefined;
  const [{ content }] = await Promise.all([api<{ content: string }>("GET", `/api/file?path=${encodeURIComponent(f.path)}`), language]);
  const uri = uriOf(f.path);
  performance.mark("studio:file-synced");
  lang.sync(uri, 1, content);
  if (f.kind !== "rag") return { path: f.path, content, analysis: Promise.resolve({ version: 1, diagnostics: [], spans: {}, graphs: [], input: null, timings: { compileMs: 0, viewMs: 0 } }) };
  const analysis = lang.analyze({ uri }).then((a) => (performance.mark("studio:worker-analysis"), a));
  return { path: f.path, content, analysis, server: serverAnalysis(f.path, content) };
});
const early: Early = { lang, info, language, first };
// Unhandled until main.ts takes them: keep the console quiet about early failures.
for (const p of [info, language, first]) p.catch(() => undefined);
const { start } = await import("./main.js");
performance.mark("studio:main-loaded");
start(early);

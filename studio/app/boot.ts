/**
 * The page's entry (`app.js`, a few kB): starts the language worker and, in parallel,
 * fetches the workspace listing, the registry snapshot and the first file, so the first
 * compile runs in the worker while Monaco (the `main.js` chunk, most of the page's
 * bytes) downloads and starts. Then hands everything to `main.ts`.
 */
import { api } from "./api.js";
import type { ServiceRegistrySnapshot } from "../../language-service/index.js";
import { LanguageClient, uriOf } from "./lang-client.js";
import type { Analysis } from "./protocol.js";

/** What the boot script fetched and started before Monaco loaded. */
export interface Early {
  readonly lang: LanguageClient;
  readonly info: Promise<WorkspaceInfo>;
  readonly language: Promise<LanguageSnapshot>;
  /** The first file, already synced to the worker as version 1 with its analysis under way. */
  readonly first: Promise<{ path: string; content: string; analysis: Promise<Analysis> } | undefined>;
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
const lang = new LanguageClient(new Worker("/lang.worker.js", { type: "module" }));
const info = api<WorkspaceInfo>("GET", "/api/info");
const language = api<LanguageSnapshot>("GET", "/api/registry").then((s) => (lang.init(s.registry, s.approved), s));
const first = info.then(async (i) => {
  const wanted = new URLSearchParams(location.search).get("file");
  const f = i.files.find((x) => x.path === wanted) ?? i.files.find((x) => x.kind === "rag");
  if (!f) return undefined;
  const [{ content }] = await Promise.all([api<{ content: string }>("GET", `/api/file?path=${encodeURIComponent(f.path)}`), language]);
  const uri = uriOf(f.path);
  lang.sync(uri, 1, content);
  return { path: f.path, content, analysis: f.kind === "rag" ? lang.ask("analyze", { uri }).then((a) => (performance.mark("studio:first-analysis"), a)) : Promise.resolve({ version: 1, diagnostics: [], spans: {}, graphs: [], input: null, timings: { compileMs: 0, viewMs: 0 } }) };
});
const early: Early = { lang, info, language, first };
// Unhandled until main.ts takes them: keep the console quiet about early failures.
for (const p of [info, language, first]) p.catch(() => undefined);
const { start } = await import("./main.js");
performance.mark("studio:main-loaded");
start(early);

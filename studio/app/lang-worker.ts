/**
 * The studio's language worker: the browser-safe language service (`language-service/`,
 * the real compiler — grammar and compiler only, nothing Node) in a Web Worker, so
 * typing never blocks the page and never waits on the server. It keeps each open
 * buffer (`sync`), and answers analyses (diagnostics as the API's JSON shape, the
 * compiler's graph view with node spans and input fields, and for big graphs a layout),
 * code actions, completion, hover, formatting, definition, references, rename, document
 * symbols and semantic tokens. Requests are answered in order; an
 * analysis of an unchanged buffer reuses the language service's compilation.
 */
import { diagnosticToJson, diffBlueprints, graphView, renderDiff, typeSpecSchema, typeSpecText } from "../../compiler/index.js";
import { createLanguageService, type LanguageService, type ServiceRegistrySnapshot } from "../../language-service/index.js";
import type { Diagnostic, GraphView, InputField } from "./api.js";
import { LayoutCache, layoutQuick, topologyKey } from "./layout.js";
import { ELK_MAX_NODES, packSpans, type Placed, type Reply, type Request, type SemanticDiff, type WorkerAnalysis } from "./protocol.js";

interface Scope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: "message", listener: (e: { data: Request }) => void): void;
}
const scope = self as unknown as Scope;

let service: LanguageService = createLanguageService();
const versions = new Map<string, number>();
/** The last few layouts by topology, reused while (or when again) the drawing's topology is the same. */
const layouts = new LayoutCache();
/**
 * The last view per uri + graph, keyed by the hashes of the file's blueprints (the view
 * is a function of them): an edit that leaves every blueprint unchanged (spacing,
 * comments, a reordering the hash ignores) reuses it.
 */
const views = new Map<string, { hashes: string; view: GraphView; topology: string }>();
/**
 * The view's topology and the layout last sent to the page per uri + graph: not sent
 * again while unchanged (equal topologies are equal views but for the hash).
 */
const sent = new Map<string, { topology: string; placed: Placed | undefined }>();

/**
 * Builds the parser (Chevrotain's grammar analysis) and warms the compiler on a tiny
 * graph while the page is still fetching the first file and loading Monaco, so the first
 * real analysis pays for the file only.
 */
function warmUp(): void {
  const uri = "file:///__warm-up__.rag";
  service.update(uri, "graph warm {\n  start a\n  state { n: number sum }\n  node a {\n    kind set\n    set { n: 1 }\n    next END\n  }\n}\n");
  service.compilation(uri);
  service.close(uri);
}
const warmStart = performance.now();
warmUp();
/** When the worker started (epoch ms) and how long the warm-up took (ms): `Analysis.timings` of the first analysis carries them. */
const started = { startedAt: performance.timeOrigin, warmUpMs: performance.now() - warmStart };

/**
 * JIT warm-up on the real document: V8 optimises the compiler's hot functions only after
 * they have run a while, so the first keystrokes on a big file compile several times
 * slower than later ones (a 1,000-node file: ~200 ms at first, ~50 ms once optimised).
 * After the first analysis of a big document (over `WARM_MIN_CHARS`) the worker compiles
 * its text `WARM_ROUNDS` more times in the background, one round per macrotask, so a
 * request that arrives meanwhile waits for at most one round. Results are discarded.
 */
const WARM_ROUNDS = 3;
const WARM_MIN_CHARS = 20_000;
const warmed = new Set<string>();
function warmOn(uri: string): void {
  const text = service.text(uri);
  if (warmed.has(uri) || text === undefined || text.length < WARM_MIN_CHARS) return;
  warmed.add(uri);
  let left = WARM_ROUNDS;
  const round = () => {
    const scratch = "file:///__warm-up__.rag";
    service.update(scratch, service.text(uri) ?? text);
    service.compilation(scratch);
    service.close(scratch);
    if (--left > 0) setTimeout(round, 0);
  };
  setTimeout(round, 0);
}

function init(registry: ServiceRegistrySnapshot | null, approved: readonly string[]): void {
  const hashes = new Set(approved);
  const next = createLanguageService({ ...(registry ? { registry } : {}), approvals: { isApproved: (h) => hashes.has(h) } });
  for (const uri of versions.keys()) {
    const text = service.text(uri);
    if (text !== undefined) next.update(uri, text);
  }
  service = next;
}

const NO_SPANS = () => packSpans([]);

function fileOf(uri: string): string {
  return decodeURIComponent(uri.replace(/^file:\/\/\//, ""));
}

function analyze(uri: string, graph: string | undefined, full = false): WorkerAnalysis {
  const t0 = performance.now();
  const c = service.compilation(uri);
  const file = fileOf(uri);
  const version = versions.get(uri) ?? 0;
  if (!c) return { version, diagnostics: [], spans: NO_SPANS(), graphs: [], input: null, timings: { compileMs: 0, viewMs: 0 } };
  const diagnostics = c.diagnostics.map((d) => diagnosticToJson(d, file) as unknown as Diagnostic);
  const t1 = performance.now();
  const bps = c.value.blueprints;
  const bp = graph !== undefined ? (bps.find((b) => b.id === graph) ?? bps[0]) : bps[0];
  const graphs = bps.map((b) => b.id);
  if (!bp) return { version, diagnostics, spans: NO_SPANS(), graphs, input: null, timings: { compileMs: t1 - t0, viewMs: 0 } };
  const key = `${uri}#${bp.id}`;
  const hashes = bps.map((b) => b.hash).join(" ");
  const cached = views.get(key);
  const { view, topology } = cached?.hashes === hashes ? cached : (() => {
    const v = graphView(bp, { graphs: new Map(bps.map((b) => [b.id, b])) });
    return { view: v, topology: topologyKey(v) };
  })();
  views.set(key, { hashes, view, topology });
  const spans = packSpans(bp.nodes.map((n) => [n.name, n.span] as const));
  const input: InputField[] | null = bp.input?.map((f) => ({ name: f.name, type: typeSpecText(f.type), optional: Boolean(f.type.optional) || f.default !== undefined, schema: typeSpecSchema(f.type, bp.schemas ?? {}) })) ?? null;
  let placed: Placed | undefined;
  if (view.nodes.length > ELK_MAX_NODES) {
    placed = layouts.get(topology) ?? layouts.set(topology, layoutQuick(view));
  }
  const t2 = performance.now();
  const timings = { compileMs: t1 - t0, viewMs: t2 - t1, startedAt: performance.timeOrigin + t0, endedAt: performance.timeOrigin + t2, worker: started };
  const last = sent.get(key);
  if (!full && last?.topology === topology && last.placed === placed) return { version, diagnostics, sameView: bp.id, viewHash: view.hash, spans, graphs, input, timings };
  sent.set(key, { topology, placed });
  return { version, diagnostics, view, topology, ...(placed ? { placed } : {}), spans, graphs, input, timings };
}

/**
 * `rag diff` in the worker: compiles `original` (with the same registry) and diffs its
 * blueprint of graph `graph` (default: its first graph) against the buffer's.
 */
function semanticDiff(uri: string, original: string, graph: string | undefined): SemanticDiff {
  const scratch = "file:///__diff__.rag";
  service.update(scratch, original);
  try {
    const before = service.compilation(scratch);
    const after = service.compilation(uri);
    // Like `rag diff A B`: the graph named on both sides, else the first graph of each.
    const a = graph !== undefined ? before?.value.blueprints.find((x) => x.id === graph) : before?.value.blueprints[0];
    const b = graph !== undefined ? after?.value.blueprints.find((x) => x.id === graph) : after?.value.blueprints[0];
    if (!a || !b) return { error: `${graph !== undefined ? `graph \`${graph}\`` : "the first graph"} does not compile in ${!a && !b ? "either version" : !a ? "the version compared with" : "the editor's buffer (see Problems)"}` };
    const d = diffBlueprints(a, b);
    return { text: renderDiff(d), changes: d.changes.length, identical: d.identical };
  } finally {
    service.close(scratch);
  }
}

function handle(m: Request): unknown {
  switch (m.kind) {
    case "init":
      return init(m.registry, m.approved);
    case "sync":
      versions.set(m.uri, m.version);
      return service.update(m.uri, m.text);
    case "close":
      versions.delete(m.uri);
      for (const k of [...views.keys(), ...sent.keys()]) if (k.startsWith(`${m.uri}#`)) (views.delete(k), sent.delete(k));
      return service.close(m.uri);
    case "analyze": {
      const a = analyze(m.uri, m.graph, m.full);
      warmOn(m.uri);
      return a;
    }
    case "codeActions":
      return service.codeActions(m.uri, m.range);
    case "completion":
      return service.completion(m.uri, m.position);
    case "hover":
      return service.hover(m.uri, m.position);
    case "format":
      return service.format(m.uri);
    case "definition":
      return service.definition(m.uri, m.position);
    case "references":
      return service.references(m.uri, m.position, m.includeDeclaration);
    case "prepareRename":
      return service.prepareRename(m.uri, m.position);
    case "rename":
      return service.rename(m.uri, m.position, m.newName);
    case "symbols":
      return service.symbols(m.uri);
    case "semanticTokens":
      return { data: Uint32Array.from(service.semanticTokens(m.uri, m.range).data) };
    case "semanticDiff":
      return semanticDiff(m.uri, m.original, m.graph);
  }
}

/** The buffers a reply moves rather than copies: semantic tokens' data, an analysis's packed spans. */
function moved(result: unknown): Transferable[] {
  const r = result as { data?: unknown; spans?: { at?: unknown } } | null | undefined;
  if (r?.data instanceof Uint32Array) return [r.data.buffer];
  if (r?.spans?.at instanceof Int32Array) return [r.spans.at.buffer];
  return [];
}

scope.addEventListener("message", (e) => {
  const m = e.data;
  let reply: Reply | undefined;
  try {
    const result = handle(m);
    if ("id" in m) reply = { id: m.id, result };
  } catch (err) {
    if ("id" in m) reply = { id: m.id, error: err instanceof Error ? err.message : String(err) };
  }
  if (reply) scope.postMessage(reply, reply && "result" in reply ? moved(reply.result) : []);
});

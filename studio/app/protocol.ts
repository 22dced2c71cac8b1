/**
 * Messages between the page and its language worker (`lang-worker.ts`). The worker runs
 * the browser-safe language service (`language-service/`, the real compiler) so a
 * keystroke never waits on the server: the page posts the buffer, the worker answers
 * diagnostics, the graph view with a layout, and editor queries (code actions,
 * completion, hover, formatting, definition, references, rename, document symbols,
 * semantic tokens). Plain structured-clone data; positions in queries are
 * the language service's (0-based line, UTF-16 character).
 */
import type { LsCodeAction, LsCompletionList, LsDocumentSymbol, LsHover, LsLocation, LsPosition, LsPrepareRename, LsRange, LsRenameResult, LsTextEdit, ServiceRegistrySnapshot } from "../../language-service/index.js";
import type { Diagnostic, GraphView, InputField, Span } from "./api.js";

/** Where each node of a view sits (px, top-left origin) and each edge's polyline. */
export interface Placed {
  readonly nodes: ReadonlyMap<string, { x: number; y: number; w: number; h: number }>;
  /** `labelAt`: the top-left corner of the edge's label box, when the layout placed it (ELK); else the label goes beside the edge's middle point. */
  readonly edges: readonly { from: string; to: string; kind: string; label?: string; points: { x: number; y: number }[]; labelAt?: { x: number; y: number } }[];
  readonly width: number;
  readonly height: number;
}

/** What one analysis of a buffer yields (the compiler's output, once per text version). */
export interface Analysis {
  /** The model version the analysis is of. */
  readonly version: number;
  readonly diagnostics: readonly Diagnostic[];
  /** The drawn graph, when one compiled. */
  readonly view?: GraphView;
  /**
   * Identity of the view's drawing (node ids, labels, kinds, edges): equal keys draw the
   * same picture, so the page keeps its SVG (and its layout) when only other text changed.
   */
  readonly topology?: string;
  /** The layout, computed in the worker for big graphs (over `ELK_MAX_NODES`); else the page asks ELK's worker. */
  readonly placed?: Placed;
  /**
   * Set instead of `view`, `topology` and `placed` when they are the ones the worker last
   * sent for this document and graph (the id given here; the view's hash may differ, see
   * `viewHash`): an edit that changed no blueprint hash (spacing, comments) or left the
   * drawing alone costs no copy of a 1,000-node view and layout between the threads. The page reuses what it kept (or
   * asks again with `full`).
   */
  readonly sameView?: string;
  /**
   * With `sameView`: the view's hash when it is not the kept view's — an edit that changed
   * a blueprint but not its drawing (a digit in a prompt or a value: a new hash, the same
   * nodes, edges and details) sends the hash, not the view again.
   */
  readonly viewHash?: string;
  /** Source span of each node, by view node id. */
  readonly spans: Readonly<Record<string, Span>>;
  readonly graphs: readonly string[];
  readonly input: readonly InputField[] | null;
  /**
   * Worker time for this analysis: compile (lex → lower), view + layout, ms; when the
   * analysis started and ended and when the worker started (epoch ms:
   * `performance.timeOrigin + performance.now()`, comparable with the page's), and its
   * warm-up (ms).
   */
  readonly timings: { readonly compileMs: number; readonly viewMs: number; readonly startedAt?: number; readonly endedAt?: number; readonly worker?: { readonly startedAt: number; readonly warmUpMs: number } };
  /** Who compiled: the worker (always, after the first paint) or the server (first paint of a page only). */
  readonly source?: "worker" | "server";
}

/**
 * Node spans as the worker sends them: the names, and six integers per name (start line,
 * column, offset, end line, column, offset) in one `Int32Array` moved to the page — a
 * 1,000-node graph's spans as 3,000 objects cost ~10 times more to copy between the
 * threads on every keystroke.
 */
export interface PackedSpans {
  readonly names: readonly string[];
  readonly at: Int32Array;
}

/** An analysis as the worker sends it (`spans` packed; the page unpacks them: `unpackAnalysis`). */
export type WorkerAnalysis = Omit<Analysis, "spans"> & { readonly spans: PackedSpans };

/** Packs spans by name (see `PackedSpans`). */
export function packSpans(spans: Iterable<readonly [string, Span]>): PackedSpans {
  const names: string[] = [];
  const nums: number[] = [];
  for (const [name, s] of spans) names.push(name), nums.push(s.start.line, s.start.column, s.start.offset, s.end.line, s.end.column, s.end.offset);
  return { names, at: Int32Array.from(nums) };
}

/** The analysis with its spans unpacked (a null-prototype record by node name). */
export function unpackAnalysis(a: WorkerAnalysis): Analysis {
  const spans = Object.create(null) as Record<string, Span>;
  const { names, at } = a.spans;
  for (let i = 0; i < names.length; i++) {
    const k = i * 6;
    spans[names[i]] = { start: { line: at[k], column: at[k + 1], offset: at[k + 2] }, end: { line: at[k + 3], column: at[k + 4], offset: at[k + 5] } };
  }
  return { ...a, spans };
}

/** Graphs with more nodes than this are laid out by the worker's layering, not ELK. */
export const ELK_MAX_NODES = 300;

/** Page → worker. `id` pairs a request with its reply; `sync` and `init` get none. */
export type Request =
  | { readonly kind: "init"; readonly registry: ServiceRegistrySnapshot | null; readonly approved: readonly string[] }
  | { readonly kind: "sync"; readonly uri: string; readonly version: number; readonly text: string }
  | { readonly kind: "close"; readonly uri: string }
  /** `full`: send the view even if the page was sent the same one before (see `Analysis.sameView`). */
  | { readonly kind: "analyze"; readonly id: number; readonly uri: string; readonly graph?: string; readonly full?: boolean }
  | { readonly kind: "codeActions"; readonly id: number; readonly uri: string; readonly range: LsRange }
  | { readonly kind: "completion"; readonly id: number; readonly uri: string; readonly position: LsPosition }
  | { readonly kind: "hover"; readonly id: number; readonly uri: string; readonly position: LsPosition }
  | { readonly kind: "format"; readonly id: number; readonly uri: string }
  | { readonly kind: "definition"; readonly id: number; readonly uri: string; readonly position: LsPosition }
  | { readonly kind: "references"; readonly id: number; readonly uri: string; readonly position: LsPosition; readonly includeDeclaration: boolean }
  | { readonly kind: "prepareRename"; readonly id: number; readonly uri: string; readonly position: LsPosition }
  | { readonly kind: "rename"; readonly id: number; readonly uri: string; readonly position: LsPosition; readonly newName: string }
  | { readonly kind: "symbols"; readonly id: number; readonly uri: string }
  /** `range`: only the tokens on its lines (the editor's visible lines). */
  | { readonly kind: "semanticTokens"; readonly id: number; readonly uri: string; readonly range?: LsRange }
  /** `rag diff` of `original` (another text) against the buffer, for the graph `graph` (default: the buffer's first). */
  | { readonly kind: "semanticDiff"; readonly id: number; readonly uri: string; readonly original: string; readonly graph?: string };

/** Replies by request kind. */
export interface Replies {
  readonly analyze: WorkerAnalysis;
  readonly codeActions: LsCodeAction[];
  readonly completion: LsCompletionList;
  readonly hover: LsHover | null;
  readonly format: LsTextEdit[];
  readonly definition: LsLocation[];
  readonly references: LsLocation[];
  readonly prepareRename: LsPrepareRename | null;
  readonly rename: LsRenameResult;
  readonly symbols: LsDocumentSymbol[];
  /** As a `Uint32Array`, moved (not copied) from the worker. */
  readonly semanticTokens: { readonly data: Uint32Array };
  readonly semanticDiff: SemanticDiff;
}

/** `rag diff` as text (`renderDiff`) with the number of changes, or why a side has no blueprint. */
export type SemanticDiff = { readonly text: string; readonly changes: number; readonly identical: boolean } | { readonly error: string };

/** Worker → page. */
export type Reply = { readonly id: number; readonly result: unknown } | { readonly id: number; readonly error: string };

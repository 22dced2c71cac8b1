/**
 * Source services of the API, on text sent by the client (an unsaved editor buffer):
 * check (diagnostics with fixes), format, graph (a drawable view with each node's
 * source span) and compile (Blueprint IR). Diagnostics are data (`diagnosticToJson`),
 * rendered by the page.
 */
import { compile, diagnosticToJson, typeSpecSchema, typeSpecText, type JsonSchema, formatSource, graphView, renderDiagnostics, PLAIN_STYLE, type Blueprint, type GraphView, type RegistryView } from "../compiler/index.js";
import type { Span } from "../grammar/span.js";
import { badRequest } from "./errors.js";

export interface CheckResult {
  readonly diagnostics: readonly Record<string, unknown>[];
  /** Graph names declared in the source that compiled. */
  readonly graphs: readonly string[];
  /** The diagnostics rendered as text (as `rag check` prints them, without colour). */
  readonly rendered: string;
  /** Compile time on the server, ms. */
  readonly ms: number;
}

/** Diagnostics of `source` against `registry` (`rag check`). */
export function checkSource(source: string, file: string, registry: RegistryView): CheckResult {
  const t0 = performance.now();
  const r = compile(source, { file, registry });
  return {
    diagnostics: r.diagnostics.map((d) => diagnosticToJson(d, file)),
    graphs: r.value.blueprints.map((b) => b.id),
    rendered: r.diagnostics.length ? renderDiagnostics(r.diagnostics, { lines: r.value.lines, file }, PLAIN_STYLE) : "",
    ms: performance.now() - t0,
  };
}

/** `rag fmt` on text: the formatted text, or undefined with diagnostics when refused. */
export function formatText(source: string, file: string): { text?: string; diagnostics: readonly Record<string, unknown>[] } {
  const r = formatSource(source, { file });
  return { ...(r.value !== undefined ? { text: r.value } : {}), diagnostics: r.diagnostics.map((d) => diagnosticToJson(d, file)) };
}

export interface GraphResult {
  /** The drawable view (undefined when no graph compiled). */
  readonly view?: GraphView;
  /** Source span of each top-level node of the view, by view node id. */
  readonly spans: Readonly<Record<string, Span>>;
  readonly graphs: readonly string[];
  readonly diagnostics: readonly Record<string, unknown>[];
  /** The graph's `input` fields (null without an input block). */
  readonly input: readonly { name: string; type: string; optional: boolean; schema: JsonSchema }[] | null;
  readonly ms: number;
}

/** The graph view of `graph` (default: the first compiled graph) with node spans. */
export function graphOfSource(source: string, file: string, registry: RegistryView, graph?: string): GraphResult {
  const t0 = performance.now();
  const r = compile(source, { file, registry });
  const bps = r.value.blueprints;
  const bp = graph !== undefined ? bps.find((b) => b.id === graph) : bps[0];
  const diagnostics = r.diagnostics.map((d) => diagnosticToJson(d, file));
  if (!bp) return { spans: {}, graphs: bps.map((b) => b.id), diagnostics, input: null, ms: performance.now() - t0 };
  const view = graphView(bp, { graphs: new Map(bps.map((b) => [b.id, b])) });
  const spans: Record<string, Span> = Object.create(null) as Record<string, Span>;
  for (const n of bp.nodes) spans[n.name] = n.span;
  const input = bp.input?.map((f) => ({ name: f.name, type: typeSpecText(f.type), optional: Boolean(f.type.optional) || f.default !== undefined, schema: typeSpecSchema(f.type, bp.schemas ?? {}) })) ?? null;
  return { view, spans, graphs: bps.map((b) => b.id), diagnostics, input, ms: performance.now() - t0 };
}

/** The blueprint of `graph` (default: the first). @throws ApiError `compile_error` naming the first error. */
export function blueprintOf(source: string, file: string, registry: RegistryView, graph?: string): { blueprint: Blueprint; siblings: Map<string, Blueprint> } {
  const r = compile(source, { file, registry });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) {
    const d = errors[0];
    throw badRequest(`${file}:${d.span.start.line}:${d.span.start.column}: ${d.code}: ${d.message}${errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? "s" : ""})` : ""}`, "compile_error");
  }
  const bps = r.value.blueprints;
  const blueprint = graph !== undefined ? bps.find((b) => b.id === graph) : bps[0];
  if (!blueprint) throw badRequest(graph !== undefined ? `graph \`${graph}\` is not declared in ${file} (graphs: ${bps.map((b) => b.id).join(", ") || "none"})` : `${file} declares no graph`, "compile_error");
  return { blueprint, siblings: new Map(bps.map((b) => [b.id, b])) };
}

/**
 * The properties every input must have, whatever its text (issue 3 §6): the front end
 * returns (never throws), every diagnostic's span, labels and fixes lie inside the
 * source with line/column matching the offset, every code is catalogued, and applying
 * the fixes gives text that compiles again without throwing.
 */
import { applyFixes, catalogEntry, compile, registryViewFromSnapshot, type Blueprint, type RegistryView } from "../../compiler/index.js";
import type { Diagnostic } from "../../grammar/index.js";
import type { Span } from "../../grammar/span.js";
import { checkCliPaths } from "./cli-paths.js";
import type { Problem } from "./problem.js";

const REGISTRY: RegistryView = registryViewFromSnapshot({
  models: ["default", "small"], tools: ["search", "read_repo"], agents: ["research_agent", "verifier_agent", "final_reviewer"], graphs: [], scripts: [], routers: ["pick"],
  reducers: null, node_kinds: null, validators: ["no_pii"], model_capabilities: { small: { tools: false, structuredOutput: false, contextWindow: 100 } },
  policy: { name: "fuzz", allow: { tools: ["search", "read_repo"] }, untrustedAllow: { tools: ["search"] }, review: "untrusted" },
});

function lineColOk(src: string, s: Span, lineStarts: number[]): boolean {
  const { start, end } = s;
  if (!(0 <= start.offset && start.offset <= end.offset && end.offset <= src.length)) return false;
  for (const p of [start, end]) {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= p.offset) lo = mid;
      else hi = mid - 1;
    }
    if (p.line !== lo + 1 || p.column !== p.offset - lineStarts[lo] + 1) return false;
  }
  return true;
}

function starts(src: string): number[] {
  const out = [0];
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 10) out.push(i + 1);
    else if (c === 13) {
      if (src.charCodeAt(i + 1) === 10) i++;
      out.push(i + 1);
    }
  }
  return out;
}

/** The first diagnostic of `ds` whose code is not catalogued or whose spans do not lie inside `src` with matching line/column. */
export function diagnosticProblem(src: string, ds: readonly Diagnostic[]): Problem | undefined {
  const ls = starts(src);
  for (const d of ds) {
    if (!catalogEntry(d.code)) return { kind: "uncatalogued", detail: d.code };
    const spans = [d.span, ...d.labels.map((l) => l.span), ...d.fixes.map((f) => f.span)];
    if (!spans.every((s) => lineColOk(src, s, ls))) return { kind: "span", detail: `${d.code} ${JSON.stringify(d.span)}` };
  }
  return undefined;
}

/**
 * Compiles `src` (with the fuzz registry when `withRegistry`) and returns what is wrong,
 * if anything; with `index` given, also the CLI paths' properties (cli-paths.ts).
 */
export function checkInput(src: string, withRegistry: boolean, tryFixes: boolean, index?: number): Problem | undefined {
  let ds: readonly Diagnostic[];
  let blueprints: readonly Blueprint[];
  try {
    const r = compile(src, { file: "fuzz.rag", ...(withRegistry ? { registry: REGISTRY } : {}) });
    ds = r.diagnostics;
    blueprints = r.value.blueprints;
  } catch (e) {
    return { kind: "throw", detail: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e) };
  }
  const bad = diagnosticProblem(src, ds);
  if (bad) return bad;
  if (tryFixes && ds.some((d) => d.fixes.length)) {
    try {
      compile(applyFixes(src, ds).text, withRegistry ? { registry: REGISTRY } : {});
    } catch (e) {
      return { kind: "fix-throw", detail: e instanceof Error ? e.message : String(e) };
    }
  }
  return index === undefined ? undefined : checkCliPaths(src, ds, blueprints, { file: "fuzz.rag", ...(withRegistry ? { registry: REGISTRY } : {}) }, index);
}

/**
 * `command { goto parent.NODE }` across the graphs of one file (LangGraph's
 * `Command.PARENT`): which graphs run which as subgraphs, and which parent nodes the
 * subgraphs' parent gotos reach. Used by the rules that check those targets, and by the
 * reachability rules so that a node reached only by a child's parent goto is not
 * reported as unreachable.
 */
import type { Span } from "../../grammar/span.js";
import type { ResolvedGraph, ResolvedNode, ResolvedProgram } from "../resolve/resolve.js";

/** One `goto parent.NODE` of a graph: the node that says it and the target name with its span. */
export interface ParentGoto {
  readonly node: string;
  readonly target: string;
  readonly span: Span;
}

/** The graph a node runs as a child run: its `graph "X"` item (or `model "X"` on a subgraph node). */
export function calledGraph(n: ResolvedNode): string | undefined {
  return n.items.get("graph")?.value.value ?? (n.modelMeaning === "graph" ? n.items.get("model")?.value.value : undefined);
}

/** The `goto parent.NODE` items of a graph, in source order. */
export function parentGotos(g: ResolvedGraph): ParentGoto[] {
  const out: ParentGoto[] = [];
  for (let ni = 0, nl = g.nodeList; ni < nl.length; ni++) {
    const n = nl[ni]!;
    const c = n.items.get("command");
    if (c?.parent && c.goto?.name) out.push({ node: n.name, target: c.goto.name, span: c.goto.span });
  }
  return out;
}

/**
 * Per node of `g` that runs a same-file graph with parent gotos: the names of the nodes
 * of `g` those gotos continue at.
 */
export function parentGotoTargets(program: ResolvedProgram, g: ResolvedGraph): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!anyParentGoto(program)) return out;
  for (let ni = 0, nl = g.nodeList; ni < nl.length; ni++) {
    const n = nl[ni]!;
    const callee = calledGraph(n);
    const child = callee !== undefined ? program.graphByName.get(callee) : undefined;
    if (!child || child === g) continue;
    const targets = parentGotos(child).map((p) => p.target);
    if (targets.length) out.set(n.name, targets);
  }
  return out;
}

/** The same-file graphs that run `g` as a subgraph, with the calling node. */
export function callersOf(program: ResolvedProgram, g: ResolvedGraph): { graph: ResolvedGraph; node: ResolvedNode }[] {
  const out: { graph: ResolvedGraph; node: ResolvedNode }[] = [];
  for (const p of program.graphs) for (const n of p.nodeList) if (p !== g && calledGraph(n) === g.name) out.push({ graph: p, node: n });
  return out;
}

const withParentGotos = new WeakMap<ResolvedProgram, boolean>();

/** Whether some graph of the program has a `goto parent.X` (computed once per program: most files have none). */
function anyParentGoto(program: ResolvedProgram): boolean {
  let any = withParentGotos.get(program);
  if (any === undefined) {
    any = program.graphs.some((g) => g.nodeList.some((n) => {
      const c = n.items.get("command");
      return !!(c?.parent && c.goto?.name);
    }));
    withParentGotos.set(program, any);
  }
  return any;
}

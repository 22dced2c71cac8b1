/**
 * Which nodes can finish: the loops a run can enter but never leave, and the nodes from
 * which no path reaches END (`language.md` §5: "no path to END", "cycle without exit").
 *
 * In a finite flow graph where every node without a route ends its branch, a reachable
 * node that cannot reach END always leads into a loop with no edge out of it (a terminal
 * strongly connected component of the doomed nodes). Such a loop runs until the
 * recursion limit fails the run (`RecursionLimitError`), so it is an error, whatever the
 * limit. Cached per graph, like the flow graph.
 */
import type { ResolvedGraph } from "../resolve/resolve.js";
import { shortestPath } from "./digraph.js";
import { flowGraph, flowLoops, type FlowGraph } from "./flow.js";
import { isCycle, stronglyConnected } from "./scc.js";
import { graphCache } from "./graph-cache.js";

export interface Loop {
  /** Members, in source order of their declarations. */
  readonly members: readonly string[];
  /** A closed walk through the loop starting and ending at `members[0]`. */
  readonly cycle: readonly string[];
}

export interface Termination {
  /** Reachable nodes from which END cannot be reached. */
  readonly doomed: ReadonlySet<string>;
  /** Loops with no way out, in source order of their first member. */
  readonly loops: readonly Loop[];
  /** The exitless loop a doomed node belongs to. */
  readonly loopOf: ReadonlyMap<string, Loop>;
  /** Whether reachable node `n` lies on some cycle (exit or not); computed on first use. */
  onCycle(n: string): boolean;
}

const cache = graphCache<Termination>();

export function termination(g: ResolvedGraph): Termination {
  let t = cache.get(g);
  if (!t) {
    t = analyse(g, flowGraph(g));
    cache.set(g, t);
  }
  return t;
}

function analyse(g: ResolvedGraph, flow: FlowGraph): Termination {
  if (!flow.hasEntry || !flow.complete) return { doomed: new Set(), loops: [], loopOf: new Map(), onCycle: never };
  const doomed = new Set<string>();
  const names = flow.graph.names;
  const reachable = flow.reachable.ids();
  for (let i = 0; i < reachable.length; i++) {
    const id = reachable[i]!;
    if (id !== START_ID && id !== END_ID && !flow.canEnd.hasId(id)) doomed.add(names[id]!);
  }
  const loopOf = new Map<string, Loop>();
  const loops = doomed.size ? exitlessLoops(g, flow, doomed, loopOf) : [];
  return new Analysed(doomed, loops, loopOf, flow);
}

/** Vertex numbers of START and END in every flow graph (flow.ts adds them first). */
const START_ID = 0;
const END_ID = 1;

const never = (): boolean => false;

/** A termination analysis whose `onCycle` finds the cycles on first use. */
class Analysed implements Termination {
  private cyclic: Set<string> | undefined;

  constructor(
    readonly doomed: ReadonlySet<string>,
    readonly loops: readonly Loop[],
    readonly loopOf: ReadonlyMap<string, Loop>,
    private readonly flow: FlowGraph,
  ) {}

  onCycle(n: string): boolean {
    if (!this.cyclic) {
      this.cyclic = new Set<string>();
      for (const c of flowLoops(this.flow)) for (const m of c) this.cyclic.add(m);
    }
    return this.cyclic.has(n);
  }
}

/** The loops among the doomed nodes with no way out, in source order of their first member (each member mapped in `loopOf`). */
function exitlessLoops(g: ResolvedGraph, flow: FlowGraph, doomed: ReadonlySet<string>, loopOf: Map<string, Loop>): Loop[] {
  const order = new Map<string, number>();
  g.nodeList.forEach((n, i) => order.has(n.name) || order.set(n.name, i));
  const byOrder = (a: string, b: string) => (order.get(a) ?? 0) - (order.get(b) ?? 0);
  const loops: Loop[] = [];
  for (const c of stronglyConnected(flow.graph, doomed)) {
    const members = new Set(c);
    const leaves = c.some((n) => flow.graph.outNeighbors(n).some((w) => !members.has(w)));
    if (leaves || !isCycle(flow.graph, c)) continue;
    const sorted = [...c].sort(byOrder);
    const loop: Loop = { members: sorted, cycle: closedWalk(flow, sorted[0], members) };
    loops.push(loop);
    for (const n of c) loopOf.set(n, loop);
  }
  loops.sort((a, b) => byOrder(a.members[0], b.members[0]));
  return loops;
}

/** `first → … → first` along the shortest way back (digraph.ts `shortestPath`). */
function closedWalk(flow: FlowGraph, first: string, members: ReadonlySet<string>): string[] {
  if (flow.graph.hasDirectedEdge(first, first)) return [first, first];
  const succ = flow.graph.outNeighbors(first).find((w) => members.has(w));
  const back = succ === undefined ? null : shortestPath(flow.graph, succ, first);
  return back ? [first, ...back] : [first, first];
}

/** The exitless loop that every path from doomed node `n` runs into (BFS over doomed nodes). */
export function loopAhead(g: ResolvedGraph, n: string): Loop | undefined {
  const t = termination(g);
  const flow = flowGraph(g);
  const seen = new Set([n]);
  const queue = [n];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i];
    const loop = t.loopOf.get(v);
    if (loop) return loop;
    for (const w of flow.graph.outNeighbors(v)) {
      if (!seen.has(w) && t.doomed.has(w)) {
        seen.add(w);
        queue.push(w);
      }
    }
  }
  return undefined;
}

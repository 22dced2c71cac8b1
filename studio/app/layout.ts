/**
 * Layouts of a graph view, as data (`Placed`), drawn by graph.ts, and the last few kept
 * by topology (`LayoutCache`):
 * - `layoutQuick`: longest-path layering from the start node (rows by BFS depth), linear
 *   in nodes + edges; used by the language worker for big graphs (> `ELK_MAX_NODES`);
 * - `elkGraph` / `fromElk`: the ELK layered input and its result, for ELK's own worker
 *   (elkjs; the page never lays out on its main thread).
 */
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api.js";
import type { GraphView } from "./api.js";
import type { Placed } from "./protocol.js";

export const NODE_H = 34;
const widthOf = (label: string) => Math.max(70, 9 + label.length * 7.5);

/**
 * The drawing's identity: every field of the view but its hash — node ids, labels,
 * kinds, details, interrupts and clusters, edges, the clusters (equal → same picture, and
 * the same view up to `hash`: the worker then sends only the new hash, see
 * `Analysis.sameView`).
 */
export function topologyKey(view: GraphView): string {
  const parts: string[] = [view.id];
  for (const n of view.nodes) parts.push(`${n.id}\u0001${n.label}\u0001${n.kind}\u0001${n.interrupt ?? ""}\u0001${n.detail ?? ""}\u0001${n.cluster ?? ""}`);
  for (const e of view.edges) parts.push(`${e.from}\u0002${e.to}\u0002${e.kind}\u0002${e.label ?? ""}`);
  for (const c of view.clusters) parts.push(`${c.id}\u0004${c.label}`);
  return parts.join("\u0003");
}

/**
 * The last few layouts by topology key (`topologyKey`: a layout is a function of it),
 * least recently used dropped first: an edit undone, or a node renamed and renamed back,
 * finds its drawing's layout again instead of laying the graph out anew (ELK on a
 * 300-node graph takes a good part of a second). `max`: entries kept (≥ 1).
 */
export class LayoutCache {
  private readonly byTopology = new Map<string, Placed>();
  constructor(private readonly max = 8) {}

  /** The layout kept for `topology` (now the most recently used), or undefined. */
  get(topology: string): Placed | undefined {
    const p = this.byTopology.get(topology);
    if (p) this.byTopology.delete(topology), this.byTopology.set(topology, p);
    return p;
  }

  /** Keeps `placed` as the layout of `topology`; returns it. */
  set(topology: string, placed: Placed): Placed {
    this.byTopology.delete(topology);
    this.byTopology.set(topology, placed);
    while (this.byTopology.size > Math.max(1, this.max)) this.byTopology.delete(this.byTopology.keys().next().value!);
    return placed;
  }
}

/** Rows by BFS depth from the start node(s), 150 px apart; edges as straight segments. */
export function layoutQuick(view: GraphView): Placed {
  const level = new Map<string, number>();
  const out = new Map<string, string[]>();
  for (const e of view.edges) (out.get(e.from) ?? out.set(e.from, []).get(e.from)!).push(e.to);
  const queue = view.nodes.filter((n) => n.kind === "start").map((n) => n.id);
  for (const q of queue) level.set(q, 0);
  for (let i = 0; i < queue.length; i++) {
    for (const t of out.get(queue[i]) ?? []) if (!level.has(t)) (level.set(t, level.get(queue[i])! + 1), queue.push(t));
  }
  const rows = new Map<number, number>();
  const nodes = new Map<string, { x: number; y: number; w: number; h: number }>();
  let width = 200;
  let height = 200;
  for (const n of view.nodes) {
    const l = level.get(n.id) ?? 0;
    const k = rows.get(l) ?? 0;
    rows.set(l, k + 1);
    const p = { x: 10 + k * 150, y: 10 + l * 70, w: 130, h: NODE_H };
    nodes.set(n.id, p);
    width = Math.max(width, p.x + p.w);
    height = Math.max(height, p.y + p.h);
  }
  const edges = view.edges.map((e) => {
    const a = nodes.get(e.from);
    const b = nodes.get(e.to);
    return { ...e, points: a && b ? [{ x: a.x + a.w / 2, y: a.y + a.h }, { x: b.x + b.w / 2, y: b.y }] : [] };
  });
  return { nodes, edges, width: width + 10, height: height + 10 };
}

const FIRST = { "elk.layered.layering.layerConstraint": "FIRST" };
const LAST = { "elk.layered.layering.layerConstraint": "LAST" };

/** ELK's input for `view`: layered, top to bottom. */
export function elkGraph(view: GraphView): ElkNode {
  return {
    id: "root",
    layoutOptions: { "elk.algorithm": "layered", "elk.direction": "DOWN", "elk.spacing.nodeNode": "24", "elk.layered.spacing.nodeNodeBetweenLayers": "40", "elk.edgeRouting": "POLYLINE", "elk.layered.cycleBreaking.strategy": "DEPTH_FIRST" },
    // START on the first layer and END on the last, whatever loops the graph has (ELK's
    // cycle breaking could otherwise put the target of a back edge above START).
    children: view.nodes.map((n) => ({ id: n.id, width: widthOf(n.label), height: NODE_H, ...(n.kind === "start" ? { layoutOptions: FIRST } : n.kind === "end" ? { layoutOptions: LAST } : {}) })),
    edges: view.edges.map((e, i): ElkExtendedEdge => ({ id: `e${i}`, sources: [e.from], targets: [e.to], ...(e.label ? { labels: [{ text: e.label, width: e.label.length * 6, height: 12 }] } : {}) })),
  };
}

/** ELK's result as `Placed`. */
export function fromElk(view: GraphView, res: ElkNode): Placed {
  const nodes = new Map((res.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0, w: c.width ?? 80, h: c.height ?? NODE_H }]));
  const edges = view.edges.map((e, i) => {
    const edge = (res.edges as ElkExtendedEdge[] | undefined)?.[i];
    const sec = edge?.sections?.[0];
    const points = sec ? [sec.startPoint, ...(sec.bendPoints ?? []), sec.endPoint] : [];
    // ELK reserves room for each label (no overlap with nodes, inside the drawing's size).
    const label = edge?.labels?.[0];
    return { ...e, points, ...(label?.x !== undefined && label.y !== undefined ? { labelAt: { x: label.x, y: label.y } } : {}) };
  });
  return { nodes, edges, width: res.width ?? 400, height: res.height ?? 400 };
}

/**
 * The graph beside the source: the API's GraphView laid out with elkjs (layered, top to
 * bottom) and drawn as SVG. Edge kinds are drawn apart (sends dashed, joins dotted,
 * routes labelled, errors red), interrupts are marked; clicking a node calls `onPick`.
 * Big graphs (over 300 nodes) use a quick longest-path layering instead of ELK.
 */
import ELK, { type ElkExtendedEdge, type ElkNode } from "elkjs/lib/elk.bundled.js";
import type { GraphView } from "./api.js";

const elk = new ELK();
const SVG = "http://www.w3.org/2000/svg";
const NODE_H = 34;

interface Placed {
  readonly nodes: Map<string, { x: number; y: number; w: number; h: number }>;
  readonly edges: { from: string; to: string; kind: string; label?: string; points: { x: number; y: number }[] }[];
  readonly width: number;
  readonly height: number;
}

const widthOf = (label: string) => Math.max(70, 9 + label.length * 7.5);

async function layoutElk(view: GraphView): Promise<Placed> {
  const graph: ElkNode = {
    id: "root",
    layoutOptions: { "elk.algorithm": "layered", "elk.direction": "DOWN", "elk.spacing.nodeNode": "24", "elk.layered.spacing.nodeNodeBetweenLayers": "40", "elk.edgeRouting": "POLYLINE" },
    children: view.nodes.map((n) => ({ id: n.id, width: widthOf(n.label), height: NODE_H })),
    edges: view.edges.map((e, i): ElkExtendedEdge => ({ id: `e${i}`, sources: [e.from], targets: [e.to], ...(e.label ? { labels: [{ text: e.label, width: e.label.length * 6, height: 12 }] } : {}) })),
  };
  const res = await elk.layout(graph);
  const nodes = new Map((res.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0, w: c.width ?? 80, h: c.height ?? NODE_H }]));
  const edges = view.edges.map((e, i) => {
    const sec = res.edges?.[i]?.sections?.[0];
    const points = sec ? [sec.startPoint, ...(sec.bendPoints ?? []), sec.endPoint] : [];
    return { ...e, points };
  });
  return { nodes, edges, width: res.width ?? 400, height: res.height ?? 400 };
}

function layoutQuick(view: GraphView): Placed {
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
  for (const n of view.nodes) {
    const l = level.get(n.id) ?? 0;
    const k = rows.get(l) ?? 0;
    rows.set(l, k + 1);
    nodes.set(n.id, { x: 10 + k * 150, y: 10 + l * 70, w: 130, h: NODE_H });
  }
  const edges = view.edges.map((e) => {
    const a = nodes.get(e.from)!;
    const b = nodes.get(e.to)!;
    return { ...e, points: a && b ? [{ x: a.x + a.w / 2, y: a.y + a.h }, { x: b.x + b.w / 2, y: b.y }] : [] };
  });
  return { nodes, edges, width: Math.max(...[...nodes.values()].map((n) => n.x + n.w), 200) + 10, height: Math.max(...[...nodes.values()].map((n) => n.y + n.h), 200) + 10 };
}

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

/** Draws `view` into `host` (replacing what was there); resolves when drawn. */
export async function drawGraph(host: HTMLElement, view: GraphView, onPick: (nodeId: string) => void): Promise<void> {
  const placed = view.nodes.length > 300 ? layoutQuick(view) : await layoutElk(view);
  const svg = el("svg", { width: placed.width + 20, height: placed.height + 20, viewBox: `-10 -10 ${placed.width + 20} ${placed.height + 20}`, "data-graph": view.id, "data-hash": view.hash });
  const defs = el("defs", {}, svg);
  for (const k of ["static", "send", "join", "route", "error"]) {
    const m = el("marker", { id: `arrow-${k}`, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, defs);
    el("path", { d: "M0,0 L10,5 L0,10 z", class: `arrow ${k}` }, m);
  }
  for (const e of placed.edges) {
    if (!e.points.length) continue;
    const cls = e.kind === "on_error" ? "error" : e.kind === "send" ? "send" : e.kind === "join" || e.kind === "barrier" ? "join" : e.kind === "route" || e.kind === "when" || e.kind === "else" || e.kind === "goto" ? "route" : "static";
    const g = el("g", { class: `edge edge-${e.kind}`, "data-edge-kind": e.kind, "data-from": e.from, "data-to": e.to }, svg);
    el("path", { d: "M" + e.points.map((p) => `${p.x},${p.y}`).join(" L"), class: `edge-line ${cls}`, "marker-end": `url(#arrow-${cls})` }, g);
    if (e.label) {
      const mid = e.points[Math.floor(e.points.length / 2)];
      const t = el("text", { x: mid.x + 4, y: mid.y - 3, class: "edge-label" }, g);
      t.textContent = e.label;
    }
  }
  for (const n of view.nodes) {
    const p = placed.nodes.get(n.id);
    if (!p) continue;
    const g = el("g", { class: `node kind-${n.kind}${n.interrupt ? " interrupted" : ""}`, "data-node": n.id, transform: `translate(${p.x},${p.y})` }, svg);
    if (n.kind === "start" || n.kind === "end") el("rect", { width: p.w, height: p.h, rx: p.h / 2 }, g);
    else el("rect", { width: p.w, height: p.h, rx: 5 }, g);
    const t = el("text", { x: p.w / 2, y: p.h / 2 + 4, "text-anchor": "middle" }, g);
    t.textContent = n.label;
    const title = el("title", {}, g);
    title.textContent = `${n.label}${n.detail ? `\n${n.detail}` : ""}${n.interrupt ? `\ninterrupt ${n.interrupt}` : ""}`;
    g.addEventListener("click", () => onPick(n.id));
  }
  host.replaceChildren(svg);
}

/** Marks the nodes running in the current superstep (and clears the others). */
export function lightNodes(host: HTMLElement, active: ReadonlySet<string>): void {
  for (const g of host.querySelectorAll<SVGGElement>("g.node")) g.classList.toggle("active", active.has(g.dataset.node ?? ""));
}

/** Marks the node whose source holds the cursor. */
export function selectNode(host: HTMLElement, id: string | undefined): void {
  for (const g of host.querySelectorAll<SVGGElement>("g.node")) g.classList.toggle("selected", g.dataset.node === id);
}

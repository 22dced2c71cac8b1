/**
 * The graph beside the source, drawn as SVG from a layout (`Placed`): big graphs come
 * laid out by the language worker; smaller ones are laid out by ELK (elkjs, layered, top
 * to bottom) in ELK's own Web Worker — the page's main thread never lays out. A redraw
 * is skipped when the drawing's topology is unchanged (only the SVG's `data-hash` is
 * updated), so a keystroke that does not change the graph costs nothing here. Edge kinds are drawn
 * apart (sends dashed, joins dotted, routes labelled, errors red), interrupts are marked;
 * clicking a node calls `onPick` (one delegated listener).
 */
import ELK from "elkjs/lib/elk-api.js";
import type { GraphView } from "./api.js";
import { elkGraph, fromElk, LayoutCache } from "./layout.js";
import type { Placed } from "./protocol.js";

let elk: InstanceType<typeof ELK> | undefined;
/** ELK's last few layouts, by topology. */
const elkLayouts = new LayoutCache();
const drawn = new WeakMap<HTMLElement, { topology: string; hash: string; seq: number; pick?: (id: string) => void }>();
let seq = 0;

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;"));
const titleOf = (n: GraphView["nodes"][number]) => `${n.label}${n.detail ? `\n${n.detail}` : ""}${n.interrupt ? `\ninterrupt ${n.interrupt}` : ""}`;

function svgText(view: GraphView, placed: Placed): string {
  const w = placed.width + 20;
  const hgt = placed.height + 20;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${hgt}" viewBox="-10 -10 ${w} ${hgt}" data-graph="${esc(view.id)}" data-hash="${esc(view.hash)}"><defs>`];
  for (const k of ["static", "send", "join", "route", "error"]) out.push(`<marker id="arrow-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow ${k}"/></marker>`);
  out.push("</defs>");
  for (const e of placed.edges) {
    if (!e.points.length) continue;
    const cls = e.kind === "on_error" ? "error" : e.kind === "send" ? "send" : e.kind === "join" || e.kind === "barrier" ? "join" : e.kind === "route" || e.kind === "when" || e.kind === "else" || e.kind === "goto" ? "route" : "static";
    out.push(`<g class="edge edge-${esc(e.kind)}" data-edge-kind="${esc(e.kind)}" data-from="${esc(e.from)}" data-to="${esc(e.to)}"><path d="M${e.points.map((p) => `${p.x},${p.y}`).join(" L")}" class="edge-line ${cls}" marker-end="url(#arrow-${cls})"/>`);
    if (e.label) {
      const at = e.labelAt ? { x: e.labelAt.x, y: e.labelAt.y + 10 } : ((m) => ({ x: m.x + 4, y: m.y - 3 }))(e.points[Math.floor(e.points.length / 2)]);
      out.push(`<text x="${at.x}" y="${at.y}" class="edge-label">${esc(e.label)}</text>`);
    }
    out.push("</g>");
  }
  for (const n of view.nodes) {
    const p = placed.nodes.get(n.id);
    if (!p) continue;
    const rx = n.kind === "start" || n.kind === "end" ? p.h / 2 : 5;
    out.push(
      `<g class="node kind-${esc(n.kind)}${n.interrupt ? " interrupted" : ""}" data-node="${esc(n.id)}" transform="translate(${p.x},${p.y})"><rect width="${p.w}" height="${p.h}" rx="${rx}"/><text x="${p.w / 2}" y="${p.h / 2 + 4}" text-anchor="middle">${esc(n.label)}</text><title>${esc(titleOf(n))}</title></g>`,
    );
  }
  out.push("</svg>");
  return out.join("");
}

/**
 * Draws `view` into `host` (replacing what was there) unless `topology` equals the last
 * drawing's; resolves when drawn (or skipped, or superseded by a later call).
 * `placed`: the worker's layout; without it ELK lays the graph out in its worker.
 */
export async function drawGraph(host: HTMLElement, view: GraphView, topology: string, placed: Placed | undefined, onPick: (nodeId: string) => void): Promise<void> {
  const mine = ++seq;
  const last = drawn.get(host);
  if (last && last.topology === topology && host.querySelector("svg")) {
    // The same drawing (the topology covers every field of the view but its hash): at
    // most the hash changed — a digit typed into a value costs one attribute here.
    fresh(host);
    last.seq = mine;
    last.pick = onPick;
    if (last.hash !== view.hash) {
      last.hash = view.hash;
      host.querySelector("svg")!.setAttribute("data-hash", view.hash);
    }
    return;
  }
  placed ??= elkLayouts.get(topology);
  if (!placed) {
    elk ??= new ELK({ workerUrl: "/elk-worker.js" });
    placed = elkLayouts.set(topology, fromElk(view, await elk.layout(elkGraph(view))));
    if (mine !== seq) return;
  }
  fresh(host);
  host.innerHTML = svgText(view, placed);
  const state = { topology, hash: view.hash, seq: mine, pick: onPick };
  drawn.set(host, state);
  if (!host.dataset.pickBound) {
    host.dataset.pickBound = "1";
    host.addEventListener("click", (e) => {
      const g = (e.target as Element).closest?.("g.node") as SVGGElement | null;
      const id = g?.dataset.node;
      if (id) drawn.get(host)?.pick?.(id);
    });
  }
}

/** Forgets the last drawing (the next `drawGraph` redraws). */
export function clearGraph(host: HTMLElement, message: HTMLElement): void {
  drawn.delete(host);
  fresh(host);
  host.replaceChildren(message);
}

/**
 * Keeps the last drawing but marks it out of date (faded, with `note` above it): the
 * buffer does not compile right now, e.g. half-way through typing a word. False (nothing
 * done) when `host` holds no drawing.
 */
export function staleGraph(host: HTMLElement, note: string): boolean {
  if (!host.querySelector("svg")) return false;
  host.classList.add("stale");
  let n = host.querySelector<HTMLElement>(":scope > .stale-note");
  if (!n) {
    n = document.createElement("div");
    n.className = "stale-note";
    host.prepend(n);
  }
  n.textContent = note;
  return true;
}

/** Removes the out-of-date mark of `staleGraph`. */
function fresh(host: HTMLElement): void {
  host.classList.remove("stale");
  host.querySelector(":scope > .stale-note")?.remove();
}

/**
 * Marks the nodes running in the current superstep (and clears the others). A task of a
 * `send` to an agent or a graph is named by its target (`research_agent`), which the
 * drawing shows as `agent:research_agent` / `graph:name`: those light up too.
 */
export function lightNodes(host: HTMLElement, active: ReadonlySet<string>): void {
  for (const g of host.querySelectorAll<SVGGElement>("g.node")) {
    const id = g.dataset.node ?? "";
    const target = /^(agent|graph):/.test(id) ? id.slice(id.indexOf(":") + 1) : undefined;
    g.classList.toggle("active", active.has(id) || (target !== undefined && active.has(target)));
  }
}

/** Marks the node whose source holds the cursor. */
export function selectNode(host: HTMLElement, id: string | undefined): void {
  for (const g of host.querySelectorAll<SVGGElement>("g.node.selected")) if (g.dataset.node !== id) g.classList.remove("selected");
  if (id !== undefined) host.querySelector<SVGGElement>(`g.node[data-node="${CSS.escape(id)}"]`)?.classList.add("selected");
}

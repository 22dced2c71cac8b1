/** The studio's layout cache (studio/app/layout.ts): the last few layouts by drawing topology. */
import { describe, expect, it } from "vitest";
import { LayoutCache, layoutQuick, topologyKey } from "../../studio/app/layout.js";
import type { GraphView } from "../../studio/app/api.js";

const chain = (names: string[]): GraphView => ({
  id: "g",
  hash: "sha256:x",
  nodes: [{ id: "START", label: "START", kind: "start" }, ...names.map((n) => ({ id: n, label: n, kind: "set", detail: "set" })), { id: "END", label: "END", kind: "end" }],
  edges: ["START", ...names, "END"].slice(1).map((to, i, all) => ({ from: i ? all[i - 1] : "START", to, kind: i ? "static" : "start" })),
  clusters: [],
});

describe("studio layout cache", () => {
  it("finds a drawing's layout again after an edit is undone, and forgets the least recently used first", () => {
    const cache = new LayoutCache(2);
    const a = chain(["a", "b"]);
    const renamed = chain(["a", "bx"]);
    const other = chain(["c"]);
    const placedA = cache.set(topologyKey(a), layoutQuick(a));
    cache.set(topologyKey(renamed), layoutQuick(renamed));
    // `b` renamed to `bx`, then back: the same topology, the very layout kept.
    expect(cache.get(topologyKey(chain(["a", "b"])))).toBe(placedA);
    // A third drawing: the one used longest ago (`bx`) goes, the one just used stays.
    cache.set(topologyKey(other), layoutQuick(other));
    expect(cache.get(topologyKey(renamed))).toBeUndefined();
    expect(cache.get(topologyKey(a))).toBe(placedA);
  });

  it("tells apart views that draw differently: a detail, an interrupt, a cluster or an edge label is part of the key; the hash is not", () => {
    const base = chain(["a"]);
    const key = topologyKey(base);
    expect(topologyKey({ ...base, hash: "sha256:y" })).toBe(key);
    expect(topologyKey({ ...base, nodes: base.nodes.map((n) => (n.id === "a" ? { ...n, detail: "agent" } : n)) })).not.toBe(key);
    expect(topologyKey({ ...base, nodes: base.nodes.map((n) => (n.id === "a" ? { ...n, interrupt: "before" } : n)) })).not.toBe(key);
    expect(topologyKey({ ...base, nodes: base.nodes.map((n) => (n.id === "a" ? { ...n, cluster: "sub" } : n)) })).not.toBe(key);
    expect(topologyKey({ ...base, clusters: [{ id: "sub", label: "sub" }] })).not.toBe(key);
    expect(topologyKey({ ...base, edges: base.edges.map((e) => ({ ...e, label: "x" })) })).not.toBe(key);
  });
});

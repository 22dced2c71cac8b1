/**
 * `persistent true` on a subgraph node (LangGraph's subgraph compiled with
 * `checkpointer: true`, issue 11): parsed by both parser paths, formatted idempotently,
 * lowered to `NodeSpec.persistent` (the builder's `persistent: true`: builder-parity.test.ts), and diagnosed (`E-rag-persistent-detached`,
 * `E-rag-persistent-without-checkpointer`, `W-rag-item-unused` on other kinds).
 */
import { describe, expect, it } from "vitest";
import { compileGraph, GraphBuilder } from "../../compiler/index.js";
import { formatRag, parseRag } from "../../grammar/index.js";
import { createLanguageService } from "../../language-service/index.js";
import { standardRegistry } from "../../stdlib/index.js";

const SOURCE = `graph parent {
  start sub
  node sub { kind subgraph graph "child" persistent true next END }
}
graph child { start a node a { kind set next END } }
`;

const compiled = (src: string, checkpointer?: boolean) => compileGraph(src, { registry: { ...standardRegistry().view(), ...(checkpointer !== undefined ? { checkpointer } : {}) } });
const codes = (src: string, checkpointer?: boolean) => compiled(src, checkpointer).diagnostics.map((d) => d.code);

describe("persistent subgraph item", () => {
  it("formats as `persistent true`, idempotently", () => {
    const once = formatRag(SOURCE.replace("persistent true", "persistent")).value!;
    expect(once).toContain("persistent true");
    expect(formatRag(once).value).toBe(once);
  });

  it("lowers to NodeSpec.persistent (absent when false), without diagnostics", () => {
    const r = compiled(SOURCE);
    expect(r.diagnostics).toEqual([]);
    expect(r.compilation.blueprints[0].nodes[0].persistent).toBe(true);
    expect(compiled(SOURCE.replace("persistent true", "persistent false")).compilation.blueprints[0].nodes[0].persistent).toBeUndefined();
  });

  it("E-rag-persistent-detached: persistent and blocking false exclude each other", () => {
    const d = compiled(SOURCE.replace("persistent true", "persistent true blocking false")).diagnostics.find((x) => x.code === "E-rag-persistent-detached");
    expect(d).toMatchObject({ severity: "error", message: "node `sub` is both `persistent true` and `blocking false`" });
    expect(d!.span.start).toMatchObject({ line: 3, column: 42 });
  });

  it("E-rag-persistent-without-checkpointer: checkpoints off on the graph, the node, or the host", () => {
    expect(codes(SOURCE.replace("start sub", "start sub checkpoint none"))).toContain("E-rag-persistent-without-checkpointer");
    expect(codes(SOURCE.replace("persistent true", "persistent true checkpoint never"))).toContain("E-rag-persistent-without-checkpointer");
    expect(codes(SOURCE, false)).toContain("E-rag-persistent-without-checkpointer");
    expect(codes(SOURCE, true)).toEqual([]);
  });

  it("the builder reports the same two errors", () => {
    const codes = (o: { blocking?: boolean; checkpoint?: string }) => new GraphBuilder("parent").node("sub", { kind: "subgraph", graph: "child", persistent: true, ...o }).start("sub").check().map((d) => d.code);
    expect(codes({ blocking: false })).toContain("E-rag-persistent-detached");
    expect(codes({ checkpoint: "none" })).toContain("E-rag-persistent-without-checkpointer");
    expect(codes({})).not.toContain("E-rag-persistent-detached");
  });

  it("W-rag-item-unused on a node of another kind", () => {
    expect(codes(`graph g { start a node a { kind set persistent true next END } }`)).toEqual(["W-rag-item-unused"]);
  });

  it("parses the same on the fast path and the Chevrotain path (a syntax error elsewhere forces the latter)", () => {
    const fast = parseRag(SOURCE).value!;
    const slow = parseRag(`${SOURCE}graph broken { start }`).value!;
    const flag = (p: typeof fast) => (p.items[0] as unknown as { items: { kind: string; items?: { kind: string; flag?: string; value?: boolean }[] }[] }).items.find((i) => i.kind === "NodeDecl")!.items!.find((i) => i.kind === "FlagItem");
    expect(flag(fast)).toMatchObject({ flag: "persistent", value: true });
    expect(flag(slow)).toMatchObject({ flag: "persistent", value: true });
  });

  it("language service: completes `persistent` in a subgraph node and hovers it", () => {
    const ls = createLanguageService();
    const src = `graph g { start a node a { kind subgraph graph "c"  } } graph c { start x node x { next END } }`;
    ls.update("file:///a.rag", src);
    expect(ls.completion("file:///a.rag", { line: 0, character: src.indexOf('"c"  ') + 4 }).items.map((c) => c.label)).toContain("persistent");
    ls.update("file:///b.rag", SOURCE);
    expect(ls.hover("file:///b.rag", { line: 2, character: SOURCE.split("\n")[2].indexOf("persistent") + 2 })?.contents.value).toContain("outlives one call");
  });
});

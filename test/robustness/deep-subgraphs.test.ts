/**
 * Issue 10 §3: "an 8,000-deep subgraph chain overflows the stack". A file whose graphs call
 * each other in a long chain compiles (no recursion over the chain), draws as a bounded
 * picture (clusters nest at most MAX_CLUSTER_DEPTH deep, the rest are references), and
 * at run time a chain deeper than `maxSubgraphDepth` fails with SubgraphDepthError before
 * starting the child that would exceed it, instead of nesting without bound.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { graphView, MAX_CLUSTER_DEPTH } from "../../compiler/export/graph-view.js";
import { DEFAULT_MAX_SUBGRAPH_DEPTH, SubgraphDepthError } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { buildGraph } from "../helpers/run-graph.js";

/** `depth` graphs g0 → g1 → … each calling the next through a subgraph node; the last sets `done`. */
function chain(depth: number): string {
  const out: string[] = [];
  for (let i = 0; i < depth; i++) {
    const body = i + 1 < depth ? `node c { kind subgraph graph "g${i + 1}" next END }` : `node c { kind mark next END }`;
    out.push(`graph g${i} {\n  start c\n  ${body}\n}`);
  }
  return out.join("\n");
}

function registry() {
  const r = standardRegistry();
  r.registerNodeKind("mark", async () => ({}));
  return r;
}

describe("deep subgraph chains", () => {
  it("an 8,000-graph chain compiles every graph without overflowing the stack", () => {
    const r = compile(chain(8_000), { file: "deep.rag" });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.value.blueprints).toHaveLength(8_000);
  }, 60_000);

  it("the picture of a long chain nests clusters at most MAX_CLUSTER_DEPTH deep and refers to the rest", () => {
    const r = compile(chain(200), { file: "deep.rag" });
    const graphs = new Map(r.value.blueprints.map((b) => [b.id, b]));
    const view = graphView(r.value.blueprints[0]!, { graphs });
    expect(view.clusters).toHaveLength(MAX_CLUSTER_DEPTH);
    expect(view.nodes.filter((n) => n.kind === "graph_ref").map((n) => n.label)).toEqual([`g${MAX_CLUSTER_DEPTH + 1}`]);
    expect(view.edges.some((e) => e.kind === "calls" && e.to === `graph:g${MAX_CLUSTER_DEPTH + 1}`)).toBe(true);
  });

  it("a chain within the depth limit runs to the end", async () => {
    const { graph } = buildGraph(chain(20), { registry: registry() });
    await expect(graph.invoke({})).resolves.toBeDefined();
  });

  it("a chain deeper than maxSubgraphDepth fails with SubgraphDepthError naming the limit and the graph", async () => {
    const { graph } = buildGraph(chain(DEFAULT_MAX_SUBGRAPH_DEPTH + 10), { registry: registry() });
    const err = await graph.invoke({}).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(SubgraphDepthError);
    expect((err as SubgraphDepthError).limit).toBe(DEFAULT_MAX_SUBGRAPH_DEPTH);
    expect((err as SubgraphDepthError).target).toBe(`g${DEFAULT_MAX_SUBGRAPH_DEPTH + 1}`);
    const low = await graph.invoke({}, { maxSubgraphDepth: 3 }).then(() => undefined, (e: unknown) => e);
    expect((low as SubgraphDepthError).message).toMatch(/limit is 3/);
  });
});

/**
 * The README's builder example (kept in sync by hand) is examples/map_reduce.rag written
 * with `GraphBuilder`: same hash, and it runs on the example config.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileGraph, END, GraphBuilder, t, type StateOf } from "../../compiler/index.js";
import { CompiledGraph } from "../../runtime/index.js";
import { registryFromConfig } from "../../stdlib/index.js";
import config from "../../examples/rag.config.js";

const graph = new GraphBuilder("map_reduce")
  .input({ items: t.list(t.string()) })
  .state({
    summaries: t.list(t.string()).reducer("append"),
    combined: t.string(),
  })
  .node("split", {
    kind: "set",
    send: [{ to: "worker", forEach: { variable: "x", in: (x) => x.input("items") }, args: { item: "x" } }],
    join: "reduce",
  })
  .node("worker", { kind: "model", model: "default", prompt: "Summarize: {{ args.item }}", writes: "summaries" })
  .node("reduce", { kind: "model", model: "default", prompt: "Combine these summaries: {{ json(state.summaries) }}", writes: "combined" })
  .start("split")
  .next("reduce", END);

describe("README builder example", () => {
  it("is examples/map_reduce.rag: same hash, same result", async () => {
    const source = readFileSync(new URL("../../examples/map_reduce.rag", import.meta.url), "utf8");
    const rag = compileGraph(source).value!;
    const blueprint = graph.build();
    expect(blueprint.hash).toBe(rag.hash);
    const registry = registryFromConfig(config);
    const { state } = await new CompiledGraph(blueprint, { registry }).invoke({ items: ["a", "b"] });
    const typed = state as StateOf<typeof graph>;
    expect(typed.summaries).toEqual(["summary of a", "summary of b"]);
    expect(typed.combined).toBe("Combined 2 summaries.");
  });
});

/**
 * Red team 8: the config's per-node budget (`middleware.budget.node`, with `nodes` for
 * named ones) and a node a `.rag` file names like an `Object.prototype` member. The limit
 * of a node was `config.nodes[name] ?? config.node`: for a node called `toString`,
 * `valueOf` or `hasOwnProperty` the lookup found Object.prototype's function, which took
 * the place of the default limit and limited nothing — a model-written graph looped on
 * such a node ten times under a 500-token per-node budget. `nodes` is read by own entries.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import type { RagConfig } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, MemoryCheckpointer } from "../../runtime/index.js";
import { scripted } from "../../stdlib/index.js";

describe("red team 8: the config's per-node budget holds whatever the node is called", () => {
  for (const name of ["a", "toString", "valueOf", "hasOwnProperty"]) {
    it(`a node called \`${name}\` is stopped at the default per-node limit`, async () => {
      let calls = 0;
      const provider = scripted({ rules: [{ reply: () => (calls++, { text: "x", usage: { inputTokens: 5, outputTokens: 200 } }) }] });
      const config: RagConfig = { models: { m: { provider } }, middleware: { budget: { node: { tokens: 500 }, nodes: { other: { tokens: 100_000 } } } } };
      const reg = registryFromConfig(config);
      const src = `graph g { start ${name} state { n: number = 0 } node ${name} { model "m" prompt "p" next b } node b { kind set set { n: state.n + 1 } routes { when state.n >= 10 -> END else -> ${name} } } }`;
      const r = compile(src, { file: "loop.rag", registry: reg.view(), provenance: { generatedBy: "model" } });
      expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const g = new CompiledGraph(r.value.blueprints[0]!, { registry: reg, checkpointer: new MemoryCheckpointer() });
      const err = await g.invoke({}, { threadId: "t" }).then(() => undefined, (e: unknown) => e);
      expect(String(err)).toMatch(/budget exceeded: .*budget of node/);
      // 205 tokens a call: the third would pass 500.
      expect(calls).toBe(2);
    });
  }
});

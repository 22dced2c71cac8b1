/**
 * Second red-team round (issue 10): run inputs and `updateState` values handed to the
 * runtime API (`CompiledGraph.invoke`, `updateState`, a resume's `update`). The HTTP API
 * and the CLI parse them with `parseUntrustedJson`, but a host that passes a request body
 * it parsed itself reached the runtime unchecked: an own `__proto__` key went into state
 * and on to a tool's arguments, and a 20,000-deep input failed the first checkpoint write
 * with a stack overflow reported as a `CheckpointError` (a store failure, which a queue
 * worker retries). Both are now refused where every path meets, before a node runs.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compile } from "../../compiler/index.js";
import { tool } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, SqliteCheckpointer } from "../../runtime/index.js";

let seen: unknown[] = [];

function graphOf(src: string): CompiledGraph {
  const reg = registryFromConfig({ tools: { grant: tool({ description: "g", schema: z.any(), run: (a: unknown) => (seen.push(a), "ok") }) } });
  const r = compile(src, { file: "attack.rag", registry: reg.view() });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: new SqliteCheckpointer(":memory:") });
}

const toolGraph = 'graph g { start t state { out: any } node t { kind tool tool "grant" input "req" writes out next END } }';
const deep = (n: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = [v];
  return v;
};

describe("run inputs through the runtime API are untrusted data", () => {
  it("an own __proto__ key is refused (invalid_input) and no tool sees it", async () => {
    seen = [];
    const e = await graphOf(toolGraph).invoke(JSON.parse('{"req": {"user": "bob", "__proto__": {"admin": true}}}') as Record<string, unknown>, { threadId: "t" }).catch((x: Error & { code?: string }) => x);
    expect(e).toBeInstanceOf(Error);
    expect((e as { code?: string }).code).toBe("invalid_input");
    expect((e as Error).message).toContain('the key "__proto__" is not allowed (at $.req)');
    expect(seen).toEqual([]);
  });

  it("an input nested 20,000 deep is refused as input (invalid_input), not as a store failure", async () => {
    const g = graphOf("graph g { start a state { x: any } node a { kind set set { x: input.d } next END } }");
    const e = await g.invoke({ d: deep(20_000) }, { threadId: "t" }).catch((x: Error & { code?: string }) => x);
    expect((e as { code?: string }).code).toBe("invalid_input");
    expect((e as Error).message).toContain("nests deeper than 256 levels");
  });

  it("an ordinary input with shared references still runs", async () => {
    seen = [];
    const shared = { user: "bob" };
    const r = await graphOf(toolGraph).invoke({ req: { a: shared, b: shared } }, { threadId: "t" });
    expect(r.status).toBe("completed");
    expect(seen).toHaveLength(1);
  });
});

describe("updateState values through the runtime API are untrusted data", () => {
  const g = () => graphOf("graph g { start a state { m: any merge } node a { kind set set { m: { ok: true } } next b } node b { kind interrupt next END } }");

  it("an own __proto__ key in a value is refused (invalid_update)", async () => {
    const graph = g();
    await graph.invoke({}, { threadId: "u" });
    const e = await graph.updateState("u", { m: JSON.parse('{"__proto__": {"admin": true}}') as unknown }).catch((x: Error) => x);
    expect((e as { code?: string }).code).toBe("invalid_update");
    expect((e as Error).message).toContain("updateState: the value for `m` is refused");
  });

  it("a resume's `update` too", async () => {
    const graph = g();
    await graph.invoke({}, { threadId: "r" });
    const e = await graph.resume("r", { value: "go", update: { m: JSON.parse('{"x": {"constructor": {"prototype": 1}}}') as unknown } }).catch((x: Error) => x);
    expect((e as { code?: string }).code).toBe("invalid_update");
    expect((await graph.getState("r"))!.values.m).toEqual({ ok: true });
  });
});

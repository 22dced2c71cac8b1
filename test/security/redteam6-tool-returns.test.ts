/**
 * Red team 6: what a tool returns is data from outside the run (a fetched page's JSON). It
 * was kept as returned: an own `__proto__` key (JSON.parse keeps one) rode in state to a
 * second tool's arguments, where that tool's `Object.assign({}, args.opts)` took it as the
 * prototype (`admin: true`); a 100,000-deep value ended the run with a RangeError and a
 * cyclic one with a TypeError — not errors naming the node. Now `NodeTask.callTool`, where
 * every tool call meets, judges the return (`checkUntrustedValue`): a permanent NodeError
 * naming the tool, before anything keeps it.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compile } from "../../compiler/index.js";
import { command, tool, type Registry } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, MemoryCheckpointer, NodeError, checkUntrustedValue, UnsafeJsonError } from "../../runtime/index.js";

function graph(tools: Record<string, ReturnType<typeof tool>>, src: string): CompiledGraph {
  const reg: Registry = registryFromConfig({ tools });
  const r = compile(src, { file: "rt6.rag", registry: reg.view() });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => d.message).join("\n"));
  return new CompiledGraph(r.value.blueprints[0]!, { registry: reg, checkpointer: new MemoryCheckpointer() });
}

const ONE = 'graph g { state { out: any } start a node a { kind tool tool "fetch" writes { out: result } next END } }';
const passthrough = z.object({}).passthrough();

describe("red team 6: a tool's return is judged as data before the run keeps it", () => {
  it("a fetched own __proto__ key never reaches the next tool's arguments", async () => {
    const admin: unknown[] = [];
    const g = graph(
      {
        fetch: tool({ description: "fetch", schema: passthrough, run: () => JSON.parse('{"__proto__": {"admin": true}, "name": "x"}') as unknown }),
        act: tool({ description: "act", schema: z.object({ opts: z.any() }), run: (a: { opts: object }) => (admin.push((Object.assign({}, a.opts) as { admin?: boolean }).admin), "ok") }),
      },
      'graph g { state { out: any } start a node a { kind tool tool "fetch" writes { out: result } next b } node b { kind tool tool "act" input { opts: state.out } next END } }',
    );
    const r = await g.invoke({}, { threadId: "t" }).catch((e: unknown) => e);
    expect(admin).toEqual([]); // was [true]: the second tool ran with the prototype set
    expect(r).toBeInstanceOf(NodeError);
    expect((r as Error).message).toMatch(/tool `fetch` returned a value the run cannot keep as data: .*"__proto__"/);
  });

  it("a cyclic or 100,000-deep return, or a Command update holding one, fails the node with a NodeError", async () => {
    const cyclic = () => {
      const o: Record<string, unknown> = {};
      o.self = o;
      return o;
    };
    const deep = () => {
      let v: unknown = 1;
      for (let i = 0; i < 100_000; i++) v = [v];
      return v;
    };
    for (const [ret, why] of [
      [cyclic, /contains itself/],
      [deep, /nests deeper than 256/],
      [() => command({ update: { out: cyclic() } }), /contains itself/],
    ] as const) {
      const r = await graph({ fetch: tool({ description: "fetch", schema: passthrough, run: ret as () => string }) }, ONE)
        .invoke({}, { threadId: "t" })
        .catch((e: unknown) => e);
      expect(r).toBeInstanceOf(NodeError); // was a TypeError / RangeError
      expect((r as Error).message).toMatch(why);
    }
  });

  it("a return sharing one object many times is data (walked once), and is kept", async () => {
    const shared = { k: "v" };
    const r = await graph({ fetch: tool({ description: "fetch", schema: passthrough, run: () => ({ a: shared, b: [shared, shared] }) as unknown as string }) }, ONE).invoke({}, { threadId: "t" });
    expect(r.status).toBe("completed");
    expect(r.state.out).toEqual({ a: { k: "v" }, b: [{ k: "v" }, { k: "v" }] });
    const loop: unknown[] = [];
    loop.push([loop]);
    expect(() => checkUntrustedValue(loop)).toThrow(UnsafeJsonError);
  });
});

/**
 * Red team 8: a node's `input "FIELD"` names a field of the state (or of the graph's
 * input) as a string. The runtime looked it up with `in`, which reads through the
 * prototype, and nothing checked the string: `input "__proto__"` handed the node
 * `Object.prototype` itself as its input, so a tool that wrote to its arguments wrote onto
 * every object of the process (and `input "toString"` handed it a host function). The
 * runtime reads own fields only now (as expressions do), and the compiler refuses the
 * reserved names there (`E-rag-reserved-name`).
 */
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { compile, type Blueprint } from "../../compiler/index.js";
import { tool, type Registry } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, MemoryCheckpointer } from "../../runtime/index.js";

const seen: unknown[] = [];
afterEach(() => {
  seen.length = 0;
  delete (Object.prototype as Record<string, unknown>).rt8Polluted;
});

/** A tool that marks the object it is given (as a tool filling in defaults on its arguments would). */
function registry(): Registry {
  return registryFromConfig({
    tools: {
      mark: tool({
        description: "marks its arguments",
        schema: z.any(),
        run: (args: unknown) => {
          seen.push(args);
          if (args !== null && (typeof args === "object" || typeof args === "function")) (args as Record<string, unknown>).rt8Polluted = true;
          return "ok";
        },
      }),
    },
  });
}

const source = (path: string) => `graph g { start a state { out: any } node a { kind tool tool "mark" input ${JSON.stringify(path)} writes out next END } }`;

function compiled(reg: Registry, path: string): Blueprint {
  const r = compile(source(path), { file: "input.rag", registry: reg.view() });
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.value.blueprints[0]!;
}

describe("red team 8: `input \"FIELD\"` names data, never the prototype", () => {
  it("the compiler refuses __proto__, constructor and prototype as the field", () => {
    const reg = registry();
    for (const name of ["__proto__", "constructor", "prototype"]) {
      const r = compile(source(name), { file: "input.rag", registry: reg.view() });
      expect(r.diagnostics.map((d) => d.code)).toContain("E-rag-reserved-name");
    }
  });

  it("a blueprint built without that check gives the node no prototype: nothing of the process is marked", async () => {
    const reg = registry();
    const bp = compiled(reg, "missing");
    const edited = { ...bp, nodes: bp.nodes.map((n) => (n.input?.kind === "path" ? { ...n, input: { ...n.input, path: "__proto__" } } : n)) };
    await new CompiledGraph(edited, { registry: reg, checkpointer: new MemoryCheckpointer() }).invoke({}, { threadId: "t" });
    expect(seen).toHaveLength(1);
    expect(seen[0]).not.toBe(Object.prototype);
    expect(({} as Record<string, unknown>).rt8Polluted).toBeUndefined();
  });

  it("a field named like an Object.prototype member that the state lacks is no field: the node is not given the host function", async () => {
    const reg = registry();
    for (const name of ["toString", "hasOwnProperty", "valueOf"]) {
      seen.length = 0;
      await new CompiledGraph(compiled(reg, name), { registry: reg, checkpointer: new MemoryCheckpointer() }).invoke({}, { threadId: `t-${name}` });
      expect(seen).toHaveLength(1);
      expect(typeof seen[0]).not.toBe("function");
      expect(seen[0]).not.toBe((Object.prototype as Record<string, unknown>)[name]);
    }
  });
});

describe("red team 8: a send's `target \"FIELD\"` likewise", () => {
  const sendSource = (path: string) => `graph g { start a state { out: any[] append } node a { kind set send [w ${JSON.stringify(path)} -> out] join d } node w { kind tool tool "mark" writes out } node d { kind set next END } }`;

  it("the compiler refuses the reserved names, and a packet built from an edited blueprint carries no prototype", async () => {
    const reg = registry();
    expect(compile(sendSource("__proto__"), { file: "send.rag", registry: reg.view() }).diagnostics.map((d) => d.code)).toContain("E-rag-reserved-name");
    const r = compile(sendSource("missing"), { file: "send.rag", registry: reg.view() });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const bp = r.value.blueprints[0]!;
    const edited: Blueprint = { ...bp, nodes: bp.nodes.map((n) => (n.sends ? { ...n, sends: n.sends.map((s) => (s.args?.kind === "path" ? { ...s, args: { ...s.args, path: "__proto__" } } : s)) } : n)) };
    await new CompiledGraph(edited, { registry: reg, checkpointer: new MemoryCheckpointer() }).invoke({}, { threadId: "t" });
    expect(seen).toHaveLength(1);
    expect(seen[0]).not.toBe(Object.prototype);
    expect(({} as Record<string, unknown>).rt8Polluted).toBeUndefined();
  });
});

describe("red team 8: a graph's output field the state lacks", () => {
  it("is null, as W-rag-unbacked-output-field says, not the Object.prototype member of that name", async () => {
    const reg = registry();
    const src = 'graph g { start a state { r: any } node a { kind subgraph graph "inner" writes r next b } node b { kind tool tool "mark" input { r: state.r } next END } } graph inner { start x output { toString: any, valueOf: any } node x { kind set next END } }';
    const r = compile(src, { file: "out.rag", registry: reg.view() });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.diagnostics.map((d) => d.code)).toContain("W-rag-unbacked-output-field");
    const g = new CompiledGraph(r.value.blueprints.find((b) => b.id === "g")!, { registry: reg, checkpointer: new MemoryCheckpointer(), graphs: new Map(r.value.blueprints.map((b) => [b.id, b])) });
    const out = await g.invoke({}, { threadId: "t" });
    expect(out.state.r).toEqual({ toString: null, valueOf: null });
    expect(seen).toHaveLength(1);
  });
});

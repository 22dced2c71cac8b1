/**
 * The sandbox (`repl.md` §1, §3): no route to the host, values cross the boundary only
 * as copies of plain data, every limit stops the cell with its diagnostic, and the
 * session stays usable afterwards. Each classic escape must end in a diagnostic — never
 * in host access or a crashed process.
 */
import { describe, expect, it } from "vitest";
import { tool } from "../../registry/index.js";
import { z } from "zod";
import { codes, harness, runOnce, testRegistry } from "./helpers.js";

describe("no route to the host", () => {
  const escapes: [string, string, string][] = [
    ["constructor of constructor", '({}).constructor.constructor("return process")()', "E-ragsh-forbidden-property"],
    ["constructor of a method", "[].map.constructor", "E-ragsh-forbidden-property"],
    ["string prototype", '"".constructor.prototype', "E-ragsh-forbidden-property"],
    ["prototype through index", '"x"["constructor"]', "E-ragsh-forbidden-property"],
    ["computed constructor key", 'let k = "constr" + "uctor"\n[][k]', "E-ragsh-forbidden-property"],
    ["__proto__ write", "let o = {}\no.__proto__ = {polluted: true}", "E-ragsh-forbidden-property"],
    ["__proto__ write through index", 'let o = {}\no["__proto__"] = {}', "E-ragsh-forbidden-property"],
    ["__proto__ as a literal key", 'let o = {"__proto__": {}}', "E-ragsh-forbidden-property"],
    ["__proto__ as a computed key", 'let o = {["__pro" + "to__"]: {}}', "E-ragsh-forbidden-property"],
    ["prototype write", "fn f() {}\nf.prototype = {}", "E-ragsh-forbidden-property"],
    ["__defineGetter__", "({}).__defineGetter__", "E-ragsh-forbidden-property"],
    ["function properties", "fn f() {}\nf.call", "E-ragsh-unknown-method"],
    ["Object.fromEntries with __proto__", 'Object.fromEntries([["__proto__", 1]])', "E-ragsh-forbidden-property"],
    ["JSON.parse with __proto__", 'JSON.parse("{\\"__proto__\\": {\\"x\\": 1}}")', "E-ragsh-host-value"],
    ["process", "process.exit(1)", "E-ragsh-unknown-name"],
    ["require", 'require("fs")', "E-ragsh-unknown-name"],
    ["eval", 'eval("1")', "E-ragsh-unknown-name"],
    ["Function", 'Function("return 1")', "E-ragsh-unknown-name"],
    ["globalThis", "globalThis", "E-ragsh-unknown-name"],
    ["setTimeout", "setTimeout(() => 1, 0)", "E-ragsh-unknown-name"],
    ["fetch", 'fetch("http://127.0.0.1")', "E-ragsh-unknown-name"],
    ["import", 'import fs from "fs"', "E-ragsh-unsupported-syntax"],
    ["dynamic import", 'import("fs")', "E-ragsh-unsupported-syntax"],
    ["new", "new Array(10)", "E-ragsh-unsupported-syntax"],
    ["this", "this", "E-ragsh-unsupported-syntax"],
    ["namespace write", "Math.floor = 1", "E-ragsh-reserved-name"],
    ["overwrite a capability", "model_query = x => x", "E-ragsh-reserved-name"],
    ["shadow a capability", "fn f(print) { return print }", "E-ragsh-reserved-name"],
  ];
  for (const [name, source, code] of escapes) {
    it(`${name} ends in ${code}`, async () => {
      const r = await runOnce(source);
      expect(r.ok).toBe(false);
      expect(codes(r)).toContain(code);
      expect(r.diagnostics.every((d) => d.span.start.line >= 1 && d.file === r.file)).toBe(true);
    });
  }

  it("the host's prototypes are untouched after pollution attempts", async () => {
    await runOnce('let o = {}\no["__proto__"] = {polluted: true}');
    await runOnce('let a = []\na.constructor = 1');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect([].constructor).toBe(Array);
  });

  it("the globals a host function could reach are not in the namespace", async () => {
    const h = harness();
    const names = h.session.reservedNames();
    for (const n of ["process", "require", "eval", "Function", "globalThis", "setTimeout", "fetch", "Buffer"]) expect(names).not.toContain(n);
  });

  it("getters on values a tool returns are refused, never run inside the session", async () => {
    let ran = 0;
    const registry = testRegistry();
    registry.registerTool("getter", tool({ description: "", schema: z.object({}), run: () => ({ plain: 1, get secret() { ran++; return "host"; } }) }));
    const r = await runOnce('tool_call({tool: "getter", arguments: {}})', { registry });
    expect(codes(r)).toEqual(["E-ragsh-host-value"]);
    expect(r.diagnostics[0].message).toContain("a getter at `secret`");
    expect(ran).toBe(0);
  });

  it("class instances, functions, cycles and symbols from the host are refused", async () => {
    const registry = testRegistry();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const returns: Record<string, unknown> = { map: new Map(), fn: () => 1, cycle: cyclic, sym: Symbol("s"), big: 1n };
    for (const [k, v] of Object.entries(returns)) registry.registerTool(`r_${k}`, tool({ description: "", schema: z.object({}), run: () => ({ v }) }));
    for (const k of Object.keys(returns)) expect(codes(await runOnce(`tool_call({tool: "r_${k}", arguments: {}})`, { registry })), k).toEqual(["E-ragsh-host-value"]);
  });

  it("values reach tools as copies: a tool cannot change the session's data", async () => {
    const registry = testRegistry();
    let received: unknown;
    registry.registerTool("mutate", tool({ description: "", schema: z.object({ xs: z.array(z.number()) }), run: (args) => { received = args; (args.xs as number[]).push(99); return args.xs; } }));
    const h = harness({ registry });
    const r = await h.run('let xs = [1]\nlet back = tool_call({tool: "mutate", arguments: {xs}})\n[xs, back]');
    expect(r.value).toEqual([[1], [1, 99]]);
    expect(Object.getPrototypeOf(received)).toBe(Object.prototype);
  });

  it("functions cannot leave the session as arguments", async () => {
    const r = await runOnce('tool_call({tool: "search", arguments: {query: x => x}})');
    expect(codes(r)).toEqual(["E-ragsh-invalid-arguments"]);
    expect(r.diagnostics[0].message).toContain("function at `query`");
  });

  it("a cell's value leaves as plain data (functions described)", async () => {
    const r = await runOnce("fn f() {}\n({f, n: [1]})");
    expect(r.value).toEqual({ f: "[function f]", n: [1] });
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
  });
});

describe("limits (repl.md §3)", () => {
  it("operations per cell", async () => {
    const r = await runOnce("let i = 0\nwhile (true) { i++ }", { policy: { maxOperations: 5_000 } });
    expect(codes(r)).toEqual(["E-ragsh-operation-limit"]);
    expect(r.diagnostics[0].message).toContain("5000 operations");
    expect(r.diagnostics[0].span.start.line).toBe(2);
  });

  it("operations also bound loops inside functions and callbacks", async () => {
    expect(codes(await runOnce("fn spin() { while (true) {} }\nspin()", { policy: { maxOperations: 5_000 } }))).toEqual(["E-ragsh-operation-limit"]);
    expect(codes(await runOnce("range(100).map(x => { let i = 0; while (true) i++ })", { policy: { maxOperations: 5_000 } }))).toEqual(["E-ragsh-operation-limit"]);
  });

  it("output bytes", async () => {
    const r = await runOnce('for (const i of range(100)) print("0123456789")', { policy: { maxOutputBytes: 100 } });
    expect(codes(r)).toEqual(["E-ragsh-output-limit"]);
    expect(r.stdout.length).toBeLessThanOrEqual(100);
  });

  it("huge string growth", async () => {
    const r = await runOnce('let s = "x"\nwhile (true) { s += s }');
    expect(codes(r)).toEqual(["E-ragsh-memory-limit"]);
    expect(codes(await runOnce('"x".repeat(1e12)'))).toEqual(["E-ragsh-memory-limit"]);
    expect(codes(await runOnce('"x".padStart(1e12)'))).toEqual(["E-ragsh-memory-limit"]);
  });

  it("huge list growth", async () => {
    expect(codes(await runOnce("let xs = [1]\nwhile (true) { xs = xs.concat(xs) }"))).toEqual(["E-ragsh-memory-limit"]);
    expect(codes(await runOnce("range(1e12)"))).toEqual(["E-ragsh-memory-limit"]);
    expect(codes(await runOnce("let xs = []\nwhile (true) xs.push(1, 2, 3, 4)", { policy: { maxOperations: 1e8, maxMemoryBytes: 1e6 } }))).toEqual(["E-ragsh-memory-limit"]);
  });

  it("deep recursion, direct and through callbacks", async () => {
    expect(codes(await runOnce("fn f(n) { return f(n + 1) }\nf(0)"))).toEqual(["E-ragsh-depth-limit"]);
    expect(codes(await runOnce("fn g(n) { return [n].map(x => g(x + 1)) }\ng(0)"))).toEqual(["E-ragsh-depth-limit"]);
  });

  it("deeply nested source is refused by the parser", async () => {
    expect(codes(await runOnce("let x = " + "(".repeat(500) + "1" + ")".repeat(500)))).toContain("E-ragsh-nesting-limit");
    expect(codes(await runOnce("let x = " + "!".repeat(2000) + "true"))).toContain("E-ragsh-nesting-limit");
    expect(codes(await runOnce("let x = 1" + " + 1".repeat(5000)))).toContain("E-ragsh-nesting-limit");
  });

  it("calls per kind", async () => {
    const h = harness({ policy: { maxModelCalls: 2 } });
    expect((await h.run('model_query({prompt: "a"})\nmodel_query({prompt: "b"})')).ok).toBe(true);
    const r = await h.run('model_query({prompt: "c"})');
    expect(codes(r)).toEqual(["E-ragsh-call-limit"]);
    expect(r.diagnostics[0].message).toContain("limit of 2 model calls");
    const batch = await harness({ policy: { maxModelCalls: 2 } }).run('model_query_batched([{prompt: "a"}, {prompt: "b"}, {prompt: "c"}])');
    expect(codes(batch)).toEqual(["E-ragsh-call-limit"]);
    expect(batch.calls).toEqual([]);
  });

  it("graph definitions and graph runs are budgeted too", async () => {
    const defs = await runOnce('graph_define({name: "a", source: "graph a {}"})\ngraph_define({name: "b", source: "graph b {}"})', { policy: { maxGraphDefinitions: 1 } });
    expect(codes(defs)).toEqual(["E-ragsh-call-limit"]);
    const runs = await runOnce('graph_run({graph: "hello", input: {name: "a"}})\ngraph_run({graph: "hello", input: {name: "b"}})', { policy: { maxGraphRuns: 1 } });
    expect(codes(runs)).toEqual(["E-ragsh-call-limit"]);
  });

  it("timeout, including a capability call in flight (which is cancelled)", async () => {
    const t0 = Date.now();
    // The tool would wait a minute: only the 100 ms timeout can end it (the bound is far
    // below that and far above a loaded machine's delays).
    const r = await runOnce('tool_call({tool: "wait", arguments: {ms: 60000}})', { policy: { timeoutMs: 100 } });
    expect(codes(r)).toEqual(["E-ragsh-timeout"]);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.calls[0]).toMatchObject({ capability: "tool_call", target: "wait", ok: false });
  });

  it("timeout in a pure loop", async () => {
    const r = await runOnce("while (true) {}", { policy: { timeoutMs: 50, maxOperations: 1e12 } });
    expect(codes(r)).toEqual(["E-ragsh-timeout"]);
  });

  it("script bytes", async () => {
    const r = await runOnce(`let s = "${"x".repeat(200)}"`, { policy: { maxScriptBytes: 100 } });
    expect(codes(r)).toEqual(["E-ragsh-script-too-large"]);
  });

  it("cells per session", async () => {
    const h = harness({ policy: { maxCells: 2 } });
    await h.run("1");
    await h.run("2");
    expect(codes(await h.run("3"))).toEqual(["E-ragsh-cell-limit"]);
  });

  it("concurrency of batched calls is bounded", async () => {
    let inFlight = 0;
    let peak = 0;
    const registry = testRegistry();
    registry.registerTool("slow", tool({ description: "", schema: z.object({ i: z.number() }), run: async ({ i }) => { inFlight++; peak = Math.max(peak, inFlight); await new Promise((r) => setTimeout(r, 10)); inFlight--; return i; } }));
    const r = await runOnce("tool_call_batched(range(12).map(i => ({tool: \"slow\", arguments: {i}})))", { registry, policy: { concurrency: 3 } });
    expect(r.value).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(peak).toBe(3);
  });

  it("the session stays usable after every limit, and reserved names are restored", async () => {
    const h = harness({ policy: { maxOperations: 10_000 } });
    await h.run("let kept = 1");
    for (const bad of ["while (true) {}", "print = 1", "Math.floor = 2", "({}).constructor", 'let s = "x"\nwhile (true) s += s']) expect((await h.run(bad)).ok).toBe(false);
    const r = await h.run('print(Math.floor(kept + 0.5))\nkept');
    expect(r.ok).toBe(true);
    expect(r.stdout).toBe("1\n");
  });

  it("mutating session inputs does not leak into the next cell", async () => {
    const h = harness({ context: { doc: "abc", tags: ["x"] } });
    await h.run('context.tags.push("y")\ncontext.doc2 = 1');
    expect((await h.run("context")).value).toEqual({ doc: "abc", tags: ["x"] });
  });
});

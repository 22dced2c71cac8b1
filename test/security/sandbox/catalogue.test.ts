/**
 * The sandbox catalogue (issue 10 §2, §4): classic JavaScript sandbox escapes written
 * in `.ragsh`, and the resource attacks that used to crash, hang or poison a session.
 * Each case is one row: the cell, the stable code it must end in, and — for every
 * row — a live session afterwards (the next cell runs and returns its value). Cells are
 * written by a `model` author (the untrusted provenance) so policy refusals apply too.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { tool, SessionPolicyError } from "../../../registry/index.js";
import { codes, harness, testRegistry } from "../../repl/helpers.js";

/** [what, cell, code] — the escape must end in `code`, nothing else reached. */
const ESCAPES: readonly [string, string, string][] = [
  ["constructor chain", '({}).constructor.constructor("return process")()', "E-ragsh-forbidden-property"],
  ["list constructor", "[].constructor", "E-ragsh-forbidden-property"],
  ["string constructor", '"".constructor', "E-ragsh-forbidden-property"],
  ["number constructor", "(1).constructor", "E-ragsh-forbidden-property"],
  ["function constructor via method", "[].map.constructor", "E-ragsh-forbidden-property"],
  ["bound method constructor", "let m = [].map\nm.constructor", "E-ragsh-forbidden-property"],
  ["constructor via index", '[]["constructor"]', "E-ragsh-forbidden-property"],
  ["constructor via computed name", 'let k = "constr" + "uctor"\n[][k]', "E-ragsh-forbidden-property"],
  ["constructor via template key", 'let k = `constructor`\n({})[k]', "E-ragsh-forbidden-property"],
  ["prototype read", "fn f() {}\nf.prototype", "E-ragsh-forbidden-property"],
  ["prototype write", "fn f() {}\nf.prototype = {}", "E-ragsh-forbidden-property"],
  ["__proto__ read", "({}).__proto__", "E-ragsh-forbidden-property"],
  ["__proto__ write", "let o = {}\no.__proto__ = {polluted: true}", "E-ragsh-forbidden-property"],
  ["__proto__ index write", 'let o = {}\no["__proto__"] = {polluted: true}', "E-ragsh-forbidden-property"],
  ["__proto__ literal key", 'let o = {"__proto__": {polluted: true}}', "E-ragsh-forbidden-property"],
  ["__proto__ shorthand-like key", "let o = {__proto__: {polluted: true}}", "E-ragsh-forbidden-property"],
  ["__proto__ computed key", 'let o = {["__pro" + "to__"]: {}}', "E-ragsh-forbidden-property"],
  ["__proto__ via list index", '[]["__proto__"]', "E-ragsh-forbidden-property"],
  ["__proto__ in destructuring", "let {__proto__: p} = {}", "E-ragsh-forbidden-property"],
  ["__defineGetter__", "({}).__defineGetter__", "E-ragsh-forbidden-property"],
  ["__lookupGetter__", "({}).__lookupGetter__", "E-ragsh-forbidden-property"],
  ["Object.assign pollution", 'Object.assign({}, JSON.parse("{\\"__proto__\\": {\\"x\\": 1}}"))', "E-ragsh-host-value"],
  ["Object.fromEntries __proto__", 'Object.fromEntries([["__proto__", {x: 1}]])', "E-ragsh-forbidden-property"],
  ["Object.fromEntries constructor", 'Object.fromEntries([["constructor", 1]])', "E-ragsh-forbidden-property"],
  ["JSON.parse __proto__", 'JSON.parse("{\\"__proto__\\": {\\"x\\": 1}}")', "E-ragsh-host-value"],
  ["JSON.parse constructor", 'JSON.parse("{\\"constructor\\": {\\"prototype\\": 1}}")', "E-ragsh-host-value"],
  ["spread __proto__ from JSON", 'let o = {...JSON.parse("{\\"__proto__\\": 1}")}', "E-ragsh-host-value"],
  ["Function", 'Function("return process")()', "E-ragsh-unknown-name"],
  ["eval", 'eval("process")', "E-ragsh-unknown-name"],
  ["indirect eval", '(0, eval)("1")', "E-ragsh-unexpected-token"],
  ["globalThis", "globalThis.process", "E-ragsh-unknown-name"],
  ["global", "global", "E-ragsh-unknown-name"],
  ["window", "window", "E-ragsh-unknown-name"],
  ["self", "self", "E-ragsh-unknown-name"],
  ["process", "process.exit(1)", "E-ragsh-unknown-name"],
  ["process.env", "process.env", "E-ragsh-unknown-name"],
  ["require", 'require("child_process")', "E-ragsh-unknown-name"],
  ["module", "module.exports", "E-ragsh-unknown-name"],
  ["exports", "exports", "E-ragsh-unknown-name"],
  ["__dirname", "__dirname", "E-ragsh-unknown-name"],
  ["import statement", 'import fs from "fs"', "E-ragsh-unsupported-syntax"],
  ["dynamic import", 'import("fs")', "E-ragsh-unsupported-syntax"],
  ["import.meta", "import.meta", "E-ragsh-unsupported-syntax"],
  ["new Function", 'new Function("return 1")', "E-ragsh-unsupported-syntax"],
  ["new Proxy", "new Proxy({}, {})", "E-ragsh-unsupported-syntax"],
  ["Proxy", "Proxy", "E-ragsh-unknown-name"],
  ["Reflect", 'Reflect.get({}, "x")', "E-ragsh-unknown-name"],
  ["Reflect.construct", "Reflect.construct", "E-ragsh-unknown-name"],
  ["Symbol", "Symbol.iterator", "E-ragsh-unknown-name"],
  ["Symbol.toPrimitive key", 'let o = {[Symbol.toPrimitive]: () => 1}', "E-ragsh-unknown-name"],
  ["WeakMap", "WeakMap", "E-ragsh-unknown-name"],
  ["Promise", "Promise.resolve(1)", "E-ragsh-unknown-name"],
  ["setTimeout", "setTimeout(() => 1, 0)", "E-ragsh-unknown-name"],
  ["setInterval", "setInterval(() => 1, 0)", "E-ragsh-unknown-name"],
  ["queueMicrotask", "queueMicrotask(() => 1)", "E-ragsh-unknown-name"],
  ["fetch", 'fetch("http://127.0.0.1/")', "E-ragsh-unknown-name"],
  ["Buffer", "Buffer.from('x')", "E-ragsh-unknown-name"],
  ["this", "this", "E-ragsh-unsupported-syntax"],
  ["this in a function", "fn f() { return this }\nf()", "E-ragsh-unsupported-syntax"],
  ["arguments", "fn f() { return arguments }\nf()", "E-ragsh-unknown-name"],
  ["class", "class A {}", "E-ragsh-unsupported-syntax"],
  ["getter in literal", "let o = { get x() { return 1 } }", "E-ragsh-unexpected-token"],
  ["setter in literal", "let o = { set x(v) {} }", "E-ragsh-unexpected-token"],
  ["Object.defineProperty", 'Object.defineProperty({}, "x", {get: () => 1})', "E-ragsh-unknown-method"],
  ["Object.getPrototypeOf", "Object.getPrototypeOf({})", "E-ragsh-unknown-method"],
  ["Object.setPrototypeOf", "Object.setPrototypeOf({}, null)", "E-ragsh-unknown-method"],
  ["Object.prototype", "Object.prototype", "E-ragsh-forbidden-property"],
  ["Array.prototype", "Array.prototype", "E-ragsh-forbidden-property"],
  ["Math.constructor", "Math.constructor", "E-ragsh-forbidden-property"],
  ["JSON.constructor", "JSON.constructor", "E-ragsh-forbidden-property"],
  ["namespace write", "Math.floor = x => x", "E-ragsh-reserved-name"],
  ["namespace member add", "JSON.evil = 1", "E-ragsh-reserved-name"],
  ["overwrite capability", 'tool_call = x => "hijacked"', "E-ragsh-reserved-name"],
  ["shadow capability with let", "let print = 1", "E-ragsh-reserved-name"],
  ["shadow capability as a parameter", "fn f(model_query) { return model_query }", "E-ragsh-reserved-name"],
  ["function property call", "fn f() {}\nf.call(null)", "E-ragsh-unknown-method"],
  ["function apply", "fn f() {}\nf.apply(null, [])", "E-ragsh-unknown-method"],
  ["function bind", "fn f() {}\nf.bind(null)", "E-ragsh-unknown-method"],
  ["toString of a method", "[].map.toString()", "E-ragsh-unknown-method"],
  ["valueOf override", "let o = {valueOf: () => 1}\no + 1\no.valueOf.constructor", "E-ragsh-forbidden-property"],
  ["with statement", "with ({}) {}", "E-ragsh-unsupported-syntax"],
  ["try/catch stack", "try { null.x } catch (e) { e.stack }", "E-ragsh-unsupported-syntax"],
  ["throw", 'throw "x"', "E-ragsh-unsupported-syntax"],
  ["delete", "let o = {a: 1}\ndelete o.a", "E-ragsh-unsupported-syntax"],
  ["var", "var x = 1", "E-ragsh-unsupported-syntax"],
  ["generator", "function* g() { yield 1 }", "E-ragsh-unexpected-token"],
  ["async arrow await import", 'let f = async () => await import("fs")', "E-ragsh-unsupported-syntax"],
  ["regex literal", "/a/.constructor", "E-ragsh-unexpected-token"],
  ["tagged template", "String.raw`x`", "E-ragsh-unknown-method"],
  ["label", "a: while (true) break a", "E-ragsh-unexpected-token"],
  ["list length write", "let xs = [1]\nxs.length = 100000000", "E-ragsh-type-error"],
  ["sparse list write", "let xs = []\nxs[1e9] = 1", "E-ragsh-type-error"],
  ["capability result getter", 'tool_call({tool: "leaky", arguments: {}})', "E-ragsh-host-value"],
  ["function as capability argument", 'tool_call({tool: "search", arguments: {query: x => x}})', "E-ragsh-invalid-arguments"],
  ["refused tool (model author)", 'tool_call({tool: "admin", arguments: {}})', "E-ragsh-capability-denied"],
];

/** Values a script builds to attack the boundary: [what, cell, code, policy]. */
const deep = (n: number, wrap = "[x]") => `let x = []\nfor (let i = 0; i < ${n}; i++) x = ${wrap}\n`;
const shared = "let s = [\"xxxxxxxxxxxxxxxx\"]\nfor (let i = 0; i < 40; i++) s = [s, s]\n";
const RESOURCES: readonly [string, string, string, Record<string, number>?][] = [
  ["a cyclic record as the cell's value", "let a = {}\na.self = a\na", "W-ragsh-value-truncated"],
  ["a cyclic list as the cell's value", "let a = []\na.push(a)\na", "W-ragsh-value-truncated"],
  ["a 50,000-deep list as the cell's value", deep(50_000) + "x", "W-ragsh-value-truncated"],
  ["a 50,000-deep record as the cell's value", deep(50_000, "{x}") + "x", "W-ragsh-value-truncated"],
  ["a 70-deep value as the answer", deep(70, "{x}") + "answer(x)", "W-ragsh-value-truncated"],
  ["a 50,000-deep value as event data", deep(50_000) + 'emit("e", x)', "W-ragsh-value-truncated"],
  ["a 50,000-deep value through JSON.stringify", deep(50_000) + "JSON.stringify(x)", "E-ragsh-value-limit"],
  ["a 50,000-deep value as tool arguments", deep(50_000) + 'tool_call({tool: "search", arguments: {query: "q", x}})', "E-ragsh-value-limit"],
  ["a cyclic value as tool arguments", 'let a = {}\na.self = a\ntool_call({tool: "search", arguments: {query: "q", a}})', "E-ragsh-invalid-arguments"],
  ["String(x) of a list shared 2^40 times", shared + "String(s).length", "E-ragsh-memory-limit"],
  ["a template of a list shared 2^40 times", shared + "`${s}`.length", "E-ragsh-memory-limit"],
  ["`+` of a list shared 2^40 times", shared + "(s + \"\").length", "E-ragsh-memory-limit"],
  ["join of a list shared 2^40 times", shared + "s.join(\"-\").length", "E-ragsh-memory-limit"],
  ["JSON.stringify of a list shared 2^40 times", shared + "JSON.stringify(s).length", "E-ragsh-memory-limit", { maxMemoryBytes: 4_000_000 }],
  ["JSON.stringify with indentation of a wide, deep value", "let r = range(2000)\nlet x = r\nfor (let i = 0; i < 60; i++) x = [x, r]\nJSON.stringify(x, null, 10).length", "E-ragsh-memory-limit", { maxMemoryBytes: 4_000_000 }],
  // Each list or object a copy builds costs the host ~190 bytes: charged at 8, these passed a 2 MB budget (and 2^40 sharing built ~1.3 GB under 64 MiB).
  ["JSON.stringify of 20,000 empty lists (each host list charged)", "let xs = range(20000).map((i) => [])\nJSON.stringify(xs).length", "E-ragsh-memory-limit", { maxMemoryBytes: 2_000_000 }],
  ["JSON.stringify of 20,000 empty records (each host object charged)", "let xs = range(20000).map((i) => ({}))\nJSON.stringify(xs).length", "E-ragsh-memory-limit", { maxMemoryBytes: 2_000_000 }],
  // A container a literal builds costs the host ~40–60 bytes besides its slots: charged at 0, 100,000 of them passed a 2 MB budget.
  ["100,000 empty list literals kept in a list", "let xs = []\nfor (let i = 0; i < 100000; i++) xs.push([])\nxs.length", "E-ragsh-memory-limit", { maxMemoryBytes: 2_000_000 }],
  ["100,000 empty record literals kept in a list", "let xs = []\nfor (let i = 0; i < 100000; i++) xs.push({})\nxs.length", "E-ragsh-memory-limit", { maxMemoryBytes: 2_000_000 }],
  ["JSON.parse of 20,000 empty lists (charged before the parse)", 'JSON.parse("[" + "[],".repeat(20000) + "[]]").length', "E-ragsh-memory-limit", { maxMemoryBytes: 2_000_000 }],
  ["JSON.parse of 5,000,000 empty records under the default budget", 'JSON.parse("[" + "{},".repeat(5000000) + "{}]").length', "E-ragsh-memory-limit"],
  ["JSON.stringify of a list shared 2^40 times under the default budget", shared + "JSON.stringify(s).length", "E-ragsh-memory-limit"],
  ["a list shared 2^40 times as tool arguments", shared + 'tool_call({tool: "search", arguments: {query: "q", s}})', "E-ragsh-value-limit"],
  ["lastIndexOf with a 2.5M-character needle", 'let h = "a".repeat(5000000)\nh.lastIndexOf("a".repeat(2500000) + "b")', "E-ragsh-operation-limit", { maxOperations: 10_000 }],
  ["indexOf with a long needle", 'let h = "a".repeat(5000000)\nh.indexOf("a".repeat(100000) + "b")', "E-ragsh-operation-limit", { maxOperations: 10_000 }],
  ["includes with a long needle", 'let h = "a".repeat(5000000)\nh.includes("b" + "a".repeat(100000))', "E-ragsh-operation-limit", { maxOperations: 10_000 }],
  ["split with a long separator", 'let h = "a".repeat(5000000)\nh.split("a".repeat(1000) + "b")', "E-ragsh-operation-limit", { maxOperations: 10_000 }],
  ["replaceAll growing a string 1,000-fold", '"a".repeat(100000).replaceAll("a", "b".repeat(1000))', "E-ragsh-memory-limit"],
  ["split into millions of pieces", '"a".repeat(20000000).split("")', "E-ragsh-memory-limit"],
  ["repeated graph_validate against the clock", 'let d = graph_define({name: "g", source: "graph g { start a node a { next END } }"})\nwhile (true) graph_validate(d)', "E-ragsh-timeout", { timeoutMs: 300, maxOperations: 1e12 }],
  ["repeated graph_validate against the operation budget", 'let d = graph_define({name: "g", source: "graph g { start a node a { next END } }" + " ".repeat(20000)})\nwhile (true) graph_validate(d)', "E-ragsh-operation-limit"],
  ["repeated graph_compile", 'let d = graph_define({name: "g", source: "graph g { start a node a { next END } }"})\nwhile (true) graph_compile(d)', "E-ragsh-timeout", { timeoutMs: 300, maxOperations: 1e12 }],
  ["400 nested arrows", "let f = " + "x => ".repeat(400) + "1", "E-ragsh-nesting-limit"],
  ["1,000 chained assignments", "let a = 0\n" + "a = ".repeat(1000) + "1", "E-ragsh-nesting-limit"],
  ["1,000 chained conditionals", "let c = " + "true ? 1 : ".repeat(1000) + "2", "E-ragsh-nesting-limit"],
  ["1,000 nested closures", "let g = " + "|x| ".repeat(1000) + "1", "E-ragsh-nesting-limit"],
  ["1,000 nested ifs", "if (true) ".repeat(1000) + "1", "E-ragsh-nesting-limit"],
  ["a 1,000-arm else-if chain", "let z = 0\n" + "if (z == 1) z = 1 else ".repeat(1000) + "z = 2", "E-ragsh-nesting-limit"],
  ["1,000 chained assignments inside a template", "`${" + "a = ".repeat(1000) + "1}`", "E-ragsh-nesting-limit"],
  ["deep recursion", "fn f(n) { return f(n + 1) }\nf(0)", "E-ragsh-depth-limit"],
  ["an endless loop", "while (true) {}", "E-ragsh-timeout", { timeoutMs: 100, maxOperations: 1e12 }],
  ["string doubling", 'let s = "x"\nwhile (true) s += s', "E-ragsh-memory-limit"],
];

/** Runs `source` in a fresh session and checks the session is alive afterwards. */
async function attack(source: string, policy: Record<string, number> = {}) {
  const h = harness({ author: "model", policy });
  const t0 = performance.now();
  const r = await h.run(source);
  const ms = performance.now() - t0;
  const next = await h.run("let alive = 40 + 2\nalive");
  expect(next.ok, "the next cell runs").toBe(true);
  expect(next.value).toBe(42);
  return { r, ms, h };
}

describe("sandbox escapes", () => {
  it("the catalogue holds at least 70 shapes", () => expect(ESCAPES.length).toBeGreaterThanOrEqual(70));
  for (const [what, source, code] of ESCAPES) {
    it(`${what} → ${code}`, async () => {
      const { r } = await attack(source);
      expect(r.ok).toBe(false);
      expect(codes(r)).toContain(code);
      expect(r.diagnostics.every((d) => d.span.start.line >= 1 && d.file === r.file)).toBe(true);
    });
  }

  it("the host's prototypes are untouched after every escape", () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect([].constructor).toBe(Array);
  });
});

describe("resource attacks", () => {
  for (const [what, source, code, policy] of RESOURCES) {
    it(`${what} → ${code}`, { timeout: 20_000 }, async () => {
      const { r, ms } = await attack(source, policy);
      expect(codes(r)).toContain(code);
      expect(r.ok).toBe(code.startsWith("W-"));
      expect(ms).toBeLessThan(10_000);
    });
  }

  it("a 70-deep value does not break later cells, before or after :reset", async () => {
    const h = harness();
    const first = await h.run(deep(70, "{x}") + "x");
    expect(codes(first)).toEqual(["W-ragsh-value-truncated"]);
    for (let i = 0; i < 3; i++) expect((await h.run(`${i} + 1`)).value).toBe(i + 1);
    h.session.reset();
    const after = await h.run("history.length");
    expect(after.ok).toBe(true);
    expect(after.value).toBe(4);
  });

  it("a long lastIndexOf completes in linear time under the default policy", async () => {
    const t0 = performance.now();
    const r = await harness().run('let h = "a".repeat(5000000)\n[h.lastIndexOf("a".repeat(2500000) + "b"), h.lastIndexOf("a".repeat(2500000)), "xaby".lastIndexOf("ab")]');
    expect(r.value).toEqual([-1, 2500000, 1]);
    expect(performance.now() - t0).toBeLessThan(8_000);
  });

  it("the cut value keeps its shape up to the bound and marks where it was cut", async () => {
    const r = await harness().run("let a = {n: 1}\na.self = a\na");
    expect(r.value).toEqual({ n: 1, self: "[circular]" });
    const d = await harness().run(deep(100) + "x");
    let v = d.value as unknown;
    let levels = 0;
    while (Array.isArray(v)) (v = v[0]), levels++;
    expect(levels).toBe(64);
    expect(v).toBe("[… deeper]");
  });
});

describe("a capability under a built-in method name", () => {
  it("a closure stored as `trim` cannot start a tool call from the synchronous path", async () => {
    let ran = 0;
    const registry = testRegistry();
    registry.registerTool("marker", tool({ description: "side effect", schema: z.object({}), run: () => (ran++, "ran") }));
    registry.policy = undefined;
    const h = harness({ registry });
    for (const name of ["trim", "slice", "push", "toUpperCase"]) {
      const r = await h.run(`let o${name} = {${name}: () => tool_call({tool: "marker", arguments: {}})}\no${name}.${name}()`);
      expect(r.ok).toBe(false);
      expect(codes(r)).toEqual(["E-ragsh-type-error"]);
      expect(r.calls).toEqual([]);
    }
    expect(ran).toBe(0);
    // Through a variable the same closure may call it (the generator path).
    const ok = await h.run('let f = otrim.trim\nf()');
    expect(ok.value).toBe("ran");
    expect(ran).toBe(1);
  });
});

describe("the session policy is validated", () => {
  const bad: [string, unknown][] = [["maxOperations", "lots"], ["maxOperations", Number.NaN], ["timeoutMs", -1], ["maxMemoryBytes", Infinity], ["maxCallDepth", 1.5], ["reviewGeneratedGraphs", "no"], ["maxOperation", 5]];
  for (const [key, value] of bad) {
    it(`${key}: ${String(value)} is refused, naming the key`, () => {
      let err: unknown;
      try {
        harness({ policy: { [key]: value } as never });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SessionPolicyError);
      expect((err as SessionPolicyError).code).toBe("E-ragsh-invalid-policy");
      expect((err as SessionPolicyError).keys).toEqual([key]);
      expect((err as Error).message).toContain(key);
    });
  }
  it("valid overrides apply", async () => {
    const h = harness({ policy: { maxOperations: 5_000 } });
    expect(codes(await h.run("while (true) {}"))).toEqual(["E-ragsh-operation-limit"]);
  });
});

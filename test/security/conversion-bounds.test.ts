/**
 * Conversions and sizes a `.ragsh` cell controls, attacked through a real session: every
 * place that turns a script value into a number or a string, or builds text from a size
 * the script chose, charges the cell's memory (and, for long walks, its operations)
 * before the work — and never hands a script value to a host `valueOf`/`toString`.
 *
 * Each attack must end the cell with a limit or script diagnostic (not a crash, a hang
 * or `E-ragsh-internal`), and the session must run its next cell afterwards.
 *
 * `WIDE` is a list whose string form is 4,096 × 1,000 characters (≈ 8 MB) while the list
 * itself costs a few KB: twelve doublings of one shared sub-list. Converting it is what
 * the budget must see.
 */
import { describe, expect, it } from "vitest";
import { codes, harness } from "../repl/helpers.js";
import type { SessionPolicy } from "../../registry/index.js";

const WIDE = 'let x = ["y".repeat(1000)]\nfor (let i = 0; i < 12; i++) x = [x, x]\n';
/** A list of 2^20 ones nested as a binary tree: about 4M steps to walk, 2 MB of text. */
const DEEP_TREE = "let t = [1]\nfor (let i = 0; i < 20; i++) t = [t, t]\n";

const LIMITS = new Set(["E-ragsh-memory-limit", "E-ragsh-operation-limit", "E-ragsh-timeout", "E-ragsh-output-limit", "E-ragsh-invalid-arguments", "E-ragsh-type-error"]);

/** Runs `cell` in a fresh session under `policy`; returns its result, after checking the session still answers. */
async function attack(cell: string, policy: Partial<SessionPolicy>) {
  const h = harness({ policy: { timeoutMs: 10_000, ...policy } });
  const started = Date.now();
  const r = await h.run(cell);
  const elapsed = Date.now() - started;
  const after = await h.run("1 + 1");
  expect(after.ok).toBe(true);
  expect(after.value).toBe(2);
  return { r, elapsed, h };
}

/** The cell must fail with `code` (a limit or script diagnostic, never an internal error). */
async function expectStopped(cell: string, code: string, policy: Partial<SessionPolicy>) {
  const { r, elapsed, h } = await attack(cell, policy);
  expect(r.ok).toBe(false);
  // Warnings (a value cut on its way out) may come with the error.
  expect(codes(r).filter((c) => !c.startsWith("W-"))).toEqual([code]);
  expect(LIMITS.has(code)).toBe(true);
  // Generous: the budgets stop these in milliseconds; a loaded CI machine keeps this.
  expect(elapsed).toBeLessThan(8_000);
  return { r, h };
}

const MEM = { maxMemoryBytes: 2_000_000 };

describe("negative, NaN and infinite sizes never lower the memory charge", () => {
  const cases: [string, string][] = [
    ["padStart with a huge negative length", '"x".padStart(-1e15)'],
    ["padEnd with a huge negative length", '"x".padEnd(-1e15)'],
    ["padStart with -Infinity", '"x".padStart(-Infinity)'],
    ["padEnd with -Infinity and a filler", '"x".padEnd(-Infinity, "ab")'],
    ["slice with negative bounds", '"abc".slice(-1e300, -1e300)'],
  ];
  for (const [what, first] of cases) {
    it(`${what}, then a string past the budget: memory limit`, async () => {
      await expectStopped(`${first}\nconst s = "ab".repeat(1000000)\ns.length`, "E-ragsh-memory-limit", MEM);
    });
  }

  it("padding to a negative length is the string itself (as in JavaScript)", async () => {
    const { r } = await attack('["x".padStart(-5), "x".padEnd(-Infinity, "-"), "x".padStart(3, "-")]', MEM);
    expect(r.ok).toBe(true);
    expect(r.value).toEqual(["x", "x", "--x"]);
  });

  it("a huge padding length or repeat count is refused before anything is built", async () => {
    for (const cell of ['"x".padStart(1e300)', '"x".padEnd(Infinity)', '"ab".repeat(1e300)', '"ab".repeat(Math.pow(2, 60))']) {
      await expectStopped(cell, "E-ragsh-memory-limit", MEM);
    }
  });

  it("repeat of an empty string by Infinity is an error, and does not disable the budget", async () => {
    const { r, h } = await attack('"".repeat(Infinity)', MEM);
    expect(codes(r)).not.toContain("E-ragsh-internal");
    expect(codes(await h.run('"ab".repeat(1000000).length'))).toEqual(["E-ragsh-memory-limit"]);
  });
});

describe("number conversions never run host conversions and charge what they build", () => {
  // Each converts WIDE (≈ 8 MB of text) to a number: the string form must be charged.
  const cases: [string, string][] = [
    ["isNaN", "isNaN(x)"],
    ["range", "range(x)"],
    ["parseInt's radix", 'parseInt("1", x)'],
    ["Number", "Number(x)"],
    ["Math.floor", "Math.floor(x)"],
    ["Math.max of a list", "Math.max([x, 1])"],
    ["Math.pow", "Math.pow(x, 2)"],
    ["unary plus", "let r = +x"],
    ["unary minus", "let r = -x"],
    ["++ on a variable", "let y = x\ny++"],
    ["-- on a property", "let o = {v: x}\no.v--"],
    ["a sort comparator's result", "[2, 1, 3].sort((a, b) => x)"],
    ["repeat's count", '"a".repeat(x)'],
    ["slice's start", '"abc".slice(x)'],
    ["padStart's length", '"abc".padStart(x)'],
    ["substring's start", '"abc".substring(x)'],
    ["charAt's index", '"abc".charAt(x)'],
    ["a list's at", "[1, 2].at(x)"],
    ["split's limit", '"a,b".split(",", x)'],
    ["toFixed's digits", "(1.5).toFixed(x)"],
  ];
  for (const [what, cell] of cases) {
    it(`${what} of a list with an 8 MB string form: memory limit`, async () => {
      await expectStopped(WIDE + cell, "E-ragsh-memory-limit", MEM);
    });
  }

  it("objects and functions convert as JavaScript would, with no host call", async () => {
    const { r } = await attack('[isNaN([{}]), Number([[1]]), +[], -[2], Math.abs([-3]), isNaN(x => 1), Number(null), Number(true), Number(" 7 "), "abc".charAt([1]), range([2])]', MEM);
    expect(r.ok).toBe(true);
    expect(r.value).toEqual([true, 1, 0, -2, 3, true, 0, 1, 7, "b", [0, 1]]);
  });

  it("Infinity keeps its meaning outside sizes", async () => {
    const { r } = await attack("let best = -Infinity\nfor (const v of [3, 9, 4]) if (v > best) best = v\n[best, -Infinity < -1e300, Math.floor(1e300) === 1e300, Number(\"1e300\") > Math.pow(2, 53)]", MEM);
    expect(r.ok).toBe(true);
    expect(r.value).toEqual([9, true, true, true]);
  });
});

describe("string conversions are charged before they build", () => {
  const cases: [string, string][] = [
    ["String", "String(x).length"],
    ["parseInt", "parseInt(x)"],
    ["parseFloat", "parseFloat(x)"],
    ["Object.fromEntries keys", "Object.fromEntries([[x, 1]])"],
    ["a computed key in an object literal", "({[x]: 1})"],
    ["an index read", "({a: 1})[x]"],
    ["an index write", "let o = {}\no[x] = 1"],
    ["an index update", "let o = {}\no[x] += 1"],
    ["has", "({a: 1}).has(x)"],
    ["contains on an object", "({a: 1}).contains(x)"],
    ["the in operator", "x in {a: 1}"],
    ["== against a string", 'x == "y"'],
    ["!= against a number", "x != 1"],
    ["padStart's filler", '"a".padStart(3, x)'],
    ["padEnd's filler", '"a".padEnd(3, x)'],
    ["emit's name", 'emit(x, 1)'],
    ["emit's route label", 'emit("route", x)'],
  ];
  for (const [what, cell] of cases) {
    it(`${what} of a list with an 8 MB string form: memory limit`, async () => {
      await expectStopped(WIDE + cell, "E-ragsh-memory-limit", MEM);
    });
  }

  it("print charges the text it writes to the memory budget, argument by argument", async () => {
    const cell = 'const big = {a: "y".repeat(1000)}\nconst xs = range(5000).map(i => big)\nprint(...xs)';
    const { r } = await expectStopped(cell, "E-ragsh-memory-limit", { ...MEM, maxOutputBytes: 100_000_000 });
    expect(r.stdout).toBe("");
  });

  it("print past the output budget stops before formatting every argument", async () => {
    const cell = 'const big = {a: "y".repeat(1000)}\nconst xs = range(20000).map(i => big)\nprint(...xs)';
    await expectStopped(cell, "E-ragsh-output-limit", { maxOutputBytes: 10_000 });
  });

  it("emitted event data is charged to the memory budget", async () => {
    const cell = 'const s = "y".repeat(100000)\nfor (let i = 0; i < 100; i++) emit("e", {s: s})';
    const { h } = await expectStopped(cell, "E-ragsh-memory-limit", MEM);
    expect(h.events.filter((e) => e.type === "custom").length).toBeLessThan(20);
  });

  it("answer's value is charged to the memory budget", async () => {
    const cell = 'const s = "y".repeat(100000)\nfor (let i = 0; i < 100; i++) answer({s: s})';
    await expectStopped(cell, "E-ragsh-memory-limit", MEM);
  });

  it("ordinary conversions still work", async () => {
    const { r } = await attack('const o = {a: 1, [["k", 2]]: 3}\n[String([1, [2, 3]]), parseInt("42px"), parseFloat("2.5e1"), o.has("k,2"), "a" in o, [1] == "1", "7".padStart(3, [0]), Object.fromEntries([[["p", "q"], 1]])["p,q"]]', MEM);
    expect(r.ok).toBe(true);
    expect(r.value).toEqual(["1,2,3", 42, 25, true, true, true, "007", 1]);
  });
});

describe("model_query refuses a role that is not a string", () => {
  for (const role of ['["user"]', "[{}]", "{}", "1", "null"]) {
    it(`role: ${role}`, async () => {
      const { r } = await expectStopped(`model_query({prompt: [{role: ${role}, content: "hi"}]})`, "E-ragsh-invalid-arguments", {});
      expect(r.diagnostics[0].message).toMatch(/role/);
    });
  }

  it("a string role still works", async () => {
    const { r } = await attack('model_query({prompt: [{role: "user", content: "hi"}]})', {});
    expect(r.ok).toBe(true);
    expect(r.value).toBe("echo: hi");
  });
});

describe("walking a big value charges operations as it goes", () => {
  for (const [what, cell] of [
    ["String", "String(t).length"],
    ["a template", "`${t}`.length"],
    ["join", "[t].join().length"],
    ["+", '(t + "").length'],
  ] as const) {
    it(`${what} of a 2^20-leaf tree stops at the operation budget`, async () => {
      await expectStopped(DEEP_TREE + cell, "E-ragsh-operation-limit", { maxOperations: 10_000, maxMemoryBytes: 1_000_000_000 });
    });
  }
});

describe("other native work a cell controls is charged before it runs", () => {
  it("Object.assign from many large sources: operation limit", async () => {
    const cell = "const big = Object.fromEntries(Object.entries(range(20000)))\nconst t = {}\nObject.assign(t, ...range(500).map(i => big))\nObject.keys(t).length";
    await expectStopped(cell, "E-ragsh-operation-limit", { maxOperations: 30_000, maxMemoryBytes: 1_000_000_000 });
  });

  it("object spread of a large object in a loop: operation limit", async () => {
    const cell = "const big = Object.fromEntries(Object.entries(range(20000)))\nlet n = 0\nfor (let i = 0; i < 500; i++) n += Object.keys({...big}).length";
    await expectStopped(cell, "E-ragsh-operation-limit", { maxOperations: 30_000, maxMemoryBytes: 1_000_000_000 });
  });

  it("unshift on a long list in a loop: operation limit", async () => {
    const cell = "const xs = range(100000)\nfor (let i = 0; i < 3000; i++) xs.unshift(0)\nxs.length";
    await expectStopped(cell, "E-ragsh-operation-limit", { maxOperations: 100_000 });
  });

  it("for…of over a long list is charged for the copy it iterates", async () => {
    const cell = "const xs = range(100000)\nlet n = 0\nfor (let i = 0; i < 100; i++) for (const v of xs) { n++; break }\nn";
    await expectStopped(cell, "E-ragsh-operation-limit", { maxOperations: 20_000 });
  });

  it("flatMap returning one long list per item stops at the budget, not after building them all", async () => {
    const cell = 'const big = range(100000)\nrange(200).flatMap(i => { print(i); return big }).length';
    const { r } = await expectStopped(cell, "E-ragsh-memory-limit", { maxMemoryBytes: 10_000_000 });
    expect(r.stdout.split("\n").filter(Boolean).length).toBeLessThan(20);
  });

  it("a list literal spreading one long list many times stops at the budget as it goes", async () => {
    const spreads = Array.from({ length: 60 }, () => "...p()").join(", ");
    const cell = `const big = range(100000)\nfn p() { print(1); return big }\nconst ys = [${spreads}]\nys.length`;
    const { r } = await expectStopped(cell, "E-ragsh-memory-limit", { maxMemoryBytes: 10_000_000 });
    expect(r.stdout.split("\n").filter(Boolean).length).toBeLessThan(20);
  });

  it("comparing two long strings is charged as work", async () => {
    const cell = 'const a = "y".repeat(200000)\nconst b = "y".repeat(200000)\nlet n = 0\nfor (let i = 0; i < 200; i++) if (a === b) n++\nn';
    await expectStopped(cell, "E-ragsh-operation-limit", { maxOperations: 20_000 });
  });

  it("spreading a long string into a list is charged before the list is built", async () => {
    const cell = 'const s = "y".repeat(400000)\nconst n = [...s].length';
    await expectStopped(cell, "E-ragsh-memory-limit", MEM);
  });
});

describe("new object keys and list slots are charged to the memory budget", () => {
  // A loop adding keys was bounded only by the operation count (tens of MB per cell).
  it("adding keys in a loop stops at the memory limit, not the operation limit", async () => {
    await expectStopped('const o = {}\nfor (let i = 0; i < 400000; i++) { o[i] = 1 }\n1', "E-ragsh-memory-limit", { maxMemoryBytes: 2_000_000, maxOperations: 50_000_000 });
  });
  it("appending by index stops at the memory limit", async () => {
    await expectStopped("const xs = []\nfor (let i = 0; i < 400000; i++) { xs[i] = i }\nxs.length", "E-ragsh-memory-limit", { maxMemoryBytes: 2_000_000, maxOperations: 50_000_000 });
  });
  it("overwriting an existing key or index costs no memory", async () => {
    const { r } = await attack('const o = {a: 0}\nconst xs = [0]\nfor (let i = 0; i < 200000; i++) { o.a = i; xs[0] = i }\n[o.a, xs[0]]', { maxMemoryBytes: 100_000, maxOperations: 50_000_000 });
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toEqual([199999, 199999]);
  });
});

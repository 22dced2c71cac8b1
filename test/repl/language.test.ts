/**
 * Every construct of `.ragsh` (`repl.md` §1), run through a session: the value of the
 * cell's last expression is compared with what the same code means in JavaScript.
 */
import { describe, expect, it } from "vitest";
import { codes, harness, runOnce } from "./helpers.js";

const cases: [string, string, unknown][] = [
  // declarations, assignment, semicolons optional
  ["let and const", "let a = 1; const b = 2\na + b", 3],
  ["several declarators", "let a = 1, b = a + 1\nb", 2],
  ["assignment operators", "let x = 10\nx += 5\nx -= 3\nx *= 2\nx /= 4\nx %= 4\nx", 2],
  ["update operators", "let i = 0\nlet a = i++\nlet b = ++i\nlet c = i--\n[a, b, c, i]", [0, 2, 2, 1]],
  ["object destructuring", "const {a, b: c} = {a: 1, b: 2}\n[a, c]", [1, 2]],
  ["list destructuring with a hole", "let [x, , z] = [1, 2, 3]\n[x, z]", [1, 3]],
  // if / else if / else, with and without parentheses
  ["if with parentheses", "let r = 0\nif (1 < 2) { r = 1 } else { r = 2 }\nr", 1],
  ["if without parentheses (Rhai)", "let r = 0\nif 1 > 2 { r = 1 } else if 2 > 1 { r = 2 } else { r = 3 }\nr", 2],
  ["if with a statement body", "let r = 0\nif (true) r = 5\nr", 5],
  // loops
  ["while", "let i = 0\nwhile (i < 5) i++\ni", 5],
  ["while without parentheses", "let i = 0\nwhile i < 3 { i += 1 }\ni", 3],
  ["for of", "let s = 0\nfor (const x of [1, 2, 3]) { s += x }\ns", 6],
  ["for of a string", "let out = []\nfor (const ch of \"ab\") out.push(ch)\nout", ["a", "b"]],
  ["for in (keys, as in JavaScript)", "let ks = []\nfor (const k in {a: 1, b: 2}) ks.push(k)\nks", ["a", "b"]],
  ["for x in xs (Rhai: values)", "let s = 0\nfor x in [1, 2, 3] { s += x }\ns", 6],
  ["C-style for", "let s = 0\nfor (let i = 0; i < 4; i++) { s += i }\ns", 6],
  ["break and continue", "let s = 0\nfor (const x of [1, 2, 3, 4, 5]) { if (x == 2) continue; if (x == 4) break; s += x }\ns", 4],
  ["destructuring in for of", "let out = []\nfor (const [k, v] of Object.entries({a: 1, b: 2})) out.push(k + v)\nout", ["a1", "b2"]],
  // functions
  ["fn declaration (Rhai)", "fn add(a, b) { return a + b }\nadd(2, 3)", 5],
  ["function declaration, hoisted", "let r = twice(4)\nfunction twice(x) { return x * 2 }\nr", 8],
  ["arrow with expression body", "const inc = x => x + 1\ninc(1)", 2],
  ["arrow with block body", "const f = (a, b) => { let c = a * b; return c + 1 }\nf(2, 3)", 7],
  ["Rhai closure", "let f = |x| x * 10\nf(3)", 30],
  ["Rhai closure without parameters", "let f = || 42\nf()", 42],
  ["function expression", "let f = function (x) { return -x }\nf(2)", -2],
  ["closures capture their scope", "fn counter() { let n = 0; return () => { n += 1; return n } }\nlet c = counter()\nc(); c()\nc()", 3],
  ["closures in loops keep their iteration's binding", "let fs = []\nfor (let i = 0; i < 3; i++) fs.push(() => i)\nlet gs = []\nfor (const x of [\"a\", \"b\"]) gs.push(() => x)\n[fs.map(f => f()), gs.map(g => g())]", [[0, 1, 2], ["a", "b"]]],
  ["closures in loops that call capabilities keep their binding too", "let fs = []\nfor (let i = 0; i < 2; i++) { fs.push(() => i); print(model_query({prompt: String(i)})) }\nfs.map(f => f())", [0, 1]],
  ["recursion", "fn fact(n) { return n <= 1 ? 1 : n * fact(n - 1) }\nfact(10)", 3628800],
  ["missing arguments are undefined", "fn f(a, b) { return b }\nf(1) === undefined", true],
  ["await and async are accepted and change nothing", "const f = async (x) => x\nawait f(3)", 3],
  // literals
  ["numbers", "[1, 2.5, 1e3, 0x10, .5]", [1, 2.5, 1000, 16, 0.5]],
  ["strings with escapes", "['a\\'b', \"c\\n\", \"\\u0041\\x42\"]", ["a'b", "c\n", "AB"]],
  ["template string", "let n = 2\n`${n} + ${n} = ${n + n}`", "2 + 2 = 4"],
  ["nested template string", "let xs = [1, 2]\n`items: ${xs.map(x => `<${x}>`).join(\"\")}`", "items: <1><2>"],
  ["multi-line template string", "`a\nb`", "a\nb"],
  ["objects with shorthand, computed keys, quoted keys", "let k = \"z\"\nlet a = 1\n({a, [k]: 2, \"q r\": 3, 4: 5})", { a: 1, z: 2, "q r": 3, "4": 5 }],
  ["Rhai object literal", "#{name: \"x\", n: 1}", { name: "x", n: 1 }],
  ["spread in lists and objects", "let a = [1, 2]\nlet o = {x: 1}\n[[...a, 3], {...o, y: 2}]", [[1, 2, 3], { x: 1, y: 2 }]],
  ["spread in call arguments", "Math.max(...[3, 9, 4])", 9],
  ["true false null", "[true, false, null]", [true, false, null]],
  // operators
  ["arithmetic precedence", "1 + 2 * 3 - 4 / 2 % 3", 5],
  ["comparison", "[1 < 2, 2 <= 2, 3 > 4, 4 >= 4]", [true, true, false, true]],
  ["== and != coerce like JavaScript", "[1 == \"1\", null == undefined, 0 != false]", [true, true, false]],
  ["=== and !==", "[1 === \"1\", 1 !== 1]", [false, false]],
  ["&& || ! short-circuit", "let n = 0\nfn bump() { n += 1; return true }\nfalse && bump(); true || bump()\n[n, !0, null || \"d\"]", [0, true, "d"]],
  ["?? keeps falsy values", "[null ?? 1, 0 ?? 1, \"\" ?? 1]", [1, 0, ""]],
  ["optional chaining", "let o = {a: {b: 1}}\n[o?.a?.b, o.x?.y, o.f?.(), o.x?.[0]]", [1, undefined, undefined, undefined]],
  ["conditional operator", "let n = 5\nn > 3 ? \"big\" : \"small\"", "big"],
  ["in operator", "[\"a\" in {a: 1}, \"b\" in {a: 1}]", [true, false]],
  ["typeof", "[typeof 1, typeof \"s\", typeof null, typeof [], typeof (x => x), typeof undefined]", ["number", "string", "object", "object", "function", "undefined"]],
  ["string concatenation", "\"n=\" + 1 + [2, 3]", "n=12,3"],
  ["member and index", "let o = {a: [10, 20]}\n[o.a[1], o[\"a\"].length, \"abc\"[1]]", [20, 2, "b"]],
  ["writes through member and index", "let o = {}\no.x = 1\no[\"y\"] = [0]\no.y[1] = 5\no", { x: 1, y: [0, 5] }],
  // methods from the safe list
  ["string methods", "let s = \"  Hello, World  \".trim()\n[s.toUpperCase(), s.toLowerCase(), s.split(\", \"), s.slice(0, 5), s.includes(\"World\"), s.startsWith(\"He\"), s.endsWith(\"d\"), s.replace(\"World\", \"you\"), s.length]",
    ["HELLO, WORLD", "hello, world", ["Hello", "World"], "Hello", true, true, true, "Hello, you", 12]],
  ["more string methods", "[\"ab\".repeat(2), \"a-b-c\".replaceAll(\"-\", \"+\"), \"7\".padStart(3, \"0\"), \"abc\".indexOf(\"c\"), \"abc\".len()]", ["abab", "a+b+c", "007", 2, 3]],
  ["list methods", "let xs = [3, 1, 2]\nxs.push(4)\n[xs.map(x => x * 2), xs.filter(x => x > 1), xs.reduce((a, b) => a + b, 0), xs.find(x => x > 2), xs.some(x => x > 3), xs.every(x => x > 0), xs.join(\"-\"), xs.length, xs.includes(2), xs.indexOf(2)]",
    [[6, 2, 4, 8], [3, 2, 4], 10, 3, true, true, "3-1-2-4", 4, true, 2]],
  ["sort with and without a comparator", "[[3, 1, 2].sort(), [10, 9, 1].sort((a, b) => a - b), [\"b\", \"a\"].sort()]", [[1, 2, 3], [1, 9, 10], ["a", "b"]]],
  ["slice, concat, flat, reverse, at", "[[1, 2, 3].slice(1), [1].concat([2], 3), [[1], [2, [3]]].flat(), [1, 2].reverse(), [1, 2, 3].at(-1)]", [[2, 3], [1, 2, 3], [1, 2, [3]], [2, 1], 3]],
  ["flat takes a depth, as JavaScript's", "[[1, [2, [3, [4]]]].flat(0), [1, [2, [3, [4]]]].flat(2), [1, [2, [3, [4]]]].flat(Infinity), [[]].flat()]", [[1, [2, [3, [4]]]], [1, 2, 3, [4]], [1, 2, 3, 4], []]],
  ["object methods", "let o = {a: 1, b: 2}\n[o.keys(), o.values(), o.entries(), o.len(), o.has(\"a\"), Object.keys(o)]", [["a", "b"], [1, 2], [["a", 1], ["b", 2]], 2, true, ["a", "b"]]],
  ["own properties win over method names", "let o = {keys: 7}\no.keys", 7],
  ["number methods", "[(3.14159).toFixed(2), (5).toString()]", ["3.14", "5"]],
  ["standard namespaces", "[Math.floor(2.7), Math.max(1, 5), Math.min([4, 2]), JSON.stringify({a: [1]}), JSON.parse(\"[1,2]\"), Object.fromEntries([[\"k\", 1]]), Array.isArray([])]", [2, 5, 2, "{\"a\":[1]}", [1, 2], { k: 1 }, true]],
  ["conversions and range", "[String(12), Number(\"3\"), Boolean(0), parseInt(\"42px\"), parseFloat(\"1.5\"), range(3), range(1, 7, 2)]", ["12", 3, false, 42, 1.5, [0, 1, 2], [1, 3, 5]]],
  ["comments", "// line\nlet x = 1 /* block */ + 1\nx", 2],
  ["block scopes", "let x = 1\n{ let x = 2 }\nx", 1],
];

describe(".ragsh constructs", () => {
  for (const [name, source, expected] of cases) {
    it(name, async () => {
      const r = await runOnce(source);
      expect(r.diagnostics, r.diagnostics.map((d) => `${d.code}: ${d.message}`).join("\n")).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.value).toEqual(expected);
    });
  }

  it("variables persist across cells; const stays constant", async () => {
    const h = harness();
    expect((await h.run("let total = 1\nconst fixed = 2")).variablesChanged).toEqual(["total", "fixed"]);
    expect((await h.run("total += 41\ntotal")).value).toBe(42);
    const r = await h.run("fixed = 3");
    expect(codes(r)).toEqual(["E-ragsh-const-assignment"]);
    expect(r.diagnostics[0].span.start).toMatchObject({ line: 1, column: 1 });
    expect((await h.run("fixed")).value).toBe(2);
  });

  it("assigning an undeclared name creates a session variable", async () => {
    const h = harness();
    expect((await h.run("fn setIt() { shared = 5 }\nsetIt()")).ok).toBe(true);
    expect((await h.run("shared")).value).toBe(5);
  });

  it("a function defined in one cell is callable in the next", async () => {
    const h = harness();
    await h.run("fn sq(x) { return x * x }");
    expect((await h.run("sq(7)")).value).toBe(49);
  });

  it("the cell's value is its last expression statement, undefined after a declaration", async () => {
    expect((await runOnce("1\nlet y = 2")).value).toBeUndefined();
    expect((await runOnce("let y = 2\ny * 2")).value).toBe(4);
  });

  it("print goes to stdout, values formatted", async () => {
    const r = await runOnce('print("a", 1, [1, "x"], {k: null})\nprint()');
    expect(r.stdout).toBe('a 1 [1, "x"] {k: null}\n\n');
  });

  it("reports run-time errors at the smallest span", async () => {
    const r = await runOnce("let o = null\nlet y = 1\ny + o.field");
    expect(codes(r)).toEqual(["E-ragsh-type-error"]);
    expect(r.diagnostics[0].message).toBe("cannot read `field` of null");
    expect(r.diagnostics[0].span.start).toMatchObject({ line: 3, column: 7 });
    expect(r.diagnostics[0].help).toContain("?.");
  });

  it("unknown methods get did-you-mean", async () => {
    const r = await runOnce("[1, 2].lenght");
    expect(codes(r)).toEqual(["E-ragsh-unknown-method"]);
    expect(r.diagnostics[0].help).toBe("did you mean `length`?");
    expect((await runOnce("Math.flor(1)")).diagnostics[0].help).toBe("did you mean `Math.floor`?");
  });

  it("lists are dense and their length is read-only", async () => {
    expect(codes(await runOnce("let xs = []\nxs[5] = 1"))).toEqual(["E-ragsh-type-error"]);
    expect(codes(await runOnce("let xs = [1]\nxs.length = 0"))).toEqual(["E-ragsh-type-error"]);
    expect((await runOnce("let xs = [1]\nxs[1] = 2\nxs")).value).toEqual([1, 2]);
  });

  it("iterating an object with of is an error that says what to do", async () => {
    const r = await runOnce("for (const x of {a: 1}) {}");
    expect(codes(r)).toEqual(["E-ragsh-type-error"]);
    expect(r.diagnostics[0].help).toContain("Object.entries");
  });

  it("a callback may call capabilities (map over model calls)", async () => {
    const r = await runOnce('["a", "b"].map(x => model_query({prompt: x}))');
    expect(r.value).toEqual(["echo: a", "echo: b"]);
    expect(r.calls.map((c) => c.capability)).toEqual(["model_query", "model_query"]);
  });
});

describe("list methods taking many arguments (a spread of a long list)", () => {
  // 300,000 items: more arguments than a native call's stack takes (`a.push(...args)` threw
  // RangeError, reported as E-ragsh-depth-limit "recursed too deeply"), yet a few MB of budget.
  const BIG = 'const big = range(300000)\n';
  const cases: [string, string, unknown][] = [
    ["push(...big)", "const t = [-1]\nconst n = t.push(...big)\n[n, t[0], t[1], t[300000]]", [300001, -1, 0, 299999]],
    ["unshift(...big)", "const t = [-1]\nconst n = t.unshift(...big)\n[n, t[0], t[299999], t[300000]]", [300001, 0, 299999, -1]],
    ["splice(1, 1, ...big)", "const t = [-1, -2, -3]\nconst removed = t.splice(1, 1, ...big)\n[removed, t.length, t[0], t[1], t[300000], t[300001]]", [[-2], 300002, -1, 0, 299999, -3]],
    ["splice(-1, 0, ...big)", "const t = [-1, -2]\nt.splice(-1, 0, ...big)\n[t.length, t[0], t[1], t[300001]]", [300002, -1, 0, -2]],
    ["splice(99, 0, ...big) past the end", "const t = [-1]\nt.splice(99, 0, ...big)\n[t.length, t[0], t[1]]", [300001, -1, 0]],
    ["concat(...big)", "const t = [-1].concat(...big)\n[t.length, t[0], t[300000]]", [300001, -1, 299999]],
  ];
  for (const [name, src, expected] of cases) {
    it(name, async () => {
      const r = await runOnce(BIG + src);
      expect(codes(r)).toEqual([]);
      expect(r.value).toEqual(expected);
    });
  }

  it("small calls keep JavaScript's results", async () => {
    const r = await runOnce("const a = [1, 2, 3, 4]\nconst r1 = a.splice(1, 2, 9, 8, 7)\nconst b = [1]\nconst n = b.unshift(5, 6)\n[a, r1, b, n, [1].concat(2, [3, [4]]), [1, 2].splice(-5), [1, 2, 3].splice(1)]");
    expect(r.value).toEqual([[1, 9, 8, 7, 4], [2, 3], [5, 6, 1], 3, [1, 2, 3, [4]], [1, 2], [2, 3]]);
  });
});

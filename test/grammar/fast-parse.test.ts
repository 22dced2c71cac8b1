/**
 * The hand-written fast path of `parseRag` (grammar/rag/fast-parse.ts) against the
 * Chevrotain path (`parseRag(…, { fastPath: false })`), differentially: for every `.rag`
 * file of the repository, the compiler benchmark's generated inputs, 1,500 random
 * mutants of them and generated programs, the fast path either declines (returns
 * `undefined`) or returns exactly the Chevrotain path's Program — every node, span and
 * comment, with the keys in the same order (ASTs are serialized: golden files, caches) —
 * and only when that path reports no diagnostic. `parseRag` with and without the fast path
 * must therefore give the same results, diagnostics included.
 */
import { readdirSync, readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateGraph, manyGraphs } from "../../bench/compiler/generate.js";
// mulberry32, seeded: failures reproduce.
import { rng } from "../../bench/fuzz/mutate.js";
import { fastParseRag } from "../../grammar/rag/fast-parse.js";
import { resolveLimits } from "../../grammar/rag/limits.js";
import { parseRag } from "../../grammar/rag/parse.js";
import { formatRag } from "../../grammar/format/index.js";
import { LineIndex } from "../../grammar/span.js";
import { compatSources } from "../../bench/fuzz/corpus.js";
import { itShared } from "../helpers/shared.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function ragFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(".rag") && !e.parentPath.includes("node_modules")) out.push(`${e.parentPath}/${e.name}`);
  }
  return out.sort();
}

const read = (f: string) => readFileSync(f, "utf8");
const examples = ragFiles(`${ROOT}examples`).map((f) => ({ name: f.slice(ROOT.length), src: read(f) }));
const fixtures = ragFiles(`${ROOT}test`).map((f) => ({ name: f.slice(ROOT.length), src: read(f) }));

function fast(src: string, limits = resolveLimits()) {
  return fastParseRag(src, new LineIndex(src), limits);
}

/**
 * Checks one input: the fast path declines, or it matches the Chevrotain path exactly on
 * input that path parses without a diagnostic. Returns whether the fast path took it.
 */
function agree(src: string): boolean {
  const f = fast(src);
  // A declined input needs no comparison: Chevrotain (the slow part, ~70 ms for a
  // 120-node graph) runs only on what the fast path took.
  if (f === undefined) return false;
  const slow = parseRag(src, { fastPath: false });
  if (slow.diagnostics.length > 0 || !isDeepStrictEqual(f, slow.value) || JSON.stringify(f) !== JSON.stringify(slow.value)) {
    // the full comparison, for a readable failure
    expect({ diagnostics: slow.diagnostics.map((d) => `${d.code} ${d.message}`), program: f }).toStrictEqual({ diagnostics: [], program: slow.value });
  }
  return true;
}

describe("fast path: the repository's .rag files", () => {
  it("takes every example (also with CRLF line ends) and builds the Chevrotain path's AST", () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const { name, src } of examples.flatMap((x) => [x, { name: `${x.name} (CRLF)`, src: x.src.replace(/\n/g, "\r\n") }])) {
      const f = fast(src);
      expect(f, `fast path declined ${name}`).toBeDefined();
      const slow = parseRag(src, { fastPath: false }).value;
      expect(f).toStrictEqual(slow);
      expect(JSON.stringify(f, null, 1)).toBe(JSON.stringify(slow, null, 1));
    }
  });

  it("agrees with the Chevrotain path on every test fixture (and declines the ones with diagnostics)", () => {
    let taken = 0;
    for (const { name, src } of fixtures) {
      const slow = parseRag(src, { fastPath: false });
      const f = fast(src);
      if (slow.diagnostics.length > 0) expect(f, `${name} has diagnostics`).toBeUndefined();
      else if (f !== undefined) {
        expect(f, name).toStrictEqual(slow.value);
        expect(JSON.stringify(f, null, 1), name).toBe(JSON.stringify(slow.value, null, 1));
        taken++;
      }
    }
    // every clean fixture today is in the fast path's subset
    expect(taken).toBeGreaterThanOrEqual(30);
  });

  // The compatibility corpus (../shared, read in place; skipped with the reason printed in a fresh clone).
  itShared("agrees with the Chevrotain path on every source of the compatibility corpus", () => {
    const sources = compatSources();
    expect(sources.length).toBeGreaterThanOrEqual(150);
    let taken = 0;
    for (const src of sources) if (agree(src)) taken++;
    expect(taken).toBeGreaterThan(0);
  });

  it("takes the compiler benchmark's inputs (10,000 nodes, 20,000 graphs) and parses their shapes as Chevrotain does", () => {
    // The full-size inputs must not fall back; the generator repeats its node shapes every
    // 8 nodes (route thresholds every 50), so 1,000 nodes and 2,000 graphs hold every
    // shape for the differential check, which runs Chevrotain (slow on 60k lines).
    expect(fast(generateGraph(10_000))).toBeDefined();
    expect(fast(manyGraphs(20_000))).toBeDefined();
    for (const src of [generateGraph(1_000), manyGraphs(2_000)]) {
      const f = fast(src);
      expect(f).toBeDefined();
      const slow = parseRag(src, { fastPath: false }).value;
      expect(isDeepStrictEqual(f, slow)).toBe(true);
      expect(JSON.stringify(f) === JSON.stringify(slow)).toBe(true);
    }
  });

  it("agrees on spans wider than its position cache and on more distinct words than its word table starts with", () => {
    // fast-expr.ts caches the positions of the last 1,024 tokens and fast-scan.ts interns
    // words in a table of 1,024 slots that grows: a node of 3,000 list tokens and 2,000
    // distinct tool names exercises the eviction and the growth.
    const tools = Array.from({ length: 2_000 }, (_, i) => `t${i}_${(i * 7919) % 1000}`);
    const src = `graph g {\n  start a\n  node a {\n    kind agent\n    model "m"\n    tools [${tools.join(", ")}]\n    next END\n  }\n}\n`;
    const f = fast(src);
    expect(f).toBeDefined();
    expect(agree(src)).toBe(true);
  });

  it("parseRag gives the same result with and without the fast path (diagnostics included)", () => {
    for (const { src } of [...examples, ...fixtures]) {
      expect(JSON.stringify(parseRag(src, { file: "x.rag" }))).toBe(JSON.stringify(parseRag(src, { file: "x.rag", fastPath: false })));
    }
  });
});

describe("a reducer before a field named like a type (issue 15 audit)", () => {
  // `messages`, `list` and `map` are type words and field names; after `integer sum` they
  // start the next field (they are followed by `:`), not a colon-less field named `sum`.
  const fields = ["n: integer sum\n    messages: messages", "n: integer append\n    list: list<string>", "n: number max\n    map: map<number>"];
  for (const block of fields) {
    it(block.replace(/\s+/g, " "), () => {
      const src = `graph g {\n  start a\n  state {\n    ${block}\n  }\n  node a { next END }\n}\n`;
      const slow = parseRag(src, { fastPath: false });
      expect(slow.diagnostics.map((d) => d.message)).toEqual([]);
      const state = slow.value.items[0]?.kind === "GraphDecl" ? slow.value.items[0].items.find((i) => i.kind === "StateItem") : undefined;
      const shape = state?.kind === "StateItem" ? state.fields.map((f) => `${f.name.name}:${f.reducer?.name.name ?? "-"}`) : [];
      expect(shape).toEqual([`n:${block.split("\n")[0]!.split(" ").at(-1)}`, `${block.split("\n")[1]!.trim().split(":")[0]}:-`]);
      expect(fast(src), "the fast path builds the same AST").toStrictEqual(slow.value);
      const out = formatRag(src).value;
      expect(out && parseRag(out).diagnostics, "the formatted text parses again").toEqual([]);
    });
  }
});

describe("fast path: inputs it must decline", () => {
  const base = "graph g {\n  start a\n  node a {\n    kind model\n    model \"m\"\n    prompt \"Hi {{ state.x }}\"\n    next END\n  }\n}\n";
  const cases: [string, string][] = [
    ["hash comment", base.replace("start a", "start a # no")],
    ["unterminated string", base.replace('"m"', '"m')],
    ["invalid escape", base.replace('"m"', '"\\q"')],
    ["unterminated block comment", base + "/* open"],
    ["invalid character", base.replace("kind model", "kind mödel")],
    ["unknown node item", base.replace("kind model", "knd model")],
    ["unknown wait policy", base.replace("next END", "join b wait most")],
    ["fractional duration", base.replace("next END", "timeout 1.5s\n    next END")],
    ["unclosed interpolation", base.replace("{{ state.x }}", "{{ state.x")],
    ["empty interpolation", base.replace("{{ state.x }}", "{{ }}")],
    ["bad interpolation", base.replace("{{ state.x }}", "{{ a b }}")],
    ["comprehension without an element", base.replace("next END", "set { x: count(for y in z) }\n    next END")],
    ["two comprehension elements", base.replace("next END", "set { x: [a, b for y in z] }\n    next END")],
    ["missing brace", base.slice(0, -2)],
    ["nesting beyond the limit", base.replace("next END", `set { x: ${"[".repeat(70)}1${"]".repeat(70)} }\n    next END`)],
    ["channel without a reducer", "graph g { start a channel c node a { next END } }"],
    ["string pattern type", "graph g { start a state { s: string(/^a$/) } node a { next END } }"],
  ];
  it.each(cases)("%s", (_, src) => {
    expect(fast(src)).toBeUndefined();
    expect(parseRag(src)).toStrictEqual(parseRag(src, { fastPath: false }));
  });

  it("declines over a lowered nesting limit, string length limit or type-suffix limit", () => {
    const src = 'graph g { start a state { t: string?[]?[] } node a { set { x: [[[1]]] } next END } }';
    expect(fast(src)).toBeDefined();
    expect(fast(src, resolveLimits({ nestingDepth: 3 }))).toBeUndefined();
    expect(fast(src, resolveLimits({ stringLength: 2 }))).toBeDefined();
    expect(fast(src.replace("next END", 'model "abc" next END'), resolveLimits({ stringLength: 4 }))).toBeUndefined();
    for (const limits of [{ nestingDepth: 3 }, { stringLength: 4 }]) {
      const s = src.replace("next END", 'model "abc" next END');
      expect(parseRag(s, { limits })).toStrictEqual(parseRag(s, { limits, fastPath: false }));
    }
  });
});

// ─────────────────────────────── random mutants ───────────────────────────────

const TOKEN = /"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\/\/[^\n]*|\/\*[\s\S]*?\*\/|\d+(?:\.\d+)?[A-Za-z]*|[A-Za-z_]\w*|->|==|!=|<=|>=|&&|\|\||\s+|[\s\S]/g;

const JUNK = [
  "{", "}", "[", "]", "(", ")", ",", ";", ":", "->", "-", "+", "*", "/", "%", "!", "?", "|", "=", "==", "<", ">", "&&", "||", "#", "@", "&", '"', "'", '"""',
  "START", "END", "true", "false", "null", "not", "and", "or", "in", "for", "if", "when", "else", "start", "state", "node", "routes", "route", "set", "send", "sends",
  "join", "wait", "all", "concurrency", "parent", "goto", "update", "command", "list<", "map<", "string(", "number(0..1)", "1.5s", "10ms", "2k", "3M", "1e3", "0..1", "-1",
  '"{{ x }}"', '"{{ a.b }}"', '"{{ not x }}"', '"{{ -1 }}"', '"{{ }}"', '"{{ x "', '"a\\{{b"', '"\\q"', '"\\u{41}"', '"\\u0041"', "'s'", '"""\n  t {{ x }}\n"""',
  "/* c */", "// c\n", "x", "a.b", "f(x)", "f(x, y)", "[x for x in y]", "[x for x in y if z]", "count(x for x in y)", "{ a: 1 }", "{ a 1; b: [2] }", "channel", "messages",
  "append", "named_barrier [a, b]", "barrier 2", "string[]", "string?", "/^a$/", "x == 1", "not x", "! x", "a - -1", "- 1", "x in y", "a[0]", "kind", "model", "prompt",
  "system", "tools", "writes", "next", "timeout", "retry", "cache", "blocking", "defer", "on_error", "steering", "human", "allow", "delivery", "interrupt", "before",
  "checkpoint", "input", "output", "resume", "attach", "budget", "defaults", "metadata", "tags", "schema", "agent", "graph", "max_steps", "\u00a0", "\ufeff", "\r\n",
];

/** `src` with 1–3 random token edits: delete, duplicate, swap, insert junk, replace a word. */
function mutate(src: string, rnd: () => number): string {
  const toks = src.match(TOKEN) ?? [];
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const edits = 1 + Math.floor(rnd() * 3);
  for (let e = 0; e < edits && toks.length > 0; e++) {
    const i = Math.floor(rnd() * toks.length);
    switch (Math.floor(rnd() * 6)) {
      case 0:
        toks.splice(i, 1);
        break;
      case 1:
        toks.splice(i, 0, toks[i]);
        break;
      case 2: {
        const j = Math.min(toks.length - 1, i + 1 + Math.floor(rnd() * 3));
        [toks[i], toks[j]] = [toks[j], toks[i]];
        break;
      }
      case 3:
      case 4:
        toks.splice(i, 0, pick([" ", "", "\n"]) + pick(JUNK) + pick([" ", "", "\n"]));
        break;
      default:
        if (/^[A-Za-z_]/.test(toks[i])) toks[i] = pick(JUNK);
        else if (toks[i].startsWith('"') && toks[i].length >= 2) toks[i] = toks[i].slice(0, -1) + pick(["{{ x }}", "{{ a.b }}", "{{ f(x) }}", "\\n", "\\{{", "{{ 1 + 2 }}", "{{ [x for x in y] }}"]) + toks[i].slice(-1);
        else toks.splice(i, 1);
    }
  }
  return toks.join("");
}

describe("fast path: random mutants", () => {
  const seeds = [...examples, ...fixtures].map((x) => x.src).concat([generateGraph(120, "gen"), manyGraphs(5)]);

  it("declines or agrees on 1,500 mutants of the corpus (and takes a good share of them)", () => {
    const rnd = rng(20261206);
    let taken = 0;
    for (let n = 0; n < 1500; n++) {
      const m = mutate(seeds[n % seeds.length], rnd);
      try {
        if (agree(m)) taken++;
      } catch (e) {
        throw new Error(`mutant ${n} disagrees:\n${m}\n${(e as Error).message}`);
      }
    }
    expect(taken).toBeGreaterThan(100);
  });
});

// ─────────────────────────────── generated programs ───────────────────────────────

const name = fc.constantFrom("a", "b", "state", "input", "args", "x", "items", "kind", "next", "join", "model", "when", "in", "or", "and", "count", "len", "not", "for");
const literal = fc.constantFrom("1", "0", "2.5", "1e3", "2k", "3M", "30s", "250ms", "1.5s", '"s"', "'q'", '"a\\nb"', '"""\n  t\n"""', "true", "false", "null");
const ws = fc.constantFrom(" ", "", "\n", "  ", " // c\n", " /* c */ ");
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    name,
    literal,
    fc.tuple(tie("e"), fc.constantFrom("==", "!=", "<", "<=", ">", ">=", "in", "+", "-", "*", "/", "%", "and", "or", "&&", "||"), tie("e"), ws).map(([a, op, b, w]) => `${a}${w}${op} ${b}`),
    fc.tuple(fc.constantFrom("not ", "!", "-", "- ", "not not "), tie("e")).map(([op, a]) => op + a),
    fc.tuple(tie("e"), name).map(([a, p]) => `${a}.${p}`),
    fc.tuple(tie("e"), tie("e")).map(([a, i]) => `${a}[${i}]`),
    fc.tuple(name, fc.array(tie("e"), { maxLength: 3 })).map(([f, xs]) => `${f}(${xs.join(", ")})`),
    fc.array(tie("e"), { maxLength: 3 }).map((xs) => `[${xs.join(", ")}]`),
    fc.tuple(tie("e"), name, tie("e"), fc.option(tie("e"))).map(([el, v, it, f]) => `[${el} for ${v} in ${it}${f === null ? "" : ` if ${f}`}]`),
    fc.tuple(tie("e"), name, tie("e")).map(([el, v, it]) => `count(${el} for ${v} in ${it})`),
    fc.array(fc.tuple(name, tie("e")), { maxLength: 3 }).map((es) => `{ ${es.map(([k, v]) => `${k}: ${v}`).join(", ")} }`),
    tie("e").map((a) => `(${a})`),
  ),
})).e;
const value: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    literal,
    name,
    fc.constantFrom("-1", "- 2.5"),
    fc.array(tie("v"), { maxLength: 3 }).map((xs) => `[${xs.join(", ")}]`),
    fc.array(fc.tuple(name, tie("v"), fc.constantFrom(": ", " ", ":")), { maxLength: 3 }).map((es) => `{ ${es.map(([k, v, c]) => `${k}${c}${v}`).join("; ")} }`),
    fc.tuple(name, fc.array(tie("v"), { maxLength: 2 })).map(([w, xs]) => `${w} [${xs.join(" ")}]`),
  ),
})).v;
const type: fc.Arbitrary<string> = fc.letrec<{ t: string }>((tie) => ({
  t: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom("string", "number", "integer", "boolean", "any", "messages", "Custom", "number(0..1)", "integer(1..)", "number(-1.5..2k)", '"a" | "b"'),
    tie("t").map((t) => `list<${t}>`),
    fc.tuple(tie("t"), tie("t")).map(([a, b]) => `map<${a}, ${b}>`),
    fc.tuple(tie("t"), fc.constantFrom("[]", "?", "?[]", "[]?")).map(([t, s]) => t + s),
    fc.array(fc.tuple(name, tie("t")), { maxLength: 2 }).map((fs) => `{ ${fs.map(([n, t]) => `${n}: ${t}`).join(", ")} }`),
  ),
})).t;
const field = fc.tuple(name, fc.constantFrom(": ", " "), type, fc.constantFrom("", " append", " sum", " barrier 2", " named_barrier [a, b]", " messages"), fc.option(value)).map(
  ([n, c, t, r, d]) => `${n}${c}${t}${r}${d === null ? "" : ` = ${d}`}`,
);
const template = fc.tuple(fc.constantFrom('"', '"""\n  '), fc.array(fc.oneof(fc.constantFrom("text ", "\\{{ ", "a\\\"b "), expr.map((e) => `{{ ${e.replace(/"/g, "'").replace(/\n/g, " ")} }}`)), { maxLength: 3 })).map(
  ([q, parts]) => (q === '"' ? `"${parts.join("").replace(/\n/g, " ")}"` : `"""\n  ${parts.join("").replace(/\\"/g, '"')}\n"""`),
);
const nodeItem = fc.oneof(
  fc.constantFrom("kind model", 'model "m"', "next END", "next [a, b END]", "tools []", 'tools ["t", x]', "blocking", "optional false", "defer true", "cache true", "retry { max 3, backoff: 2s }", "timeout 30s", "timeout 5", 'timeout "5s"', "max_steps 6", "on_error -> b", "on_error END", "checkpoint none", "join b", "join b wait all", "join b wait 2", "output Out", "resume { ok: boolean }", 'input "x"', "writes w", 'sends [send a "i", send b]', "steering { parent allow [a] human allow [b]; delivery \"d\" }", "command { goto parent.b update { x: 1 } }", "command { goto END }"),
  template.map((t) => `prompt ${t}`),
  template.map((t) => `system ${t}`),
  fc.array(fc.tuple(name, expr), { maxLength: 3 }).map((es) => `set { ${es.map(([k, e]) => `${k}: ${e}`).join(", ")} }`),
  fc.array(fc.tuple(name, expr), { maxLength: 2 }).map((es) => `writes { ${es.map(([k, e]) => `${k} ${e}`).join("; ")} }`),
  fc.array(fc.tuple(fc.constantFrom("when", "lbl", "else"), expr, name), { maxLength: 3 }).map((rs) => `routes { ${rs.map(([k, e, t]) => (k === "when" ? `when ${e} -> ${t}` : `${k} -> ${t}`)).join("\n")} }`),
  fc.tuple(name, fc.option(expr), fc.boolean()).map(([t, it, into]) => `send [${t} { item: x }${it === null ? "" : ` for x in ${it}`}${into ? " -> ch" : ""}] concurrency 2`),
  fc.array(field, { maxLength: 3 }).map((fs) => `output { ${fs.join("\n")} }`),
  fc.array(value, { maxLength: 3 }).map((vs) => `options [${vs.join(", ")}]`),
);
const graphItem = fc.oneof(
  fc.constantFrom("start a", "start -> a", "a -> b -> END", "START -> a", "channel c append", "channel m messages", "channel b barrier 2", "tags [x, \"y\"]", "allow tools [\"s\"]", "join [a, \"b\"] -> c", "interrupt before [a]", "interrupt manual", "checkpoint sync", "start routes { when x -> a else -> b }", "budget { tokens: 50k }"),
  fc.array(field, { maxLength: 3 }).map((fs) => `state { ${fs.join("\n")} }`),
  fc.array(field, { maxLength: 2 }).map((fs) => `input { ${fs.join(", ")} }`),
  fc.array(fc.tuple(name, value), { maxLength: 3 }).map((es) => `defaults { ${es.map(([k, v]) => `${k}: ${v}`).join("\n")} }`),
  fc.tuple(name, fc.array(nodeItem, { maxLength: 4 }), ws).map(([n, items, w]) => `node ${n} {${w}${items.join("\n")}${w}}`),
);
const program = fc.tuple(fc.array(graphItem, { maxLength: 5 }), fc.array(field, { maxLength: 2 }), fc.array(nodeItem, { maxLength: 2 })).map(
  ([items, fields, agentItems]) => `graph g {\n${items.join("\n")}\n}\nschema S { ${fields.join(", ")} }\nagent ag { ${agentItems.join("; ")} }\n`,
);

describe("fast path: generated programs", () => {
  it("declines or agrees on generated programs", () => {
    let taken = 0;
    fc.assert(
      fc.property(program, (src) => {
        if (agree(src)) taken++;
      }),
      { numRuns: 400, seed: 6120 },
    );
    expect(taken).toBeGreaterThan(40);
  });

  it("declines or agrees on generated expressions in every expression position", () => {
    let taken = 0;
    let interpolations = 0;
    fc.assert(
      fc.property(expr, (e) => {
        const flat = e.replace(/"""\n  t\n"""/g, '"t"');
        if (agree(`graph g { start a node a { set { x: ${e} } routes { when ${e} -> END } } }`)) taken++;
        if (agree(`graph g { start a node a { prompt "{{ ${flat.replace(/"/g, "'").replace(/\n/g, " ")} }}" next END } }`)) interpolations++;
      }),
      { numRuns: 400, seed: 7 },
    );
    expect(taken).toBeGreaterThan(100);
    expect(interpolations).toBeGreaterThan(100);
  });
});

describe("fast path: module graph", () => {
  it("does not load Chevrotain (or the modules that do)", () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = read(file);
      for (const m of text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+"([^"]+)"/gms)) {
        const spec = m[1];
        expect(spec, `${file} imports ${spec}`).not.toMatch(/chevrotain/);
        if (spec.startsWith(".")) visit(fileURLToPath(new URL(spec.replace(/\.js$/, ".ts"), `file://${file}`)));
      }
    };
    visit(`${ROOT}grammar/rag/fast-parse.ts`);
    const names = [...seen].map((f) => f.slice(ROOT.length));
    expect(names).toContain("grammar/rag/fast-scan.ts");
    expect(names.filter((n) => /lexer|parser|tokens|build-/.test(n))).toEqual([]);
  });
});

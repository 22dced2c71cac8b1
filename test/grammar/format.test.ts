/**
 * The formatter (`rag fmt`, issue 3 §5): goldens for layout, comments, the reference
 * dialect and strings; canonical spellings; refusal of files with syntax errors.
 * Hash preservation over every example and compat case is in test/compiler/format.test.ts.
 */
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalReducer, compile, formatSource, KIND_ALIASES } from "../../compiler/index.js";
import { formatRag, KIND_CANONICAL, parseRag, REDUCER_CANONICAL, type Ast as A, type Span } from "../../grammar/index.js";
import { exprText } from "../../grammar/format/expr.js";
import { expectGolden } from "../helpers/golden.js";

const dir = new URL("./format/", import.meta.url).pathname;
const S: Span = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
const inputs = readdirSync(dir).filter((f) => f.endsWith(".rag") && !f.endsWith(".expected.rag"));

const fmt = (src: string): string => {
  const r = formatRag(src);
  if (r.value === undefined) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column} ${d.message}`).join("; "));
  return r.value;
};

describe("formatter goldens", () => {
  it("has golden inputs", () => expect(inputs.sort()).toEqual(["comments.rag", "layout.rag", "reference.rag", "strings.rag"]));
  for (const f of inputs) {
    it(f, () => {
      const src = readFileSync(dir + f, "utf8");
      const out = fmt(src);
      expectGolden(dir + f.replace(/\.rag$/, ".expected.rag"), out);
      expect(fmt(out), "idempotent").toBe(out);
      expect(formatSource(src).value, "verified: same hashes and comments").toBe(out);
    });
  }
});

describe("formatter goldens for every area of the language", () => {
  // The lowering inputs (test/compiler/lower) hold every construct; their formatted text is pinned here.
  const lowerDir = new URL("../compiler/lower/", import.meta.url).pathname;
  for (const f of readdirSync(lowerDir).filter((x) => x.endsWith(".rag"))) {
    it(f, () => {
      const out = fmt(readFileSync(lowerDir + f, "utf8"));
      expectGolden(`${dir}lower-${f.replace(/\.rag$/, ".expected.rag")}`, out);
      expect(fmt(out)).toBe(out);
    });
  }
});

describe("canonical spellings", () => {
  it("kind and reducer aliases agree with the compiler's tables", () => {
    expect(KIND_CANONICAL).toEqual(KIND_ALIASES);
    for (const [alias, canon] of Object.entries(REDUCER_CANONICAL)) expect(canonicalReducer(alias)).toBe(canon);
  });

  const node = (body: string) => fmt(`graph g { start a node a { ${body} } }`).split("\n").slice(3, -3).map((l) => l.trim());
  it("rewrites kind aliases, reference `model` meanings and bare flags", () => {
    expect(node(`kind sub_agent agent "x" blocking`)).toEqual(["kind subagent", 'agent "x"', "blocking true"]);
    expect(node(`kind human options ["a"]`)).toEqual(["kind interrupt", 'options ["a"]']);
    expect(node(`kind graph model "sub"`)).toEqual(["kind subgraph", 'graph "sub"']);
    expect(node(`kind router model "pick"`)).toEqual(["kind router", 'route "pick"']);
    // `model` beside `graph` is an extra model binding, not the graph.
    expect(node(`kind subgraph graph "s" model "m"`)).toEqual(["kind subgraph", 'graph "s"', 'model "m"']);
  });
  it("writes durations, `on_error ->`, `send` and single `next` canonically", () => {
    expect(node(`timeout 30 on_error b`)).toEqual(["timeout 30s", "on_error -> b"]);
    expect(node(`timeout "90s"`)).toEqual(["timeout 90s"]);
    expect(node(`timeout "2h"`)).toEqual(["timeout 2h"]);
    expect(node(`timeout 0.25`)).toEqual(["timeout 250ms"]);
    expect(node(`timeout 2500ms`)).toEqual(["timeout 2500ms"]);
    expect(node(`sends [send b "in", send c] next [d]`)).toEqual(['send [b "in", c]', "next d"]);
  });
  it("writes colons in blocks, I/O and maps, and canonical reducers", () => {
    const out = fmt(`graph g { start a input { q string } defaults { limit 5 } channel c last_write channel d reducer "f" 2 node a { command { update { k "v" } } } }`);
    expect(out).toContain("input { q: string }");
    expect(out).toContain("defaults { limit: 5 }");
    expect(out).toContain("channel c overwrite");
    expect(out).toContain('channel d aggregate "f" 2');
    expect(out).toContain('command { update { k: "v" } }');
  });
  it("keeps string contents byte for byte, switching to double quotes only when that changes nothing", () => {
    expect(node(`prompt 'a {{ x }} b'`)).toEqual(['prompt "a {{ x }} b"']);
    expect(node(`prompt 'say "hi"'`)).toEqual([`prompt 'say "hi"'`]);
    expect(node(`prompt 'it\\'s'`)).toEqual([`prompt 'it\\'s'`]);
    const triple = 'graph g { start a node a { system """\n      keep   this\n    exactly\n  """ } }';
    expect(fmt(triple)).toContain('system """\n      keep   this\n    exactly\n  """');
  });
  it("parenthesizes by precedence and keeps unary minus apart from negative literals", () => {
    const when = (e: string) => node(`routes { when ${e} -> END }`)[1];
    // `not` binds looser than comparisons: `not c == d` is `not (c == d)`.
    expect(when("(a or b) and not (c == d)")).toBe("when (a or b) and not c == d -> END");
    expect(when("(not a) == b")).toBe("when (not a) == b -> END");
    expect(when("a - (b - c)")).toBe("when a - (b - c) -> END");
    expect(when("(a - b) - c")).toBe("when a - b - c -> END");
    expect(when("-(3) == -3")).toBe("when - 3 == -3 -> END");
    expect(when("(-3).x")).toBe("when (-3).x -> END");
    expect(when("!a && b || c")).toBe("when not a and b or c -> END");
  });
  it("puts a comma before a map key that would continue an expression", () => {
    const out = fmt(`graph g { start a node a { set {\n x: y,\n in: 2,\n and: 3 } } }`);
    expect(out).toContain("x: y,\n      in: 2,\n      and: 3\n");
    expect(parseRag(out).diagnostics).toEqual([]);
  });
  it("breaks a one-line group that does not fit the width", () => {
    const tools = Array.from({ length: 12 }, (_, i) => `"tool_number_${i}"`).join(", ");
    const out = fmt(`graph g { start a node a { tools [${tools}] } }`);
    expect(out).toContain('tools [\n      "tool_number_0",\n');
    expect(Math.max(...out.split("\n").map((l) => l.length))).toBeLessThanOrEqual(100);
  });
});

describe("refusal", () => {
  it("refuses a file with syntax errors and returns every error", () => {
    const r = formatRag("graph g {\n  start a\n  node a { bogus 1 }\n  node b { frob 2 }\n}\n");
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((d) => `${d.code}@${d.span.start.line}`)).toEqual(["E-rag-unexpected-token@3", "E-rag-unexpected-token@4"]);
  });
  it("formats a file with semantic errors (they are not the formatter's business)", () => {
    const src = "graph g { start ghost node a { next nowhere } }";
    expect(compile(src).diagnostics.some((d) => d.severity === "error")).toBe(true);
    expect(formatSource(src).value).toBe("graph g {\n  start ghost\n  node a {\n    next nowhere\n  }\n}\n");
  });
  it("formats empty and comment-only files", () => {
    expect(fmt("")).toBe("");
    expect(fmt("  \n\n")).toBe("");
    expect(fmt("// only\n\n\n/* two */")).toBe("// only\n\n/* two */\n");
  });
});

describe("expression printing round-trips", () => {
  // Random expression trees (as the parser builds them) print to text that parses back to the same tree.
  const name = fc.constantFrom("state", "input", "args", "x", "items");
  const { expr } = fc.letrec<{ expr: A.Expr }>((tie) => ({
    expr: fc.oneof(
      { depthSize: "small" },
      fc.integer({ min: -50, max: 50 }).map((v): A.Expr => ({ kind: "Number", value: v, raw: String(v), span: S })),
      name.map((n): A.Expr => ({ kind: "Name", name: n, span: S })),
      fc.constantFrom("a", "it's", 'say "hi"').map((v): A.Expr => ({ kind: "String", value: v, quote: '"', raw: JSON.stringify(v), span: S })),
      fc.boolean().map((v): A.Expr => ({ kind: "Boolean", value: v, span: S })),
      fc.constant<A.Expr>({ kind: "Null", span: S }),
      fc.tuple(tie("expr"), fc.constantFrom("a", "b")).map(([o, p]): A.Expr => ({ kind: "Member", object: o, property: { kind: "Identifier", name: p, span: S }, span: S })),
      fc.tuple(tie("expr"), tie("expr")).map(([o, i]): A.Expr => ({ kind: "Index", object: o, index: i, span: S })),
      fc.tuple(fc.constantFrom("len", "join"), fc.array(tie("expr"), { maxLength: 2 })).map(([f, args]): A.Expr => ({ kind: "Call", callee: { kind: "Name", name: f, span: S }, args, span: S })),
      fc.tuple(fc.constantFrom<A.UnaryOp>("not", "-"), tie("expr")).map(([op, operand]): A.Expr => ({ kind: "Unary", op, operand, span: S })),
      fc
        .tuple(fc.constantFrom<A.BinaryOp>("or", "and", "==", "!=", "<", "<=", ">", ">=", "in", "+", "-", "*", "/", "%"), tie("expr"), tie("expr"))
        .map(([op, left, right]): A.Expr => ({ kind: "Binary", op, left, right, span: S })),
      fc.array(tie("expr"), { maxLength: 3 }).map((items): A.Expr => ({ kind: "ListExpr", items, span: S })),
      fc.array(fc.tuple(fc.constantFrom("k", "v"), tie("expr")), { maxLength: 2 }).map((es): A.Expr => ({
        kind: "ObjectExpr",
        entries: es.map(([k, value]) => ({ kind: "ExprEntry", key: { kind: "Identifier", name: k, span: S }, value, span: S })),
        span: S,
      })),
    ),
  }));
  /** The tree without spans, with `-3` and `- 3` kept apart as the parser keeps them. */
  const shape = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(shape) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== "span" && k !== "recovered").map(([k, x]) => [k, shape(x)])) : v;

  it("parses back to the same tree", () => {
    fc.assert(
      fc.property(expr, (e) => {
        const text = exprText(e);
        const r = parseRag(`graph g { node n { set { x: ${text} } } }`);
        expect(r.diagnostics, text).toEqual([]);
        const g = r.value.items[0] as A.GraphDecl;
        const set = (g.items[0] as A.NodeDecl).items[0] as A.SetItem;
        expect(shape(set.value.entries[0].value), text).toEqual(shape(e));
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});

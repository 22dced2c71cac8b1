/**
 * The formatter (`rag fmt`, issue 3 §5): goldens for layout, comments, the reference
 * dialect and strings; canonical spellings; refusal of files with syntax errors.
 * Hash preservation over every example and compat case is in test/compiler/format.test.ts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canonicalReducer, compile, formatSource, KIND_ALIASES } from "../../compiler/index.js";
import { formatRag, KIND_CANONICAL, parseRag, REDUCER_CANONICAL } from "../../grammar/index.js";
import { expectGolden } from "../helpers/golden.js";

const dir = new URL("./format/", import.meta.url).pathname;
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

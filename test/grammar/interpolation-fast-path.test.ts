/**
 * The dotted-path fast path for `{{ … }}` interpolations (grammar/rag/build-expr.ts)
 * builds exactly the AST the expression parser builds for the same text: same nodes,
 * same names, same spans relative to the expression.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type * as A from "../../grammar/rag/ast.js";
import { parseRag } from "../../grammar/index.js";

/** The expression as nested plain data with offsets relative to `base`. */
function shape(e: A.Expr, base: number): unknown {
  const s = { start: e.span.start.offset - base, end: e.span.end.offset - base };
  if (e.kind === "Name") return { k: "Name", n: e.name, s };
  if (e.kind === "Member") return { k: "Member", o: shape(e.object, base), p: e.property.name, ps: { start: e.property.span.start.offset - base, end: e.property.span.end.offset - base }, s };
  return { k: e.kind, s };
}

function viaTemplate(path: string): unknown {
  const src = `graph g { start a node a { prompt "{{${path}}}" next END } }`;
  const r = parseRag(src);
  const node = (r.value.items[0] as A.GraphDecl).items.find((i) => i.kind === "NodeDecl") as A.NodeDecl;
  const t = node.items.find((i) => i.kind === "TemplateItem") as A.TemplateItem;
  const part = t.value.parts.find((p) => p.kind === "Interpolation");
  return part && part.kind === "Interpolation" ? shape(part.expr, src.indexOf("{{") + 2) : { diagnostics: r.diagnostics.map((d) => d.code) };
}

function viaParser(path: string): unknown {
  const src = `graph g { start a node a { routes { when ${path} -> END } } }`;
  const r = parseRag(src);
  const node = (r.value.items[0] as A.GraphDecl).items.find((i) => i.kind === "NodeDecl") as A.NodeDecl;
  const routes = node.items.find((i) => i.kind === "RoutesItem") as A.RoutesItem;
  const w = routes.routes[0];
  return w?.kind === "WhenRoute" ? shape(w.condition, src.indexOf("when ") + 5) : { diagnostics: r.diagnostics.map((d) => d.code) };
}

const word = fc.oneof(fc.constantFrom("state", "input", "args", "run", "kind", "next", "topic", "item", "_x", "a1", "join", "model", "when"), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/));
const ws = fc.constantFrom("", " ", "  ", "\t");

describe("interpolation fast path", () => {
  it("matches the expression parser on dotted paths", () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), ws, ws, (words, pre, post) => {
        const path = words.join(".");
        const fast = viaTemplate(pre + path + post);
        const general = viaParser(path);
        if (typeof general === "object" && general !== null && "diagnostics" in general) return;
        expect(fast).toEqual(shifted(general, pre.length));
      }),
      { numRuns: 300 },
    );
  });

  it("leaves operators and literals to the parser", () => {
    expect(viaTemplate(" not state.x ")).toMatchObject({ k: "Unary" });
    expect(viaTemplate(" true ")).toMatchObject({ k: "Boolean" });
  });
});

/** Offsets of `v` moved right by `d` (the template keeps leading white space inside `{{`). */
function shifted(v: unknown, d: number): unknown {
  if (Array.isArray(v)) return v.map((x) => shifted(x, d));
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.start === "number" && typeof o.end === "number") return { start: o.start + d, end: o.end + d };
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, shifted(x, d)]));
  }
  return v;
}

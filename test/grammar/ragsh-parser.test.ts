/**
 * The `.ragsh` front end: spans on every AST node, recovery that reports every syntax
 * error of a cell, diagnostics for unsupported JavaScript, and a property test that the
 * parser never throws and keeps every span inside the source.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRagsh } from "../../grammar/ragsh/index.js";
import type { Span } from "../../grammar/span.js";
import { ragshCstDts } from "../../scripts/gen-ragsh-cst-types.js";

/** Every object with a `kind` in the AST, with its span. */
function nodes(root: unknown): { kind: string; span: Span }[] {
  const out: { kind: string; span: Span }[] = [];
  const stack = [root];
  while (stack.length) {
    const x = stack.pop();
    if (Array.isArray(x)) stack.push(...x);
    else if (x && typeof x === "object") {
      const n = x as { kind?: string; span?: Span };
      if (typeof n.kind === "string") out.push(n as { kind: string; span: Span });
      for (const [k, v] of Object.entries(x)) if (k !== "span" && k !== "keySpan" && k !== "propertySpan") stack.push(v);
    }
  }
  return out;
}

const SAMPLE = `// a cell using most of the language
let xs = [1, 2, ...rest], o = #{a: 1, "b": [x], [k]: 2}
const {a, b: c} = o
fn add(p, q) { return p + q * 2 }
function sub(p) { if p > 0 { return -p } else if (p < 0) return p; else { return 0 } }
for (const x of xs) { if (x % 2 == 0) continue; total += x }
for x in xs { print(\`x=\${x + 1}\`) }
for (let i = 0; i < 10; i++) { while (i < 3) break }
let f = |y| y * 2, g = (m, n) => { return m ?? n }, h = async z => await z
let r = xs.map(v => v.toString()).filter(s => s.length > 0)?.at?.(0) || null
let t = typeof r === "string" ? !r.startsWith("a") && "b" in o : o?.[k]
answer(model_query({model: "default", prompt: \`Sum: \${xs.join(", ")}\`}))
`;

describe(".ragsh parser", () => {
  it("parses a cell using most constructs without diagnostics", () => {
    const r = parseRagsh(SAMPLE, { file: "sample.ragsh" });
    expect(r.diagnostics).toEqual([]);
    expect(r.value.body.map((s) => s.kind)).toEqual(["VarDecl", "VarDecl", "FunctionDecl", "FunctionDecl", "ForOfStmt", "ForOfStmt", "ForStmt", "VarDecl", "VarDecl", "VarDecl", "ExprStmt"]);
  });

  it("gives every AST node a span inside the source", () => {
    const r = parseRagsh(SAMPLE);
    const all = nodes(r.value);
    expect(all.length).toBeGreaterThan(150);
    for (const n of all) {
      expect(n.span, n.kind).toBeDefined();
      expect(n.span.start.offset).toBeLessThanOrEqual(n.span.end.offset);
      expect(n.span.end.offset).toBeLessThanOrEqual(SAMPLE.length);
    }
  });

  it("spans point at the smallest node: names, members, template parts", () => {
    const src = "let total = base.value + `n=${count}`";
    const r = parseRagsh(src);
    const byKind = (k: string) => nodes(r.value).filter((n) => n.kind === k).map((n) => src.slice(n.span.start.offset, n.span.end.offset));
    expect(byKind("Identifier").sort()).toEqual(["base", "count", "total"]);
    expect(byKind("Member")).toEqual(["base.value"]);
    expect(byKind("Template")).toEqual(["`n=${count}`"]);
    expect(byKind("Binary")).toEqual(["base.value + `n=${count}`"]);
  });

  it("applies precedence and associativity", () => {
    const show = (src: string) => {
      const e = (parseRagsh(src).value.body[0] as { expression: unknown }).expression;
      const p = (n: any): string => (n.kind === "Binary" || n.kind === "Logical" ? `(${p(n.left)} ${n.operator} ${p(n.right)})` : n.kind === "Number" ? String(n.value) : n.kind === "Identifier" ? n.name : n.kind);
      return p(e);
    };
    expect(show("1 + 2 * 3 - 4")).toBe("((1 + (2 * 3)) - 4)");
    expect(show("a || b && c ?? d")).toBe("((a || (b && c)) ?? d)");
    expect(show("a == b < c + 1")).toBe("(a == (b < (c + 1)))");
    expect(show("8 / 4 / 2")).toBe("((8 / 4) / 2)");
  });

  it("a line break before ( [ ++ -- starts a new statement", () => {
    expect(parseRagsh("let a = b\n[1, 2].map(f)").value.body).toHaveLength(2);
    expect(parseRagsh("let a = b\n(c)").value.body).toHaveLength(2);
    expect(parseRagsh("let a = b[0]\n  .toString()").value.body).toHaveLength(1);
  });

  it("statement-level braces: a block, unless it reads as an object", () => {
    expect(parseRagsh("{ let x = 1 }").value.body[0].kind).toBe("BlockStmt");
    expect(parseRagsh('{a: 1, "b": 2}').value.body[0].kind).toBe("ExprStmt");
  });

  it("recovers and reports every syntax error of a cell", () => {
    const r = parseRagsh("let a = (1 +\nlet b = 2\nfn f( { }\nlet c = [1, 2");
    const errors = r.diagnostics.filter((d) => d.code === "E-ragsh-unexpected-token");
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[0].message).toMatch(/^expected /);
  });

  it("explains unsupported JavaScript instead of a syntax error cascade", () => {
    const r = parseRagsh("var x = new Thing()\ntry { x() } catch (e) {}");
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["E-ragsh-unsupported-syntax", "`var` is not part of .ragsh"],
      ["E-ragsh-unsupported-syntax", "`new` is not part of .ragsh"],
      ["E-ragsh-unsupported-syntax", "`try` is not part of .ragsh"],
      ["E-ragsh-unsupported-syntax", "`catch` is not part of .ragsh"],
    ]);
    expect(r.diagnostics[0].fixes[0]).toMatchObject({ replacement: "let" });
    // The same words are fine as property names and keys.
    expect(parseRagsh("let o = {new: 1, class: 2}\no.new + o.class").diagnostics).toEqual([]);
  });

  it("never throws and keeps spans inside the source, for any input", () => {
    const alphabet = fc.constantFrom(..."let x = 1 + ( ) [ ] { } #{ } ` ${ } \" ' ; , . ?. ?? => | || && ! fn for in of if else while return \n".split(" "), "\n", "y", "0", "@", "/*", "//", "\\");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), (parts) => {
        const src = parts.join(" ");
        const r = parseRagsh(src);
        for (const d of r.diagnostics) {
          expect(d.span.start.offset).toBeGreaterThanOrEqual(0);
          expect(d.span.end.offset).toBeLessThanOrEqual(src.length);
        }
        for (const n of nodes(r.value)) expect(n.span.end.offset).toBeLessThanOrEqual(src.length);
      }),
      { numRuns: 400 },
    );
  });

  it("grammar/ragsh/cst.generated.d.ts is up to date", () => {
    expect(readFileSync(new URL("../../grammar/ragsh/cst.generated.d.ts", import.meta.url), "utf8")).toBe(ragshCstDts());
  });
});

/**
 * Lowering goldens: every `test/compiler/lower/*.rag` (one per area of `language.md`
 * §1–3 and §6) compiles without errors to the committed `.ir.json` (spans compacted).
 * Together with the parser goldens this pins each form's AST and its Blueprint IR.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { compactJson, expectGolden } from "../helpers/golden.js";

const dir = new URL("./lower/", import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith(".rag"));

describe("lowering goldens", () => {
  it("has one input per area", () => expect(files.sort()).toEqual(["expressions.rag", "nodes.rag", "reference.rag", "sends.rag", "state.rag"]));
  for (const f of files) {
    it(f, () => {
      const src = readFileSync(dir + f, "utf8");
      const r = compile(src, { file: f });
      expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column} ${d.message}`)).toEqual([]);
      const graphs = src.match(/^graph \w+/gm)?.length ?? 0;
      expect(r.value.blueprints).toHaveLength(graphs);
      expectGolden(dir + f.replace(/\.rag$/, ".ir.json"), compactJson(r.value.blueprints));
    });
  }
});

describe("lowering: one meaning, several spellings", () => {
  const hash = (src: string) => {
    const r = compile(src);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    if (errors.length) throw new Error(errors.map((d) => d.message).join("; "));
    return r.value.blueprints.map((b) => b.hash);
  };
  const same = (a: string, b: string) => expect(hash(a)).toEqual(hash(b));

  it("reference `sends [send x \"in\"]` is `send [x \"in\"]`", () =>
    same(`graph g { start a node a { sends [send b "q", send c] next END } node b {} node c {} }`, `graph g { start a node a { send [b "q", c] next END } node b {} node c {} }`));
  it("kind aliases are their canonical kinds", () => {
    same(`graph g { start a node a { kind human options ["x"] } }`, `graph g { start a node a { kind interrupt options ["x"] } }`);
    same(`graph g { start a node a { kind sub_agent agent "r" } }`, `graph g { start a node a { kind subagent agent "r" } }`);
    same(`graph g { start a node a { kind graph model "s" } } graph s { start x node x {} }`, `graph g { start a node a { kind subgraph graph "s" } } graph s { start x node x {} }`);
  });
  it("`model` names the route function of a router", () =>
    same(`graph g { start a node a { kind router model "f" } }`, `graph g { start a node a { kind router route "f" } }`));
  it("reducer aliases are their canonical reducers", () => {
    same(`graph g { start a channel c last_write node a {} }`, `graph g { start a channel c overwrite node a {} }`);
    same(`graph g { start a channel c last_value node a {} }`, `graph g { start a channel c overwrite node a {} }`);
    same(`graph g { start a channel c reducer "f" node a {} }`, `graph g { start a channel c aggregate "f" node a {} }`);
  });
  it("durations: `30`, `\"30s\"`, `30s` and `30000ms` are one timeout", () => {
    const t = (v: string) => `graph g { start a node a { timeout ${v} } }`;
    for (const v of ["30", '"30s"', "30000ms", '"30"']) same(t(v), t("30s"));
    expect(hash(t("30s"))).not.toEqual(hash(t("31s")));
  });
  it("blocks and I/O with and without colons", () => {
    same(`graph g { start a input { q string } defaults { recursion_limit 5 } node a { retry { max_attempts 2 } } }`, `graph g { start a input { q: string } defaults { recursion_limit: 5 } node a { retry { max_attempts: 2 } } }`);
  });
  it("type suffixes apply left to right", () => {
    expect(hash(`graph g { start a state { x: string?[] } node a {} }`)).not.toEqual(hash(`graph g { start a state { x: string[]? } node a {} }`));
    same(`graph g { start a state { x: string[] } node a {} }`, `graph g { start a state { x: list<string> } node a {} }`);
  });
  it("infers the kind of a node written without `kind` (§6)", () => {
    const src = `agent helper { model "m" }
      graph g {
        start a
        state { x: string }
        node a { prompt "p" next b }
        node b { agent "helper" next c }
        node c { graph "h" next d }
        node d { script "s" next e }
        node e { tool "t" next f }
        node f { sources [a] next gg }
        node gg { options ["y"] routes { y -> hh } }
        node hh { set { x: "v" } next i }
        node i { routes { when state.x == "v" -> END else -> a } }
        node j { set { x: "v" } model "m" }
      }
      graph h { start z node z {} }`;
    const bp = compile(src).value.blueprints[0];
    expect(Object.fromEntries(bp.nodes.map((n) => [n.name, n.kind]))).toEqual({
      a: "model", b: "subagent", c: "subgraph", d: "repl_agent", e: "tool", f: "join", gg: "interrupt", hh: "set", i: "router", j: "model",
    });
  });
  it("separators are optional between the parts of `command` and `steering` (§1)", () => {
    same(`graph g { start a node a { command { goto END, update { x: 1 }; } } state { x: integer } }`, `graph g { start a node a { command { goto END update { x: 1 } } } state { x: integer } }`);
    same(`graph g { start a node a { kind subagent agent "r" steering { parent allow ["c"]; human allow ["p"], delivery "now" } } }`, `graph g { start a node a { kind subagent agent "r" steering { parent allow ["c"] human allow ["p"] delivery "now" } } }`);
  });
  it("quoted names in interrupt and join lists are names", () => {
    same(`graph g { start a interrupt before ["a"] join ["a"] -> b node a { next b } node b {} }`, `graph g { start a interrupt before [a] join [a] -> b node a { next b } node b {} }`);
  });
});

/**
 * The `.rag` spellings of LangGraph's conditional entry, `Command.PARENT` and `defer`
 * (issue 11 §1.2): `start routes { when … -> a  else -> b }`, `command { goto parent.X }`,
 * `defer true` — parsed, formatted (idempotently), lowered, and diagnosed.
 */
import { describe, expect, it } from "vitest";
import { compileGraph } from "../../compiler/index.js";
import { formatRag } from "../../grammar/index.js";
import { standardRegistry } from "../../stdlib/index.js";

const SOURCE = `graph parent {
  start routes { when input.fast -> quick  else -> sub }
  state { foo: string = "" }
  node sub { kind subgraph graph "child" }
  node quick { kind set set { foo: "quick" } next END }
  node nodeB { kind set set { foo: state.foo + "|b" } defer true next END }
}
graph child { start a state { foo: string = "" } node a { kind set command { goto parent.nodeB update { foo: "a" } } } }
`;

const codes = (src: string) => compileGraph(src, { registry: standardRegistry().view() }).diagnostics.map((d) => d.code);

describe("control-flow items", () => {
  it("format to the canonical layout, idempotently", () => {
    const once = formatRag(SOURCE).value!;
    expect(once).toContain("start routes {\n    when input.fast -> quick\n    else -> sub\n  }");
    expect(once).toContain("command { goto parent.nodeB update { foo: \"a\" } }");
    expect(once).toContain("defer true");
    expect(formatRag(once).value).toBe(once);
  });

  it("lower to startRoutes, command.graph parent (no local goto edge) and defer", () => {
    const r = compileGraph(SOURCE, { registry: standardRegistry().view() });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    // the subgraph node continued by a parent goto and the node it reaches draw no warning
    expect(r.diagnostics.map((d) => d.code)).toEqual([]);
    const parent = r.compilation.blueprints.find((b) => b.id === "parent")!;
    expect(parent.start).toEqual([]);
    expect(parent.startRoutes?.map((e) => [e.kind, e.to])).toEqual([["when", "quick"], ["else", "sub"]]);
    expect(parent.nodes.find((n) => n.name === "nodeB")?.defer).toBe(true);
    const child = r.compilation.blueprints.find((b) => b.id === "child")!;
    expect(child.nodes[0].command).toMatchObject({ goto: "nodeB", graph: "parent" });
    expect(child.edges.filter((e) => e.kind === "goto")).toEqual([]);
  });

  it("`goto parent` is an ordinary node name when no `.` follows", () => {
    expect(codes(`graph g { start a node a { kind set command { goto parent } } node parent { kind set next END } }`)).toEqual([]);
  });

  it("E-rag-start-route-label: a labelled route cannot choose the entry", () => {
    expect(codes(`graph g { start routes { go -> a } node a { kind set next END } }`)).toContain("E-rag-start-route-label");
  });

  it("E-rag-unknown-start and E-rag-unknown-field for start routes", () => {
    const c = codes(`graph g { start routes { when state.nope -> a else -> b } state { v: any } node a { kind set next END } }`);
    expect(c).toContain("E-rag-unknown-start");
    expect(c).toContain("E-rag-unknown-field");
  });

  it("E-rag-unknown-parent-node: the graph running this one has no such node", () => {
    const c = codes(SOURCE.replace("goto parent.nodeB", "goto parent.nodeb"));
    expect(c).toContain("E-rag-unknown-parent-node");
  });

  it("W-rag-unknown-field: a parent goto's update keys are the parent's fields", () => {
    expect(codes(SOURCE.replace("update { foo:", "update { bar:"))).toContain("W-rag-unknown-field");
  });

  it("E-rag-defer-detached: defer and blocking false exclude each other", () => {
    expect(codes(`graph g { start a node a { kind set next b } node b { kind set defer true blocking false next END } }`)).toContain("E-rag-defer-detached");
  });
});

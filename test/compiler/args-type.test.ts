/**
 * `args` in a send target is typed from the packets that start it (compiler/expr/args-type.ts):
 * a string a packet passes, written into a number list, passed check and failed the run at
 * its first write. Fields the packets disagree on, fields no packet gives, and nodes code
 * may start with arguments of its own (a tool's or a child's Command, a registry kind) stay
 * unknown, so nothing uncertain is reported.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";

const graph = (body: string) => `graph a {
  start s
  input { items: list<string>, nums: list<number> }
  state { outs: list<number> append, names: list<string> append, done: boolean }
  ${body}
  node d { kind set set { done: true } next END }
}`;
const errors = (body: string) => compile(graph(body)).diagnostics.filter((d) => d.severity === "error");

describe("args typed from send packets", () => {
  it("a packet's string written into a number list is a type mismatch at the write", () => {
    const [e, ...rest] = errors("node s { kind set send [w { item: x } for x in input.items] join d } node w { kind set set { outs: args.item } }");
    expect(rest).toEqual([]);
    expect(e?.code).toBe("E-rag-type-mismatch");
    expect(e?.message).toBe("field `outs` is a list of numbers (`append` adds a number or a list of them), but this writes a string");
  });

  it("what fits passes: numbers into the number list, strings into the string list, functions over the typed field", () => {
    expect(errors("node s { kind set send [w { n: x, label: \"l\" } for x in input.nums] join d } node w { kind set set { outs: args.n, names: args.label } }")).toEqual([]);
    expect(errors("node s { kind set send [w { item: x } for x in input.items] join d } node w { kind set set { outs: len(args.item) } }")).toEqual([]);
  });

  it("unknown where it is not certain: packets that disagree, a field no packet gives, a node a tool executor leads to, a registry kind in the graph", () => {
    // two senders: a string and a number for `v`
    expect(errors("node s { kind set send [w { v: x } for x in input.items] next t } node t { kind set send [w { v: 1 }] join d } node w { kind set set { outs: args.v } }").map((e) => e.code)).not.toContain("E-rag-type-mismatch");
    // `args.other`: no packet gives it — E-rag-missing-input says so at the send, once (an open record: no unknown-field error too)
    expect(errors("node s { kind set send [w { item: x } for x in input.items] join d } node w { kind set set { names: args.other } }").map((e) => e.code)).toEqual(["E-rag-missing-input"]);
    // records of other fields, and enums of other values, in two packets: nothing about `args.u.b` or `args.k == "y"`
    const two = compile(`graph b {
  start s
  state { x: { a: number }, y: { b: number }, s: "x" | "q", t: "y" | "q" }
  node s { kind set send [w { u: state.x, k: state.s }, w { u: state.y, k: state.t }] join d }
  node w { kind set routes { when args.u.b == 1 -> END  when args.k == "y" -> END  else -> END } }
  node d { kind set next END }
}`).diagnostics.filter((d) => d.severity === "error");
    expect(two).toEqual([]);
    // a tool executor leads to w: a tool's Command may send it a packet of its own
    expect(errors('node s { kind set send [w { item: x } for x in input.items] join d } node x { kind tool_executor next w } node w { kind set set { outs: args.item } }').map((e) => e.code)).not.toContain("E-rag-type-mismatch");
    // a registry kind anywhere in the graph may go to any node with a packet
    expect(errors("node s { kind set send [w { item: x } for x in input.items] join d } node c { kind custom_thing next END } node w { kind set set { outs: args.item } }").map((e) => e.code)).not.toContain("E-rag-type-mismatch");
  });
});

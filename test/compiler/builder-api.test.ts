/**
 * The builder API's contract: typed state and node names (checked by `tsc` through the
 * `@ts-expect-error` lines below — each must be an error, or the type check fails),
 * expressions as source or typed helpers giving the compiler's IR, and clear errors
 * naming the graph, node and field.
 */
import { describe, expect, it } from "vitest";
import { compileGraph, END, exprKit, GraphBuilder, GraphBuilderError, parseExpression, semanticForm, START, stripSpans, t, type Blueprint } from "../../compiler/index.js";

/** The builder's diagnostics codes when `build()` throws. */
function errorCodes(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof GraphBuilderError) return e.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
    throw e;
  }
  return [];
}

function errorOf(f: () => unknown): GraphBuilderError {
  try {
    f();
  } catch (e) {
    if (e instanceof GraphBuilderError) return e;
    throw e;
  }
  throw new Error("expected a GraphBuilderError");
}

describe("typed state and node names", () => {
  const base = () =>
    new GraphBuilder("g")
      .state({ count: t.integer().reducer("sum"), label: t.string().optional(), tags: t.list(t.string()).reducer("append") })
      .channel("messages", "messages")
      .input({ topic: t.string() });

  it("accepts writes, set keys and typed expressions over declared state", () => {
    const bp = base()
      .node("a", { kind: "set", set: { count: (x) => x.lit(1), label: (x) => x.upper(x.input("topic")) }, writes: "tags" })
      .start("a")
      .next("a", END)
      .build();
    expect(bp.nodes[0].set!.map((e) => e.key)).toEqual(["count", "label"]);
  });

  it("rejects undeclared state and nodes at compile time", () => {
    const b = base().node("a", { kind: "set" });
    // @ts-expect-error — `missing` is not a state field
    b.node("x", { kind: "set", writes: "missing" });
    // @ts-expect-error — `missing` is not a state field
    b.node("y", { kind: "set", set: { missing: "1" } });
    // @ts-expect-error — `nope` is not a node of the graph
    b.next("a", "nope");
    // @ts-expect-error — `nope` is not a node of the graph
    b.start("nope");
    b.node("z", {
      kind: "set",
      // @ts-expect-error — `missing` is not a state field
      set: { count: (x) => x.state("missing") },
    });
    // The state type is inferred from the fields:
    const withState = base();
    type S = typeof withState extends GraphBuilder<infer St, infer _I, infer _N> ? St : never;
    const check: S = { count: 1, label: null, tags: ["a"], messages: [] };
    expect(check.count).toBe(1);
  });

  it("types channels by their reducer", () => {
    const b = new GraphBuilder("c").channel("n", "sum").channel("names", "named_barrier");
    type S = typeof b extends GraphBuilder<infer St, infer _I, infer _N> ? St : never;
    const ok: S = { n: 3, names: ["a"] };
    // @ts-expect-error — a `sum` channel holds a number
    const bad: S = { n: "3", names: [] };
    expect([ok.n, bad.names]).toEqual([3, []]);
  });
});

describe("expressions", () => {
  const lowered = (src: string) => stripSpans(parseExpression(src).expr);

  it("typed helpers give the same IR as the source they stand for", () => {
    const x = exprKit<{ score: number; notes: string[]; status: string }, { q: string }>();
    const pairs: [unknown, string][] = [
      [x.state("score").gt(3).and(x.len(x.state("notes")).ge(2)), "state.score > 3 and len(state.notes) >= 2"],
      [x.lit("x").in(x.state("notes")).not(), `not ("x" in state.notes)`],
      [x.state("notes").at(-1), "state.notes[-1]"],
      [x.object({ a: [1, "b", null], c: x.input("q") }), `{ a: [1, "b", null], c: input.q }`],
      [x.default(x.arg("item"), "none").add("!"), `default(args.item, "none") + "!"`],
      [x.or(x.state("status").eq("done"), x.run("step").mod(2).ne(0)), `state.status == "done" or run.step % 2 != 0`],
      [x.startsWith(x.result(), "ok").and(x.state("score").neg().lt(0)), `starts_with(result, "ok") and -state.score < 0`],
    ];
    for (const [e, src] of pairs) expect(stripSpans((e as { spec: unknown }).spec), src).toEqual(lowered(src));
  });

  it("parses source like the compiler, and reports syntax errors without throwing", () => {
    expect(lowered("len(args.items) * 2")).toEqual({ op: "bin", operator: "*", left: { op: "call", fn: "len", args: [{ op: "get", object: { op: "var", name: "args" }, key: "items" }] }, right: { op: "lit", value: 2 } });
    expect(parseExpression("state.a >").diagnostics.map((d) => d.code)).toEqual(["E-rag-unexpected-token"]);
    expect(parseExpression("state.a b").diagnostics.map((d) => d.code)).toEqual(["E-rag-unexpected-token"]);
    expect(parseExpression("a § b").diagnostics.map((d) => d.code)).toEqual(["E-rag-invalid-token"]);
    expect(parseExpression("").diagnostics.map((d) => d.code)).toEqual(["E-rag-unexpected-token"]);
  });

  it("splits templates like the compiler (with the `\\{` escape)", () => {
    const text = "Hi {{ upper(input.name) }}, literal \\{{ x }} and {{ state.n + 1 }}!";
    const rag = compileGraph(`graph g { start a state { n: integer } node a { kind model model "m" prompt "${text}" next END } }`).value!;
    const built = new GraphBuilder("g").state({ n: t.integer() }).node("a", { kind: "model", model: "m", prompt: text }).start("a").next("a", END).build();
    expect(stripSpans(built.nodes[0].prompt)).toEqual(stripSpans(rag.nodes[0].prompt));
    expect(built.nodes[0].prompt!.text).toBe("Hi {{ upper(input.name) }}, literal {{ x }} and {{ state.n + 1 }}!");
  });
});

describe("errors name the graph, node and field", () => {
  it("reports a missing start and unknown nodes", () => {
    expect(errorCodes(() => new GraphBuilder("g").node("a", { kind: "set" }).build())).toEqual(["E-rag-missing-start"]);
    const e = errorOf(() => new GraphBuilder("g").node("a", { kind: "set", onError: "nowhere" }).start("a").next("a", END).build());
    expect(e.diagnostics.map((d) => d.code)).toEqual(["E-rag-unknown-node"]);
    expect(e.message).toContain("graph `g`: `on_error` target `nowhere` does not exist");
  });

  it("reports unknown fields in writes, set and expressions, with did-you-mean", () => {
    const b = new GraphBuilder("g").state({ total: t.integer() }) as GraphBuilder<Record<string, unknown>, object, string>;
    const e = errorOf(() => b.node("a", { kind: "set", set: { totl: "1" }, writes: "totals" }).node("c", { kind: "set", set: { total: "state.totl + 1" } }).start("a").next("a", "c").next("c", END).build());
    expect(e.diagnostics.map((d) => d.code)).toEqual(["E-rag-unknown-field", "E-rag-unknown-field", "E-rag-unknown-field"]);
    expect(e.diagnostics.map((d) => d.message)).toEqual([
      "node `a` of graph `g`: `writes` target `totals` is not a state field",
      "node `a` of graph `g`: `set` key `totl` is not a state field",
      "node `c` of graph `g` reads `state.totl`, which is not a state field",
    ]);
    expect(e.diagnostics[2].help).toBe("did you mean `total`?");
  });

  it("reports conflicting routing, a join without a send, duplicates and bad expressions", () => {
    const codes = errorCodes(() =>
      new GraphBuilder("g")
        .state({ n: t.integer() })
        .state({ n: t.integer() })
        .node("a", { kind: "set", join: "b", set: { n: "n +" } })
        .node("a", { kind: "set" })
        .node("b", { kind: "set" })
        .start("a")
        .next("a", "b")
        .routes("a", { x: "b", y: END })
        .routes("b", { x: "a" })
        .routes("b", { x: END })
        .build(),
    );
    expect(codes.sort()).toEqual(["E-rag-conflicting-routing", "E-rag-duplicate-field", "E-rag-duplicate-node", "E-rag-duplicate-route", "E-rag-join-without-send", "E-rag-unexpected-token"].sort());
  });

  it("rejects names .rag cannot spell, unknown policy words and out-of-range values", () => {
    const b = new GraphBuilder("my graph").state({ "x-y": t.integer() }).node("END", { kind: "set", maxSteps: 0, timeoutMs: -1, checkpoint: "sometimes" }).start("END").checkpoint("snyc").interruptPolicy("manual");
    const e = errorOf(() => b.build());
    expect(e.diagnostics.map((d) => d.code)).toEqual(["E-rag-invalid-value", "E-rag-invalid-value", "E-rag-invalid-value", "E-rag-invalid-policy", "E-rag-invalid-policy", "E-rag-invalid-value", "E-rag-invalid-value"]);
    expect(e.message).toContain("`END` is reserved");
    expect(e.diagnostics.find((d) => d.message.includes("snyc"))!.help).toBe("did you mean `sync`?");
  });

  it("checks names, functions and arity in expressions, with the comprehension variable in scope of its send", () => {
    const b = new GraphBuilder("g")
      .input({ items: t.list(t.string()) })
      .state({ n: t.integer(), out: t.list(t.string()).reducer("append") })
      .node("a", {
        kind: "set",
        set: { n: "lenn(state.out) + count" },
        send: [{ to: "w", forEach: { variable: "x", in: "input.items" }, args: { item: "upper(x)", extra: "round(1, 2, 3)" } }],
        join: "b",
      })
      .node("w", { kind: "set", set: { out: "args.item" } })
      .node("b", { kind: "set", set: { out: "x" } })
      .start("a")
      .next("b", END);
    const e = errorOf(() => b.build());
    expect(e.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      "E-rag-unknown-function node `a` of graph `g`: `lenn` is not a function",
      "E-rag-unknown-name node `a` of graph `g`: `count` is not defined here",
      "E-rag-wrong-arity node `a` of graph `g`: `round` takes 1 to 2 arguments, got 3",
      "E-rag-unknown-name node `b` of graph `g`: `x` is not defined here",
    ]);
    expect(e.diagnostics[0].help).toBe("did you mean `len`?");
  });

  it("checks node kinds and send targets against a registry when given one", () => {
    const registry = { models: null, tools: null, agents: new Set(["helper"]), graphs: new Set<string>(), scripts: null, routers: null, reducers: null, nodeKinds: new Set(["set", "model"]), validators: null };
    const b = new GraphBuilder("g").node("a", { kind: "sett", send: [{ to: "helper" }, { to: "helpr" }] }).start("a").next("a", END);
    const e = errorOf(() => b.build({ registry }));
    expect(e.diagnostics.map((d) => `${d.code} ${d.help ?? ""}`)).toEqual(["E-rag-invalid-node-kind did you mean `set`?", "E-rag-unknown-send-target did you mean `helper`?"]);
    expect(b.check().filter((d) => d.severity === "error")).toEqual([]);
  });

  it("START edges become entries and START is never a target", () => {
    const bp: Blueprint = new GraphBuilder("g").node("a", { kind: "set" }).node("b", { kind: "set" }).edge(START, "a", "b").next("b", END).build();
    expect(bp.start).toEqual(["a"]);
    expect(bp.edges.map((e) => `${e.from}->${e.to}`)).toEqual(["b->END", "a->b"]);
    const rag = compileGraph(`graph g { node a { kind set } node b { kind set next END } START -> a -> b }`).value!;
    expect(semanticForm(bp)).toEqual(semanticForm(rag));
    expect(errorCodes(() => (new GraphBuilder("g").node("a", { kind: "set" }).start("a") as GraphBuilder<object, object, string>).next("a", "START").build())).toEqual(["E-rag-start-as-target"]);
  });
});

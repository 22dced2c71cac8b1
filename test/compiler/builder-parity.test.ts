/**
 * The builder API produces the same Blueprint IR as the compiler (`language.md` §7):
 * a graph that uses every kind of declaration, written once as `.rag` and once with
 * `GraphBuilder` in the same order, has the same semantic form and the same hash.
 */
import { describe, expect, it } from "vitest";
import { compile, END, GraphBuilder, semanticForm, START, t, type Blueprint } from "../../compiler/index.js";

const SOURCE = `
schema Verdict { ok: boolean, reasons: list<string> }

agent helper {
  model "m"
  system "You help with {{ args.topic }}."
  tools ["search"]
  writes notes
  max_steps 4
}

graph sub {
  start s
  state { done: boolean }
  node s { kind set set { done: true } next END }
}

graph kitchen {
  start intake
  input { question: string, items: list<string>, limit: integer? }
  output { answer: string }
  state {
    messages: messages
    notes: list<string> append
    score: number sum = 0
    seen: list<string> union
    verdict: Verdict?
    answer: string
    status: "open" | "done"
    meta: map<any> merge
  }
  channel hits barrier 2
  channel scratch ephemeral
  channel folded aggregate "fold"
  channel last last_value
  defaults { recursion_limit: 50, concurrency: 4 }
  metadata { owner: "team" }
  tags ["demo", "builder"]
  allow tools ["search", "lookup"]
  interrupt before [approve]
  interrupt after [finish]
  checkpoint sync

  node intake {
    kind model
    model "m"
    system "Be brief."
    prompt "Q: {{ input.question }} \\{{literal}} {{ len(input.items) + 1 }}"
    output Verdict
    writes verdict
    validate ["no_pii"]
    retry { max_attempts: 5, backoff: "fixed", initial: 1 }
    timeout 30s
    cache { ttl: 60 }
    tags ["entry"]
    metadata { tier: 1 }
    next router
  }
  node router {
    kind router
    routes {
      when state.score > 3 and len(state.notes) >= 2 -> fan
      when "x" in state.seen -> agent1
      else -> tools_loop
    }
  }
  node fan {
    kind set
    send [
      worker { item: x, idx: len(state.notes) } for x in input.items -> notes,
      helper { topic: input.question },
      sub { q: input.question }
    ]
    join gather wait 2
  }
  node worker { kind tool tool "search" input { query: args.item } writes { notes: result.text, score: 1 } }
  node gather { kind join next tools_loop }
  node agent1 {
    kind agent
    model "m"
    tools ["search", "lookup"]
    max_steps 3
    steering { parent allow ["redirect"] human allow ["stop"] delivery "queue" }
    routes { tool_call -> tools_loop, final -> approve }
  }
  node tools_loop { kind tool_executor tools ["search", "lookup"] on_error -> fail next approve }
  node approve { kind interrupt prompt "Approve {{ state.answer }}?" options ["yes", "no"] routes { yes -> finish, no -> intake } }
  node finish {
    kind set
    set { answer: "done: " + state.answer, status: "done" }
    command { goto wrap update { meta: { by: "finish", n: -1 } } }
  }
  node wrap { kind subgraph graph "sub" input { q: state.answer } writes answer persistent true next END }
  node fail { kind subagent agent "helper" blocking false optional true retry false next END }
  node sink1 { kind repl_agent script "analyze" model "m" next END }
  node a1 { kind set set { scratch: 1, folded: [1, 2], last: null } }
  node a2 { kind set set { hits: 1 } }
  node merge_node { kind join sources [a1, a2] next END }
  join [a1, a2] -> sink1
  a1 -> a2
  START -> a1
}
`;

function compiled(): Map<string, Blueprint> {
  const r = compile(SOURCE, { file: "kitchen.rag" });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  expect(errors.map((d) => `${d.code}: ${d.message}`)).toEqual([]);
  return new Map(r.value.blueprints.map((b) => [b.id, b]));
}

function built(): { sub: Blueprint; kitchen: Blueprint } {
  const sub = new GraphBuilder("sub")
    .state({ done: t.boolean() })
    .node("s", { kind: "set", set: { done: "true" } })
    .start("s")
    .next("s", END)
    .build();
  const kitchen = new GraphBuilder("kitchen")
    .schema("Verdict", { ok: t.boolean(), reasons: t.list(t.string()) })
    .agent("helper", { model: "m", system: "You help with {{ args.topic }}.", tools: ["search"], writes: "notes", maxSteps: 4 })
    .uses(sub)
    .input({ question: t.string(), items: t.list(t.string()), limit: t.integer().optional() })
    .output({ answer: t.string() })
    .state({
      messages: t.messages(),
      notes: t.list(t.string()).reducer("append"),
      score: t.number().reducer("sum").default(0),
      seen: t.list(t.string()).reducer("union"),
      verdict: t.ref<{ ok: boolean; reasons: string[] }>("Verdict").optional(),
      answer: t.string(),
      status: t.enum("open", "done"),
      meta: t.map(t.any()).reducer("merge"),
    })
    .channel("hits", "barrier", 2)
    .channel("scratch", "ephemeral")
    .channel("folded", "aggregate", "fold")
    .channel("last", "last_value")
    .defaults({ recursion_limit: 50, concurrency: 4 })
    .metadata({ owner: "team" })
    .tags("demo", "builder")
    .allow("tools", ["search", "lookup"])
    .node("intake", {
      kind: "model",
      model: "m",
      system: "Be brief.",
      prompt: "Q: {{ input.question }} \\{{literal}} {{ len(input.items) + 1 }}",
      output: t.ref("Verdict"),
      writes: "verdict",
      validate: ["no_pii"],
      retry: { maxAttempts: 5, backoff: "fixed", initialMs: 1000 },
      timeoutMs: 30_000,
      cache: { ttlMs: 60_000 },
      tags: ["entry"],
      metadata: { tier: 1 },
    })
    .node("router", { kind: "router" })
    .node("fan", {
      kind: "set",
      send: [
        { to: "worker", forEach: { variable: "x", in: (x) => x.input("items") }, args: (x) => ({ item: x.v("x"), idx: x.len(x.state("notes")) }), into: "notes" },
        { to: "helper", args: { topic: "input.question" } },
        { to: "sub", args: { q: "input.question" } },
      ],
      join: { target: "gather", wait: 2 },
    })
    .node("worker", { kind: "tool", tool: "search", input: { query: "args.item" }, writes: { notes: "result.text", score: (x) => x.lit(1) } })
    .node("gather", { kind: "join" })
    .node("agent1", { kind: "agent", model: "m", tools: ["search", "lookup"], maxSteps: 3, steering: { parent: ["redirect"], human: ["stop"], delivery: "queue" } })
    .node("tools_loop", { kind: "tool_executor", tools: ["search", "lookup"], onError: "fail" })
    .node("approve", { kind: "interrupt", prompt: "Approve {{ state.answer }}?", options: ["yes", "no"] })
    .node("finish", { kind: "set", set: { answer: (x) => x.lit("done: ").add(x.state("answer")), status: "\"done\"" }, command: { goto: "wrap", update: { meta: (x) => x.object({ by: "finish", n: -1 }) } } })
    .node("wrap", { kind: "subgraph", graph: "sub", input: { q: "state.answer" }, writes: "answer", persistent: true })
    .node("fail", { kind: "sub_agent", agent: "helper", blocking: false, optional: true, retry: false })
    .node("sink1", { kind: "repl_agent", script: "analyze", model: "m" })
    .node("a1", { kind: "set", set: { scratch: "1", folded: "[1, 2]", last: "null" } })
    .node("a2", { kind: "set", set: { hits: "1" } })
    .node("merge_node", { kind: "join", sources: ["a1", "a2"] })
    .start("intake")
    .interrupt("before", ["approve"])
    .interrupt("after", ["finish"])
    .checkpoint("sync")
    .next("intake", "router")
    .when("router", [[(x) => x.state("score").gt(3).and(x.len(x.state("notes")).ge(2)), "fan"], ['"x" in state.seen', "agent1"]], "tools_loop")
    .next("gather", "tools_loop")
    .routes("agent1", { tool_call: "tools_loop", final: "approve" })
    .next("tools_loop", "approve")
    .routes("approve", { yes: "finish", no: "intake" })
    .next("wrap", END)
    .next("fail", END)
    .next("sink1", END)
    .next("merge_node", END)
    .join(["a1", "a2"], "sink1")
    .edge("a1", "a2")
    .edge(START, "a1")
    .build();
  return { sub, kitchen };
}

describe("GraphBuilder produces the compiler's IR", () => {
  const rag = compiled();
  const { sub, kitchen } = built();

  it("gives the same semantic form and hash for a subgraph", () => {
    expect(semanticForm(sub)).toEqual(semanticForm(rag.get("sub")!));
    expect(sub.hash).toBe(rag.get("sub")!.hash);
  });

  it("gives the same semantic form and hash for a graph using every kind of declaration", () => {
    expect(semanticForm(kitchen)).toEqual(semanticForm(rag.get("kitchen")!));
    expect(kitchen.hash).toBe(rag.get("kitchen")!.hash);
  });

  it("covers what the parity graph claims to cover", () => {
    const kinds = new Set(kitchen.nodes.map((n) => n.kind));
    expect([...kinds].sort()).toEqual(["agent", "interrupt", "join", "model", "repl_agent", "router", "set", "subagent", "subgraph", "tool", "tool_executor"]);
    expect(new Set(kitchen.edges.map((e) => e.kind))).toEqual(new Set(["static", "route", "when", "else", "goto"]));
    expect(kitchen.barriers.map((b) => b.origin)).toEqual(["node", "edge"]);
    expect(kitchen.nodes.find((n) => n.name === "fan")!.sends!.map((s) => s.targetKind)).toEqual(["node", "agent", "graph"]);
    expect(kitchen.start).toEqual(["intake", "a1"]);
    expect(kitchen.subgraphs).toEqual({ sub: sub.hash });
  });

  it("changes the hash when the builder graph changes, and records its provenance outside the hash", () => {
    expect(kitchen.provenance).toEqual({ generatedBy: "builder" });
    const other = new GraphBuilder("sub").state({ done: t.boolean() }).node("s", { kind: "set", set: { done: "false" } }).start("s").next("s", END).build();
    expect(other.hash).not.toBe(sub.hash);
    const renamed = new GraphBuilder("sub").state({ done: t.boolean() }).node("s", { kind: "set", set: { done: "true" } }).start("s").next("s", END).provenance({ generatedBy: "model", author: "m" }).build();
    expect(renamed.hash).toBe(sub.hash);
  });
});

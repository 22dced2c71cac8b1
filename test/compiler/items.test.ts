/**
 * Item and input rules (`language.md` §2.1–2.4, §5): items a kind ignores, channels
 * without a reducer, send targets that cannot get their input, interrupts without
 * checkpoints — and the reference forms that must stay accepted.
 */
import { describe, expect, it } from "vitest";
import { compile, fixAll, registryViewFromSnapshot, type RegistrySnapshot } from "../../compiler/index.js";

const diags = (src: string, registry?: RegistrySnapshot) => compile(src, { file: "t.rag", ...(registry ? { registry: registryViewFromSnapshot(registry) } : {}) }).diagnostics;
const codes = (src: string, part: string, registry?: RegistrySnapshot) => diags(src, registry).filter((d) => d.code.includes(part)).map((d) => d.code);

describe("items a kind does not use", () => {
  it("warns (never errors) for `prompt` on a set node and `tools` on a router node", () => {
    const ds = diags('graph g { start a node a { kind router tools ["x"] routes { when true -> b } } node b { kind set prompt "hi" next END } }').filter((d) => d.code === "W-rag-item-unused");
    expect(ds.map((d) => d.severity)).toEqual(["warning", "warning"]);
    expect(ds[0].message).toBe("`tools` has no effect on a `router` node");
    expect(ds[0].help).toBe("`tools` is used by `model`, `agent`, `tool_executor`, `repl_agent` nodes; change `kind`, or remove the item");
  });

  it("does not warn for `tools` and `approve` on a model node: the tools are offered, the executor its `tool_call` route reaches runs them", () => {
    expect(codes('graph g { start a node a { kind model model "m" tools ["x"] approve ["x"] next END } }', "item-unused")).toEqual([]);
  });

  it("warns for `cache` on kinds that make no model call, and not on model-calling ones", () => {
    const ds = diags('graph g { start a node a { kind set set { x: 1 } cache { ttl: 10m } next b } node b { kind model model "m" prompt "hi" cache { ttl: 10m } next END } }').filter((d) => d.code === "W-rag-item-unused");
    expect(ds.map((d) => d.message)).toEqual(["`cache` has no effect on a `set` node"]);
    expect(ds[0].severity).toBe("warning");
    expect(ds[0].help).toBe("`cache` is used by `model`, `agent`, `router`, `subgraph`, `subagent`, `repl_agent` nodes; change `kind`, or remove the item");
  });

  it("warns for `budget` on kinds whose task makes no model call (a set, tool, interrupt or subgraph node), as for `cache`", () => {
    const src = `graph g { start a
      node a { kind set set { x: 1 } budget { tokens: 4k } next b }
      node b { kind tool tool "t" budget { tokens: 4k } next c }
      node c { kind interrupt prompt "ok?" budget { usd: 1.00 } next d }
      node d { kind subgraph graph "other" budget { tokens: 4k } next e }
      node e { model "m" prompt "hi" budget { tokens: 4k } next f }
      node f { kind agent model "m" budget { tokens: 4k } next END }
    } graph other { start z node z { next END } }`;
    const ds = diags(src).filter((d) => d.code === "W-rag-item-unused");
    expect(ds.map((d) => d.message)).toEqual([
      "`budget` has no effect on a `set` node",
      "`budget` has no effect on a `tool` node",
      "`budget` has no effect on a `interrupt` node",
      "`budget` has no effect on a `subgraph` node",
    ]);
    expect(ds[0].help).toBe("`budget` is used by `model`, `agent`, `router`, `subagent`, `repl_agent` nodes (it caps the model calls of the node's own task; a child graph's calls are charged to that graph's `budget`); change `kind`, or remove the item");
  });

  it("accepts the reference meanings: model on subgraph, router, subagent and repl_agent nodes; system on an interrupt", () => {
    const src = `graph g { start a
      node a { kind subgraph model "other" next b }
      node b { kind router model "pick" routes { x -> c } }
      node c { kind subagent agent "r" model "m" blocking true next d }
      node d { kind human system "Approve?" options ["yes", "no"] routes { yes -> END  no -> END } }
    } graph other { start z node z { next END } }`;
    expect(codes(src, "item-unused")).toEqual([]);
  });

  it("does not judge custom kinds or the items every kind takes", () => {
    expect(codes('graph g { start a node a { kind my_kind prompt "x" tools ["t"] next END } }', "item-unused")).toEqual([]);
    expect(codes("graph g { start a node a { kind set retry { max_attempts 2 } timeout 5s metadata { a: 1 } tags [\"x\"] next END } }", "item-unused")).toEqual([]);
  });
});

describe("channel missing reducer", () => {
  it("is one diagnostic, not a parse cascade, and the file still parses on", () => {
    const ds = diags("graph g {\n  start a\n  channel results\n  node a { next END }\n}");
    expect(ds.map((d) => `${d.code}@${d.span.start.line}`)).toEqual(["E-rag-missing-reducer@3"]);
  });

  it("offers the `messages` reducer for a channel called messages", () => {
    const src = "graph g { start a channel messages node a { next END } }";
    const d = diags(src).find((x) => x.code === "E-rag-missing-reducer")!;
    expect(d.fixes).toHaveLength(1);
    const fixed = src.slice(0, d.fixes[0].span.start.offset) + d.fixes[0].replacement + src.slice(d.fixes[0].span.end.offset);
    expect(fixed).toBe("graph g { start a channel messages messages node a { next END } }");
    expect(diags(fixed).filter((x) => x.severity === "error")).toEqual([]);
    expect(diags("graph g { start a channel results\n}").find((x) => x.code === "E-rag-missing-reducer")!.fixes).toEqual([]);
  });
});

describe("send target missing input mapping", () => {
  it("a node target that reads args.K needs K in the send's map", () => {
    const base = (send: string) => `graph g { start a node a { send [${send}] join d } node w { prompt "Do {{ args.item }} for {{ args.who }}" } node d { next END } }`;
    expect(diags(base("w")).find((d) => d.code === "E-rag-missing-input")!.message).toContain("`item`, `who`");
    expect(diags(base('w { item: "x" }')).find((d) => d.code === "E-rag-missing-input")!.message).toContain("`who`");
    expect(codes(base('w { item: "x", who: "y" }'), "missing-input")).toEqual([]);
    expect(codes(base('w { item: "x", who: "y" }').replace("send [", 'send [w "path", '), "missing-input")).toEqual([]);
  });

  it("a key close to the one a node target reads gets did-you-mean and a fix that renames it (as a tool node's `input` does)", () => {
    const src = `graph g {\n  start a\n  input { id: string }\n  node a { kind set send [w { idd: input.id, note: "n" }] join d }\n  node w { prompt "Look up {{ args.id }}" }\n  node d { next END }\n}\n`;
    const d = diags(src).find((x) => x.code === "E-rag-missing-input")!;
    expect(d.message).toBe("send to node `w` without `id`: it needs it, but gets its argument map");
    expect(d.help).toBe("did you mean `id` for `idd`? (node `w` does not read `idd`)");
    expect(d.labels.map((l) => `${l.span.start.line}:${l.span.start.column} ${l.message}`)).toContain("4:31 did you mean `id`?");
    expect(d.fixes.map((f) => [f.span.start.column, f.replacement])).toEqual([[31, "id"]]);
    const fixed = fixAll(src, { file: "t.rag" });
    expect(fixed.text).toContain("send [w { id: input.id, note: \"n\" }]");
    expect(compile(fixed.text).diagnostics.filter((x) => x.severity === "error")).toEqual([]);
    // Nothing close: no guess, no fix.
    const far = diags(src.replace("idd:", "zzz:")).find((x) => x.code === "E-rag-missing-input")!;
    expect([far.help, far.fixes]).toEqual(["add `id: …` to the map", []]);
  });

  it("a same-file graph's required input comes from the map, or else from same-named state fields", () => {
    const child = "graph child { start c input { question: string, lang: string?, depth: number = 1 } node c { next END } }";
    expect(codes(`graph g { start a node a { send [child] join d } node d { next END } } ${child}`, "missing-input")).toEqual(["E-rag-missing-input"]);
    expect(codes(`graph g { start a state { question: string } node a { send [child] join d } node d { next END } } ${child}`, "missing-input")).toEqual([]);
    expect(codes(`graph g { start a node a { send [child { question: "q" }] join d } node d { next END } } ${child}`, "missing-input")).toEqual([]);
    expect(codes(`graph g { start a node a { kind subgraph graph "child" next END } } ${child}`, "missing-input")).toEqual(["E-rag-missing-input"]);
    expect(codes(`graph g { start a node a { kind subgraph graph "child" input { question: "q" } next END } } ${child}`, "missing-input")).toEqual([]);
  });

  it("an inline agent whose prompt reads input.K; registered agents are not checked", () => {
    const agent = 'agent helper { model "m" prompt "Answer {{ input.q }}" }';
    expect(codes(`${agent} graph g { start a node a { send [helper] join d } node d { next END } }`, "missing-input")).toEqual(["E-rag-missing-input"]);
    expect(codes(`${agent} graph g { start a node a { send [helper { q: "x" }] join d } node d { next END } }`, "missing-input")).toEqual([]);
    expect(codes("graph g { start a node a { send [registered] join d } node d { next END } }", "missing-input", { agents: ["registered"] })).toEqual([]);
  });
});

describe("interrupts without a checkpointer", () => {
  it("reports checkpoints turned off on the graph, in defaults, or on a pausing node", () => {
    expect(codes("graph g { start a checkpoint none interrupt before [a] node a { next END } }", "interrupt-without")).toHaveLength(1);
    expect(codes("graph g { start a defaults { checkpoint never } node a { kind interrupt options [\"ok\"] routes { ok -> END } } }", "interrupt-without")).toHaveLength(1);
    expect(codes("graph g { start a interrupt after [a] node a { checkpoint none next END } }", "interrupt-without")).toHaveLength(1);
  });

  it("accepts durable modes and graphs that never pause; reports a registry without a checkpointer", () => {
    expect(codes("graph g { start a checkpoint exit interrupt before [a] node a { next END } }", "interrupt-without")).toEqual([]);
    expect(codes("graph g { start a checkpoint none node a { next END } }", "interrupt-without")).toEqual([]);
    expect(codes("graph g { start a interrupt before [a] node a { next END } }", "interrupt-without", { checkpointer: false })).toHaveLength(1);
    expect(codes("graph g { start a interrupt before [a] node a { next END } }", "interrupt-without", { checkpointer: true })).toEqual([]);
  });
});

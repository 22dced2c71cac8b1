/**
 * Fan-out, branches and joins (`runtime.md` §2, `language.md` §2.3): a join runs exactly
 * once, after every branch of its fan-out has ended — branches of different lengths,
 * empty fan-outs, consecutive and nested fan-outs, static `next [b, c]` with a top-level
 * `join [..] -> d` barrier, and sends to registered agents.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { RunEvent } from "../../runtime/index.js";
import { scripted, standardRegistry } from "../../stdlib/index.js";
import { buildGraph, eventsOf, nodesPerStep, registerProbe, sleep } from "../helpers/run-graph.js";

type Ev<T extends RunEvent["type"]> = Extract<RunEvent, { type: T }>;
const ofType = <T extends RunEvent["type"]>(events: readonly RunEvent[], type: T) => events.filter((e): e is Ev<T> => e.type === type);

/** Step in which each node's tasks started, from task_started events. */
function stepsOf(events: readonly RunEvent[], node: string): number[] {
  return ofType(events, "task_started").filter((e) => e.node === node).map((e) => e.step);
}

describe("send + join", () => {
  const mapReduce = `graph g {
    start split
    input { items: list<string> }
    state { out: list<string> append  seen: list<string>? }
    node split { kind set send [worker { item: x } for x in input.items] join reduce }
    node worker { kind probe }
    node reduce { kind reducer_probe set { seen: state.out } next END }
  }`;

  function mapReduceGraph(workerDelay: (item: string) => number = () => 0) {
    const registry = standardRegistry();
    const workers = registerProbe(registry, "probe", async (task) => {
      const item = (task.args as { item: string }).item;
      await sleep(workerDelay(item));
      return { writes: [["out", `w:${item}`]] };
    });
    const reduces = registerProbe(registry, "reducer_probe");
    return { ...buildGraph(mapReduce, { registry }), workers, reduces };
  }

  it("one branch per item; the join runs exactly once, after every branch, and sees all their writes", async () => {
    const { graph, workers, reduces } = mapReduceGraph((item) => (item === "a" ? 25 : 0));
    const events = await eventsOf(graph, { items: ["a", "b", "c"] });
    expect(workers.map((w) => w.args)).toEqual([{ item: "a" }, { item: "b" }, { item: "c" }]);
    expect(reduces).toHaveLength(1);
    expect(nodesPerStep(events)).toEqual([["split"], ["worker", "worker", "worker"], ["reduce"]]);
    const done = events.at(-1) as Ev<"run_completed">;
    expect(done.state.seen).toEqual(["w:a", "w:b", "w:c"]);
    const sent = ofType(events, "send_dispatched");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ join: "reduce", wait: "all", targets: [{ node: "worker", args: { item: "a" } }, { node: "worker", args: { item: "b" } }, { node: "worker", args: { item: "c" } }] });
    const released = ofType(events, "join_released");
    expect(released).toHaveLength(1);
    expect(released[0]).toMatchObject({ fanoutId: sent[0].fanoutId, target: "reduce", branches: 3, succeeded: 3, step: 2 });
  });

  it("the same graph run twice keeps fan-out state per run", async () => {
    const { graph, reduces } = mapReduceGraph();
    const r1 = await graph.invoke({ items: ["x", "y"] });
    const r2 = await graph.invoke({ items: ["z"] });
    expect(r1.state.seen).toEqual(["w:x", "w:y"]);
    expect(r2.state.seen).toEqual(["w:z"]);
    expect(reduces).toHaveLength(2);
  });

  it("a fan-out of zero items releases the join right away, once", async () => {
    const { graph, workers, reduces } = mapReduceGraph();
    const events = await eventsOf(graph, { items: [] });
    expect(workers).toHaveLength(0);
    expect(reduces).toHaveLength(1);
    expect(nodesPerStep(events)).toEqual([["split"], ["reduce"]]);
    const released = ofType(events, "join_released");
    expect(released).toHaveLength(1);
    expect(released[0]).toMatchObject({ target: "reduce", branches: 0, succeeded: 0, step: 1 });
    expect((events.at(-1) as Ev<"run_completed">).state.seen).toEqual([]);
  });

  it("branches of different lengths release the join once, only after the longest branch ended", async () => {
    const registry = standardRegistry();
    const joins = registerProbe(registry, "probe");
    const src = `graph g {
      start split
      state { log: list<string> append }
      node split { kind set send [short {}, medium {}, long {}] join reduce }
      node short { kind set set { log: "short" } next END }
      node medium { kind set set { log: "medium" } next m2 }
      node m2 { kind set set { log: "m2" } }
      node long { kind set set { log: "long" } next l2 }
      node l2 { kind set set { log: "l2" } next l3 }
      node l3 { kind set set { log: "l3" } next reduce }
      node reduce { kind probe set { log: "reduce" } next END }
    }`;
    const { graph } = buildGraph(src, { registry });
    const events = await eventsOf(graph);
    expect(nodesPerStep(events)).toEqual([["split"], ["short", "medium", "long"], ["m2", "l2"], ["l3"], ["reduce"]]);
    expect(joins).toHaveLength(1);
    expect(joins[0].state.log).toEqual(["short", "medium", "long", "m2", "l2", "l3"]);
    expect(ofType(events, "join_released")).toHaveLength(1);
    expect(ofType(events, "join_released")[0].step).toBe(4);
    expect((events.at(-1) as Ev<"run_completed">).state.log).toEqual(["short", "medium", "long", "m2", "l2", "l3", "reduce"]);
  });

  it("comprehension branches of data-dependent lengths (routes on args) release the join once", async () => {
    const registry = standardRegistry();
    const joins = registerProbe(registry, "probe");
    const src = `graph g {
      start split
      input { depths: list<number> }
      state { log: list<string> append }
      node split { kind set send [w { depth: d } for d in input.depths] join reduce }
      node w { kind set set { log: "w" + json(args.depth) } routes { when args.depth >= 3 -> deep  when args.depth == 2 -> mid  else -> END } }
      node deep { kind set set { log: "deep" } next mid }
      node mid { kind set set { log: "mid" } }
      node reduce { kind probe next END }
    }`;
    const { graph } = buildGraph(src, { registry });
    const events = await eventsOf(graph, { depths: [1, 3, 2, 1] });
    expect(joins).toHaveLength(1);
    expect(stepsOf(events, "reduce")).toEqual([5]);
    // one mid task per branch that reaches it (the branches are separate)
    expect(stepsOf(events, "mid")).toEqual([3, 4]);
    expect(joins[0].state.log).toEqual(["w1", "w3", "w2", "w1", "deep", "mid", "mid"]);
  });

  it("a branch that routes to the join node ends there; the join still runs once", async () => {
    const registry = standardRegistry();
    const joins = registerProbe(registry, "probe");
    const src = `graph g {
      start split
      input { items: list<number> }
      node split { kind set send [w { n: x } for x in input.items] join reduce }
      node w { kind set next reduce }
      node reduce { kind probe next END }
    }`;
    const { graph } = buildGraph(src, { registry });
    const events = await eventsOf(graph, { items: [1, 2, 3, 4] });
    expect(joins).toHaveLength(1);
    expect(nodesPerStep(events)).toEqual([["split"], ["w", "w", "w", "w"], ["reduce"]]);
  });

  it("two consecutive fan-outs each release their own join once", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const src = `graph g {
      start first
      input { a: list<string>  b: list<string> }
      state { log: list<string> append }
      node first { kind set send [w1 { v: x } for x in input.a] join middle }
      node w1 { kind set set { log: "w1:" + args.v } }
      node middle { kind probe set { log: "middle" } send [w2 { v: y } for y in input.b] join last }
      node w2 { kind set set { log: "w2:" + args.v } next w2b }
      node w2b { kind set set { log: "w2b" } }
      node last { kind probe set { log: "last" } next END }
    }`;
    const { graph } = buildGraph(src, { registry });
    const events = await eventsOf(graph, { a: ["1", "2"], b: ["3", "4", "5"] });
    expect(calls.map((c) => c.node)).toEqual(["middle", "last"]);
    // Fan-in: the three branches' edges to w2b activate it once in the next step (LangGraph's Pregel semantics).
    expect(nodesPerStep(events)).toEqual([["first"], ["w1", "w1"], ["middle"], ["w2", "w2", "w2"], ["w2b"], ["last"]]);
    const released = ofType(events, "join_released");
    expect(released.map((e) => [e.target, e.branches])).toEqual([
      ["middle", 2],
      ["last", 3],
    ]);
    expect(new Set(ofType(events, "send_dispatched").map((e) => e.fanoutId)).size).toBe(2);
    expect((events.at(-1) as Ev<"run_completed">).state.log).toEqual(["w1:1", "w1:2", "middle", "w2:3", "w2:4", "w2:5", "w2b", "last"]);
  });

  it("nested fan-out: each inner join runs once per outer branch, the outer join once after all inner joins", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe", async (task) => {
      if (task.node.name === "leaf") await sleep((task.args as { v: number }).v % 3 === 0 ? 15 : 0);
      return { writes: [["log", task.node.name === "leaf" ? `leaf${(task.args as { v: number }).v}` : task.node.name]] };
    });
    const src = `graph g {
      start top
      input { groups: list<list<number>> }
      state { log: list<string> append }
      node top { kind set send [group { items: g } for g in input.groups] join final }
      node group { kind set send [leaf { v: x } for x in args.items] join inner }
      node leaf { kind probe routes { when args.v > 10 -> leaf_extra  else -> END } }
      node leaf_extra { kind probe }
      node inner { kind probe next inner_after }
      node inner_after { kind probe }
      node final { kind probe next END }
    }`;
    const { graph } = buildGraph(src, { registry });
    const events = await eventsOf(graph, { groups: [[1, 2], [], [3, 11, 12]] });
    const count = (n: string) => calls.filter((c) => c.node === n).length;
    expect(count("final")).toBe(1);
    expect(count("inner")).toBe(3);
    expect(count("inner_after")).toBe(3);
    expect(count("leaf")).toBe(5);
    // leaves 11 and 12 route to leaf_extra in the same step: it runs once for both (fan-in)
    expect(count("leaf_extra")).toBe(1);
    const finalStep = stepsOf(events, "final")[0];
    for (const n of ["inner", "inner_after", "leaf", "leaf_extra"]) for (const s of stepsOf(events, n)) expect(s).toBeLessThan(finalStep);
    // groups [1,2] and [3,11,12]: leaves at step 3, extras at 4, inner joins at 4 or 5, inner_after at 5 or 6
    expect(finalStep).toBe(7);
    // the empty group releases its inner join right away, in the step after `group`
    expect(stepsOf(events, "inner")).toEqual([3, 4, 5]);
    const released = ofType(events, "join_released");
    expect(released.filter((e) => e.target === "final")).toHaveLength(1);
    expect(released.filter((e) => e.target === "inner").map((e) => e.branches)).toEqual([0, 2, 3]);
    const finalCall = calls.find((c) => c.node === "final")!;
    expect([...(finalCall.state.log as string[])].sort()).toEqual(["inner", "inner", "inner", "inner_after", "inner_after", "inner_after", "leaf1", "leaf11", "leaf12", "leaf2", "leaf3", "leaf_extra"].sort());
  });

  it("`-> channel` collects each branch's result into an append channel in send-index order", async () => {
    const registry = standardRegistry();
    registerProbe(registry, "square", async (task) => {
      const n = (task.args as { n: number }).n;
      await sleep((5 - n) * 3);
      return { result: n * n };
    });
    const src = `graph g {
      start s
      input { ns: list<number> }
      state { squares: list<number> append }
      node s { kind set send [sq { n: x } for x in input.ns -> squares] join done }
      node sq { kind square }
      node done { kind set next END }
    }`;
    const { graph } = buildGraph(src, { registry });
    const r = await graph.invoke({ ns: [1, 2, 3, 4] });
    expect(r.state.squares).toEqual([1, 4, 9, 16]);
  });

  it("a node may both send and continue with `next`: the successor runs alongside the branches", async () => {
    const src = `graph g {
      start s
      state { log: list<string> append }
      node s { kind set send [w { n: 1 }, w { n: 2 }] next other }
      node w { kind set set { log: "w" } }
      node other { kind set set { log: "other" } next END }
    }`;
    const { graph } = buildGraph(src);
    const events = await eventsOf(graph);
    expect(nodesPerStep(events).map((s) => [...s].sort())).toEqual([["s"], ["other", "w", "w"]]);
    expect(ofType(events, "join_released")).toHaveLength(0);
  });
});

describe("static parallel fan-out with a barrier", () => {
  it("`next [b, c]` runs b and c in one step, and `join [b, c] -> d` runs d once", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const src = `graph g {
      start a
      state { log: list<string> append }
      node a { kind set set { log: "a" } next [b, c] }
      node b { kind set set { log: "b" } }
      node c { kind set set { log: "c" } }
      join [b, c] -> d
      node d { kind probe set { log: "d" } next END }
    }`;
    const { graph } = buildGraph(src, { registry });
    const events = await eventsOf(graph);
    expect(nodesPerStep(events)).toEqual([["a"], ["b", "c"], ["d"]]);
    expect(calls).toHaveLength(1);
    expect(calls[0].state.log).toEqual(["a", "b", "c"]);
    const released = ofType(events, "barrier_released");
    expect(released).toHaveLength(1);
    expect(released[0]).toMatchObject({ target: "d", sources: ["b", "c"] });
  });

  it("a barrier over sources of different depths waits for the last one", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const src = `graph g {
      start a
      node a { kind set next [b, c] }
      node b { kind set }
      node c { kind set next c2 }
      node c2 { kind set next c3 }
      node c3 { kind set }
      join [b, c3] -> d
      node d { kind probe next END }
    }`;
    const { graph } = buildGraph(src, { registry });
    const events = await eventsOf(graph);
    expect(nodesPerStep(events)).toEqual([["a"], ["b", "c"], ["c2"], ["c3"], ["d"]]);
    expect(calls).toHaveLength(1);
  });

  it("a barrier target reached by static edges from its sources runs once (the edges are subsumed)", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const src = `graph g {
      start a
      a -> b
      a -> c
      b -> d
      c -> d
      join [b, c] -> d
      node a { kind set }
      node b { kind set }
      node c { kind set }
      node d { kind probe next END }
    }`;
    const { graph } = buildGraph(src, { registry });
    const events = await eventsOf(graph);
    expect(nodesPerStep(events)).toEqual([["a"], ["b", "c"], ["d"]]);
    expect(calls).toHaveLength(1);
  });
});

describe("sends to registered agents (research_review shape)", () => {
  const src = `graph research_review {
    start supervisor
    channel messages messages
    channel findings append
    channel critiques append
    node supervisor {
      kind agent
      model "default"
      tools ["search"]
      send [
        research_agent { question: input.question },
        verifier_agent { question: input.question }
      ]
      join review
    }
    node review {
      kind sub_agent
      agent "final_reviewer"
      blocking true
      next END
    }
  }`;

  function setup() {
    const registry = standardRegistry();
    const lastUser = (req: { messages: readonly { role: string; content: string }[] }) => [...req.messages].reverse().find((m) => m.role === "user")?.content ?? "";
    const provider = scripted({
      rules: [
        { when: { node: "supervisor", lastRole: "user" }, reply: { toolCalls: [{ name: "search", arguments: { query: "joins" } }] } },
        { when: { node: "supervisor", lastRole: "tool" }, reply: "Plan: delegate." },
        { when: { agent: "research_agent" }, reply: (req) => `finding for ${lastUser(req)}` },
        { when: { agent: "verifier_agent" }, reply: "critique" },
        {
          when: { agent: "final_reviewer" },
          reply: (req) => {
            const input = JSON.parse(lastUser(req)) as { findings: unknown[]; critiques: unknown[] };
            return `review of ${input.findings.length} finding(s) and ${input.critiques.length} critique(s)`;
          },
        },
      ],
    });
    registry.registerModel("default", { provider, modelId: "scripted" });
    const searches: unknown[] = [];
    registry.registerTool("search", {
      description: "search",
      schema: z.object({ query: z.string() }),
      readOnly: true,
      run: (args) => {
        searches.push(args);
        return [{ id: "note", text: "joins run once" }];
      },
    });
    registry.registerAgent("research_agent", { model: "default", system: "research", writes: "findings" });
    registry.registerAgent("verifier_agent", { model: "default", system: "verify", writes: "critiques" });
    registry.registerAgent("final_reviewer", { model: "default", system: "review" });
    return { registry, provider, searches };
  }

  it("both agents run as branches, the review runs once after both, with their results in state", async () => {
    const { registry, provider, searches } = setup();
    const { graph } = buildGraph(src, { registry });
    const events = await eventsOf(graph, { question: "Q?" });
    const done = events.at(-1) as Ev<"run_completed">;
    expect(done.type).toBe("run_completed");
    expect(searches).toEqual([{ query: "joins" }]);
    expect(done.state.findings).toEqual([expect.stringContaining("finding for")]);
    expect(done.state.critiques).toEqual(["critique"]);
    expect(done.output).toBe("review of 1 finding(s) and 1 critique(s)");
    const byAgent = (a: string) => provider.requests.filter((r) => r.metadata?.agent === a).length;
    expect(byAgent("research_agent")).toBe(1);
    expect(byAgent("verifier_agent")).toBe(1);
    expect(byAgent("final_reviewer")).toBe(1);
    expect(nodesPerStep(events)).toEqual([["supervisor"], ["research_agent", "verifier_agent"], ["review"]]);
    const step2 = ofType(events, "step_started")[1];
    expect(step2.tasks.map((t) => [t.kind, t.trigger, t.branch])).toEqual([
      ["subagent", "send", 0],
      ["subagent", "send", 1],
    ]);
    const sent = ofType(events, "send_dispatched")[0];
    expect(sent.targets).toEqual([
      { node: "research_agent", args: { question: "Q?" } },
      { node: "verifier_agent", args: { question: "Q?" } },
    ]);
    expect(ofType(events, "join_released")).toHaveLength(1);
  });
});

describe("fan-out in a loop", () => {
  it("each iteration's fan-out releases its own join exactly once", async () => {
    const registry = standardRegistry();
    const joins = registerProbe(registry, "probe");
    const src = `graph g {
      start s
      defaults { recursion_limit 30 }
      state { log: list<string> append  i: number sum }
      node s { kind set set { i: 1 } send [w { n: x } for x in [1, 2, 3]] join done }
      node w { kind set set { log: "w" + json(args.n) } }
      node done { kind probe set { log: "done" } routes { when state.i < 3 -> s  else -> END } }
    }`;
    const { graph } = buildGraph(src, { registry });
    const events = await eventsOf(graph);
    expect(joins.map((j) => j.step)).toEqual([3, 6, 9]);
    expect(ofType(events, "join_released").map((e) => e.fanoutId)).toEqual(["f1", "f2", "f3"].map((_, i) => ofType(events, "send_dispatched")[i].fanoutId));
    const done = events.at(-1) as Ev<"run_completed">;
    expect(done.state.log).toEqual(["w1", "w2", "w3", "done", "w1", "w2", "w3", "done", "w1", "w2", "w3", "done"]);
  });

  it("a barrier in a loop releases once per iteration", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const src = `graph g {
      start a
      defaults { recursion_limit 30 }
      state { i: number sum }
      node a { kind set set { i: 1 } next [b, c] }
      node b { kind set }
      node c { kind set next c2 }
      node c2 { kind set }
      join [b, c2] -> d
      node d { kind probe routes { when state.i < 3 -> a  else -> END } }
    }`;
    const { graph } = buildGraph(src, { registry });
    await graph.invoke();
    expect(calls.map((c) => c.step)).toEqual([4, 8, 12]);
  });
});

describe("join policies", () => {
  function policyGraph(policy: string, workerKind = "maybe") {
    return `graph g {
      start s
      input { items: list<number> }
      state { log: list<string> append }
      node s { kind set send [w { n: x } for x in input.items] join done ${policy} }
      node w { kind ${workerKind} optional true }
      node done { kind probe set { log: "done" } next END }
    }`;
  }
  /** `maybe` succeeds for n == 1 and fails otherwise; `probe` records the join. */
  function policyRegistry() {
    const registry = standardRegistry();
    registry.registerNodeKind("maybe", async (task) => {
      const n = (task.args as { n: number }).n;
      if (n !== 1) throw new Error(`branch ${n} failed`);
      return { writes: [["log", `ok${n}`]] };
    });
    const joins = registerProbe(registry, "probe");
    return { registry, joins };
  }

  it("optional branches that fail let their siblings finish; the join runs once (wait all)", async () => {
    const { registry, joins } = policyRegistry();
    const { graph } = buildGraph(policyGraph(""), { registry });
    const events = await eventsOf(graph, { items: [2, 1, 3] });
    expect(joins).toHaveLength(1);
    expect(ofType(events, "task_failed").map((e) => [e.node, e.handled])).toEqual([
      ["w", true],
      ["w", true],
    ]);
    expect(ofType(events, "join_released")[0]).toMatchObject({ branches: 3, succeeded: 1 });
    expect((events.at(-1) as Ev<"run_completed">).state.log).toEqual(["ok1", "done"]);
  });

  it("a failing required branch fails the run and the join never runs", async () => {
    const { registry, joins } = policyRegistry();
    const src = policyGraph("").replace("optional true", "");
    const { graph } = buildGraph(src, { registry });
    const events = await eventsOf(graph, { items: [1, 2] });
    expect(joins).toHaveLength(0);
    const last = events.at(-1) as Ev<"run_failed">;
    expect(last.type).toBe("run_failed");
    expect(String(last.error.message)).toContain("branch 2 failed");
  });

  it("wait first: the first branch to end successfully releases the join; the other branches' later nodes never run", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const src = `graph g {
      start s
      state { log: list<string> append }
      node s { kind set send [fast {}, slow {}] join done wait first }
      node fast { kind set set { log: "fast" } }
      node slow { kind set set { log: "slow" } next slow2 }
      node slow2 { kind probe }
      node done { kind probe set { log: "done" } next END }
    }`;
    const { graph } = buildGraph(src, { registry });
    const events = await eventsOf(graph);
    expect(calls.map((c) => c.node)).toEqual(["done"]);
    expect(nodesPerStep(events)).toEqual([["s"], ["fast", "slow"], ["done"]]);
    expect(ofType(events, "join_released")[0]).toMatchObject({ branches: 2, succeeded: 1, target: "done" });
  });

  // runtime.md §2: `wait first` aborts the losing branches' in-flight tasks as soon as
  // one branch wins, within the superstep.
  it("wait first: a losing branch's in-flight task is cancelled through its AbortSignal", async () => {
    const registry = standardRegistry();
    let slowAborted = false;
    registry.registerNodeKind("slow", async (task) => {
      try {
        await sleep(60_000, task.signal); // ends only by the abort
      } catch (e) {
        slowAborted = true;
        throw e;
      }
      return {};
    });
    const joins = registerProbe(registry, "probe");
    const src = `graph g {
      start s
      node s { kind set send [fast {}, slow {}] join done wait first }
      node fast { kind set next END }
      node slow { kind slow }
      node done { kind probe next END }
    }`;
    const { graph } = buildGraph(src, { registry });
    const t0 = Date.now();
    const r = await graph.invoke();
    expect(r.steps).toBe(3);
    expect(joins).toHaveLength(1);
    expect(slowAborted).toBe(true);
    // Far below the minute the slow branch would take, far above a loaded machine's delays.
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it("wait first: a losing branch's nested fan-out is cancelled too", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const src = `graph g {
      start s
      node s { kind set send [fast {}, slow {}] join done wait first }
      node fast { kind set }
      node slow { kind set send [leaf { v: x } for x in [1, 2]] join inner }
      node leaf { kind probe next leaf2 }
      node leaf2 { kind probe }
      node inner { kind probe }
      node done { kind probe next END }
    }`;
    const { graph } = buildGraph(src, { registry });
    const events = await eventsOf(graph);
    expect(calls.map((c) => c.node)).toEqual(["done"]);
    expect((events.at(-1) as Ev<"run_completed">).steps).toBe(3);
  });

  it("wait N: continues once N branches succeeded and cancels the rest", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const src = `graph g {
      start s
      input { items: list<number> }
      node s { kind set send [w { n: x } for x in input.items] join done wait 2 }
      node w { kind set routes { when args.n > 2 -> w2  else -> END } }
      node w2 { kind probe }
      node done { kind probe next END }
    }`;
    const { graph } = buildGraph(src, { registry });
    const events = await eventsOf(graph, { items: [1, 2, 3, 4] });
    expect(calls.map((c) => c.node)).toEqual(["done"]);
    // branches 3 and 4 both route to w2: one w2 task (fan-in) carries on the first, the other branch ends there
    expect(ofType(events, "join_released")[0]).toMatchObject({ branches: 4, succeeded: 3, target: "done" });
    expect(ofType(events, "send_dispatched")[0]).toMatchObject({ wait: 2 });
  });

  it("wait N: fails when N successes can no longer be reached", async () => {
    const { registry, joins } = policyRegistry();
    const { graph } = buildGraph(policyGraph("wait 2"), { registry });
    const events = await eventsOf(graph, { items: [1, 2, 3] });
    expect(joins).toHaveLength(0);
    expect(events.at(-1)!.type).toBe("run_failed");
    await expect(graph.invoke({ items: [1, 2, 3] })).rejects.toBeInstanceOf(Error);
  });

  it("wait first: fails when every branch failed (no branch can win)", async () => {
    const { registry, joins } = policyRegistry();
    const { graph } = buildGraph(policyGraph("wait first"), { registry });
    const events = await eventsOf(graph, { items: [2, 3] });
    expect(joins).toHaveLength(0);
    expect(events.at(-1)!.type).toBe("run_failed");
  });
});

/**
 * The superstep loop (`runtime.md` §1): frozen snapshots shared by every task of a step,
 * the barrier's deterministic apply (concurrent overwrite → InvalidConcurrentUpdateError,
 * aggregate channels merged in task order), routing (static edges, `when`/`else`, labels,
 * `command goto`), deduplication of plain activations, concurrency and long runs. The
 * recursion limit and write validation are in `limits-validation.test.ts`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidConcurrentUpdateError, NodeError, type RunEvent } from "../../runtime/index.js";
import { scripted } from "../../stdlib/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { buildGraph, eventsOf, failure, nodesPerStep, registerProbe, runGraph, sleep } from "../helpers/run-graph.js";

describe("frozen snapshots", () => {
  it("a node that assigns to task.state throws, and a sibling still sees the committed value", async () => {
    const registry = standardRegistry();
    const seen: Record<string, unknown> = {};
    registry.registerNodeKind("mutator", async (task) => {
      const state = task.state as Record<string, unknown>;
      for (const [what, attempt] of [
        ["assign", () => void (state.counter = 99)],
        ["nested", () => void ((state.items as unknown[]).push("evil"))],
        ["deep", () => void ((state.meta as { inner: { v: number } }).inner.v = 42)],
        ["delete", () => void delete state.counter],
      ] as const) {
        try {
          attempt();
          seen[what] = "mutated";
        } catch (e) {
          seen[what] = e instanceof TypeError ? "TypeError" : String(e);
        }
      }
      return {};
    });
    registry.registerNodeKind("reader", async (task) => {
      await sleep(15); // the mutator has run by now
      seen.sibling = { counter: task.state.counter, items: task.state.items, inner: (task.state.meta as { inner: unknown }).inner };
      return {};
    });
    const src = `graph g {
      start s
      state { counter: number = 1  items: list<string> append  meta: any }
      node s { kind set set { items: "a", meta: { inner: { v: 1 } } } next [m, r] }
      node m { kind mutator next END }
      node r { kind reader next END }
    }`;
    const res = await runGraph(src, {}, { registry });
    expect(seen.assign).toBe("TypeError");
    expect(seen.nested).toBe("TypeError");
    expect(seen.deep).toBe("TypeError");
    expect(seen.delete).toBe("TypeError");
    expect(seen.sibling).toEqual({ counter: 1, items: ["a"], inner: { v: 1 } });
    expect(res.state).toEqual({ counter: 1, items: ["a"], meta: { inner: { v: 1 } } });
  });

  it("an uncaught mutation attempt fails the run with a NodeError naming the node", async () => {
    const registry = standardRegistry();
    registry.registerNodeKind("mutator", async (task) => {
      (task.state as Record<string, unknown>).counter = 5;
      return {};
    });
    const src = `graph g { start m  state { counter: number = 0 }  node m { kind mutator next END } }`;
    const err = await failure(runGraph(src, {}, { registry }));
    expect(err).toBeInstanceOf(NodeError);
    expect((err as NodeError).node).toBe("m");
    expect((err as NodeError).graph).toBe("g");
  });

  it("the final state of a run is deeply frozen", async () => {
    const r = await runGraph(`graph g { start a state { xs: list<any> append } node a { kind set set { xs: { k: 1 } } next END } }`);
    expect(Object.isFrozen(r.state)).toBe(true);
    expect(Object.isFrozen(r.state.xs)).toBe(true);
    expect(Object.isFrozen((r.state.xs as object[])[0])).toBe(true);
  });

  it("every task of a step sees the same snapshot; siblings never see each other's writes", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe", async (task) => {
      if (task.node.name === "slow") await sleep(20);
      return { writes: [["log", `${task.node.name} saw x=${task.state.x}`]] };
    });
    const src = `graph g {
      start s
      state { x: number = 0  log: list<string> append }
      node s { kind set next [fast, writer, slow] }
      node fast { kind probe next END }
      node writer { kind set set { x: 42 } next END }
      node slow { kind probe next after }
      node after { kind probe next END }
    }`;
    const r = await runGraph(src, {}, { registry });
    expect(r.state.log).toEqual(["fast saw x=0", "slow saw x=0", "after saw x=42"]);
    const step2 = calls.filter((c) => c.step === 2);
    expect(step2.map((c) => c.node)).toEqual(["fast", "slow"]);
    expect(step2[0].state).toBe(step2[1].state);
    expect(Object.isFrozen(step2[0].state)).toBe(true);
  });

  it("a set expression of a node reads the snapshot of its own step, not its sibling's writes", async () => {
    const src = `graph g {
      start s
      state { n: number = 1  a_saw: number?  b_saw: number? }
      node s { kind set next [a, b] }
      node a { kind set set { n: state.n + 10, a_saw: state.n } next END }
      node b { kind set set { b_saw: state.n } next END }
    }`;
    const r = await runGraph(src);
    expect(r.state).toMatchObject({ n: 11, a_saw: 1, b_saw: 1 });
  });
});

describe("the barrier: concurrent writes", () => {
  it("two tasks writing one overwrite channel fail the run with InvalidConcurrentUpdateError naming both", async () => {
    const src = `graph g {
      start s
      state { v: number = 0 }
      node s { kind set next [left, right] }
      node left { kind set set { v: 1 } next END }
      node right { kind set set { v: 2 } next END }
    }`;
    const err = await failure(runGraph(src));
    expect(err).toBeInstanceOf(InvalidConcurrentUpdateError);
    const e = err as InvalidConcurrentUpdateError;
    expect(e.code).toBe("invalid_concurrent_update");
    expect(e.channel).toBe("v");
    expect(e.graph).toBe("g");
    expect(e.step).toBe(2);
    expect(e.tasks).toHaveLength(2);
    expect(e.tasks[0]).toMatch(/^left \(/);
    expect(e.tasks[1]).toMatch(/^right \(/);
    expect(e.message).toContain("left");
    expect(e.message).toContain("right");
  });

  it("two send branches writing one overwrite channel also conflict", async () => {
    const src = `graph g {
      start s
      input { items: list<string> }
      state { last: string? }
      node s { kind set send [w { item: x } for x in input.items] join done }
      node w { kind set set { last: args.item } }
      node done { kind set next END }
    }`;
    const err = await failure(runGraph(src, { items: ["a", "b"] }));
    expect(err).toBeInstanceOf(InvalidConcurrentUpdateError);
    expect((err as InvalidConcurrentUpdateError).tasks).toHaveLength(2);
    // a single branch is fine
    const ok = await runGraph(src, { items: ["only"] });
    expect(ok.state.last).toBe("only");
  });

  it("one task writing an overwrite channel twice keeps its last write", async () => {
    const registry = standardRegistry();
    registerProbe(registry, "twice", async () => ({ writes: [["v", 1], ["v", 2]] }));
    const r = await runGraph(`graph g { start a  state { v: number = 0 }  node a { kind twice set { v: 3 } next END } }`, {}, { registry });
    expect(r.state.v).toBe(3);
  });

  it("append channels merge parallel writes in activation order, whatever the completion order", async () => {
    const registry = standardRegistry();
    const delays: Record<string, number> = { a: 30, b: 15, c: 0 };
    const finished: string[] = [];
    registerProbe(registry, "probe", async (task) => {
      await sleep(delays[task.node.name]);
      finished.push(task.node.name);
      return { writes: [["log", [`${task.node.name}1`, `${task.node.name}2`]]] };
    });
    const src = `graph g {
      start s
      state { log: list<string> append }
      node s { kind set next [a, b, c] }
      node a { kind probe next END }
      node b { kind probe next END }
      node c { kind probe next END }
    }`;
    const r = await runGraph(src, {}, { registry });
    expect(finished).toEqual(["c", "b", "a"]);
    expect(r.state.log).toEqual(["a1", "a2", "b1", "b2", "c1", "c2"]);
  });

  it("property: send branches append in send-index order whatever their completion order", async () => {
    const registry = standardRegistry();
    registerProbe(registry, "worker", async (task) => {
      const { item, delay } = task.args as { item: number; delay: number };
      await sleep(delay);
      return { writes: [["out", item]] };
    });
    const src = `graph g {
      start s
      input { jobs: list<any> }
      state { out: list<number> append }
      node s { kind set send [w { item: j.item, delay: j.delay } for j in input.jobs] join done }
      node w { kind worker }
      node done { kind set next END }
    }`;
    const { graph } = buildGraph(src, { registry });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 6 }), async (delays) => {
        const jobs = delays.map((delay, item) => ({ item, delay }));
        const r = await graph.invoke({ jobs });
        expect(r.state.out).toEqual(delays.map((_, i) => i));
      }),
      { numRuns: 15 },
    );
  });

  it("writes of one step are applied in the order of the step's tasks (sends in send-index order)", async () => {
    const registry = standardRegistry();
    registerProbe(registry, "probe", async (task) => {
      await sleep(task.node.name === "x" ? 20 : 10 - Number((task.args as { n?: number } | undefined)?.n ?? 0) * 4);
      return { writes: [["log", task.node.name === "x" ? "x" : `w${(task.args as { n: number }).n}`]] };
    });
    const src = `graph g {
      start s
      state { log: list<string> append }
      node s { kind set send [w { n: 1 }, w { n: 2 }] next x }
      node x { kind probe next END }
      node w { kind probe }
    }`;
    const { graph } = buildGraph(src, { registry });
    const events = await eventsOf(graph);
    const step2 = events.find((e): e is Extract<RunEvent, { type: "step_started" }> => e.type === "step_started" && e.step === 2)!;
    expect([...step2.tasks.map((t) => t.node)].sort()).toEqual(["w", "w", "x"]);
    const sendTasks = step2.tasks.filter((t) => t.node === "w");
    expect(sendTasks.map((t) => t.branch)).toEqual([0, 1]);
    const expected = step2.tasks.map((t) => (t.node === "x" ? "x" : `w${(t.branch ?? 0) + 1}`));
    const done = events.at(-1) as Extract<RunEvent, { type: "run_completed" }>;
    expect(done.type).toBe("run_completed");
    expect(done.state.log).toEqual(expected);
  });
});

describe("routing", () => {
  it("static edges, chains and START edges run nodes in order, one per step", async () => {
    const src = `graph g {
      state { log: list<string> append }
      START -> a
      a -> b -> c
      c -> END
      node a { kind set set { log: "a" } }
      node b { kind set set { log: "b" } }
      node c { kind set set { log: "c" } }
    }`;
    const { graph } = buildGraph(src);
    const events = await eventsOf(graph);
    expect(nodesPerStep(events)).toEqual([["a"], ["b"], ["c"]]);
    const r = await graph.invoke();
    expect(r.state.log).toEqual(["a", "b", "c"]);
    expect(r.steps).toBe(3);
  });

  it("when/else routes: the first true condition wins, else when none is true", async () => {
    const src = `graph g {
      start decide
      input { n: number }
      state { n: number = 0  path: string? }
      node decide { kind set set { n: input.n } routes { when state.n > 5 -> big  when state.n > 2 -> mid  else -> small } }
      node big { kind set set { path: "big" } next END }
      node mid { kind set set { path: "mid" } next END }
      node small { kind set set { path: "small" } next END }
    }`;
    const { graph } = buildGraph(src);
    // conditions see the state after the deciding node's own writes were applied
    expect((await graph.invoke({ n: 10 })).state.path).toBe("big");
    expect((await graph.invoke({ n: 3 })).state.path).toBe("mid");
    expect((await graph.invoke({ n: 0 })).state.path).toBe("small");
  });

  it("when routes without else: no true condition ends the run", async () => {
    const src = `graph g {
      start r
      input { go: boolean }
      state { visited: boolean = false }
      node r { kind router routes { when input.go -> x } }
      node x { kind set set { visited: true } next END }
    }`;
    const { graph, warnings } = buildGraph(src);
    expect(warnings.some((w) => w.includes("W-rag-routes-without-else"))).toBe(true);
    expect((await graph.invoke({ go: true })).state.visited).toBe(true);
    const r = await graph.invoke({ go: false });
    expect(r.state.visited).toBe(false);
    expect(r.steps).toBe(1);
    // the events say why the run ended: no route matched
    const ev = await eventsOf(graph, { go: false });
    expect(ev.filter((e) => e.type === "route_selected")).toEqual([expect.objectContaining({ from: "r", via: "none", targets: [] })]);
    expect(ev.at(-1)?.type).toBe("run_completed");
    expect((await eventsOf(graph, { go: true })).filter((e) => e.type === "route_selected").map((e) => e.type === "route_selected" && e.via)).toEqual(["when"]);
  });

  it("route_selected events report the chosen branch", async () => {
    const src = `graph g {
      start r
      input { n: number }
      node r { kind router routes { when input.n == 1 -> one  else -> other } }
      node one { kind set next END }
      node other { kind set next END }
    }`;
    const { graph } = buildGraph(src);
    const ev = (await eventsOf(graph, { n: 2 })).filter((e) => e.type === "route_selected");
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ from: "r", via: "else", targets: ["other"] });
  });

  it("labelled routes follow the label the node chose", async () => {
    const registry = standardRegistry();
    registerProbe(registry, "chooser", async (task) => ({ route: task.input.choice as string }));
    const src = `graph g {
      start c
      input { choice: string }
      state { path: string? }
      node c { kind chooser routes { yes -> y  no -> n  stop -> END } }
      node y { kind set set { path: "y" } next END }
      node n { kind set set { path: "n" } next END }
    }`;
    const { graph } = buildGraph(src, { registry });
    expect((await graph.invoke({ choice: "yes" })).state.path).toBe("y");
    expect((await graph.invoke({ choice: "no" })).state.path).toBe("n");
    const stopped = await graph.invoke({ choice: "stop" });
    expect(stopped.state.path).toBeNull();
    expect(stopped.steps).toBe(1);
    const err = await failure(graph.invoke({ choice: "maybe" }));
    expect(err).toBeInstanceOf(NodeError);
    expect(err.message).toContain("maybe");
    expect((err as NodeError).node).toBe("c");
  });

  it("a router node with a registered route function follows the label it returns", async () => {
    const registry = standardRegistry();
    const seen: unknown[] = [];
    registry.routers.set("by_size", (state) => {
      seen.push(state.n);
      return (state.n as number) > 10 ? "big" : "small";
    });
    const src = `graph g {
      start set_n
      input { n: number }
      state { n: number = 0  path: string? }
      node set_n { kind set set { n: input.n } next r }
      node r { kind router route "by_size" routes { big -> b  small -> s } }
      node b { kind set set { path: "big" } next END }
      node s { kind set set { path: "small" } next END }
    }`;
    const { graph } = buildGraph(src, { registry });
    expect((await graph.invoke({ n: 50 })).state.path).toBe("big");
    expect((await graph.invoke({ n: 5 })).state.path).toBe("small");
    expect(seen).toEqual([50, 5]);
  });

  it("a model node with custom route labels routes by the label the model chose", async () => {
    const registry = standardRegistry();
    const provider = scripted({ rules: [{ when: { node: "judge" }, reply: { text: "I reject this", route: "reject" } }] });
    registry.registerModel("m", { provider, modelId: "scripted" });
    const src = `graph g {
      start judge
      state { verdict: string? }
      node judge { kind model model "m" prompt "judge it" routes { approve -> ok  reject -> ko } }
      node ok { kind set set { verdict: "approved" } next END }
      node ko { kind set set { verdict: "rejected" } next END }
    }`;
    const r = await runGraph(src, {}, { registry });
    expect(r.state.verdict).toBe("rejected");
    expect(provider.requests).toHaveLength(1);
    expect(provider.requests[0].routeLabels).toEqual(["approve", "reject"]);
  });

  it("command goto routes to its target and its update is written", async () => {
    const src = `graph g {
      start a
      state { k: number = 0  log: list<string> append }
      node a { kind set set { log: "a" } command { goto c update { k: 7 } } }
      node b { kind set set { log: "b" } next END }
      node c { kind set set { log: "c" } next END }
    }`;
    const r = await runGraph(src);
    expect(r.state.log).toEqual(["a", "c"]);
    expect(r.state.k).toBe(7);
  });

  it("plain activations of one node in a step are deduplicated (two nodes both `next c` run c once)", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const src = `graph g {
      start s
      node s { kind set next [a, b] }
      node a { kind set next c }
      node b { kind set next c }
      node c { kind probe next END }
    }`;
    const { graph } = buildGraph(src, { registry });
    const events = await eventsOf(graph);
    expect(nodesPerStep(events)).toEqual([["s"], ["a", "b"], ["c"]]);
    expect(calls).toHaveLength(1);
  });

  it("a node activated by an edge and a route in the same step runs once", async () => {
    const registry = standardRegistry();
    const calls = registerProbe(registry, "probe");
    const src = `graph g {
      start s
      node s { kind set next [a, b] }
      node a { kind set next c }
      node b { kind router routes { when true -> c  else -> END } }
      node c { kind probe next END }
    }`;
    await runGraph(src, {}, { registry });
    expect(calls).toHaveLength(1);
  });
});

describe("concurrency", () => {
  function wide(registry: ReturnType<typeof standardRegistry>, extra = "") {
    let inFlight = 0;
    let maxInFlight = 0;
    registerProbe(registry, "probe", async (task) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(3);
      inFlight--;
      return { writes: [["out", (task.args as { n: number }).n]] };
    });
    const { graph } = buildGraph(`graph g {
      start s
      ${extra}
      input { items: list<number> }
      state { out: list<number> append }
      node s { kind set send [w { n: x } for x in input.items] join done }
      node w { kind probe }
      node done { kind set next END }
    }`, { registry });
    return { graph, max: () => maxInFlight };
  }

  it("tasks of a step run concurrently by default", async () => {
    const { graph, max } = wide(standardRegistry());
    const r = await graph.invoke({ items: [0, 1, 2, 3, 4, 5] });
    expect(max()).toBe(6);
    expect(r.state.out).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("`defaults { concurrency N }` and the concurrency option bound the tasks in flight; write order is unchanged", async () => {
    const a = wide(standardRegistry(), "defaults { concurrency 2 }");
    const r = await a.graph.invoke({ items: [0, 1, 2, 3, 4, 5] });
    expect(a.max()).toBe(2);
    expect(r.state.out).toEqual([0, 1, 2, 3, 4, 5]);
    const b = wide(standardRegistry());
    const r2 = await b.graph.invoke({ items: [0, 1, 2, 3, 4] }, { concurrency: 1 });
    expect(b.max()).toBe(1);
    expect(r2.state.out).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("long runs", () => {
  it("a long run does not accumulate abort listeners (no MaxListenersExceededWarning)", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    try {
      const src = `graph g {
        start a
        defaults { recursion_limit 60 }
        state { n: number = 0 }
        node a { kind set set { n: state.n + 1 } routes { when state.n < 40 -> a  else -> END } }
      }`;
      const r = await runGraph(src);
      expect(r.state.n).toBe(40);
      await sleep(5); // warnings are emitted on a later tick
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.filter((w) => w.startsWith("MaxListenersExceededWarning"))).toEqual([]);
  });
});

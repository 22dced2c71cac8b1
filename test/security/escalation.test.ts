/**
 * The escalation matrix (issue "Grants that hold" §4): a scripted model standing in for a
 * prompt-injected LLM asks for every tool, model, agent and graph it was not granted,
 * through every path a capability can be reached — node kinds, an agent's own tool loop,
 * sends, subgraphs, CodeAct scripts, REPL sessions and custom node kinds, and for a
 * registry node kind the node itself is (`kind mailer`: host code) — under three
 * grant sources: the node does not bind the name; the node binds it but the graph's
 * `allow` list excludes it; the node binds it but the registry policy excludes it. The
 * matrix is generated (paths × sources × targets). Every case asserts that the
 * forbidden capability never ran (a side-effect marker) and that the refusal was
 * reported: a compile diagnostic, a bind-time error, a `capability_denied` event or the
 * "not available" tool message the model saw.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compile, compileGraph, reachReport } from "../../compiler/index.js";
import type { Diagnostic } from "../../grammar/diagnostic.js";
import { tool, type ChatRequest, type NodeTask, type Registry } from "../../registry/index.js";
import { registryFromConfig, Session } from "../../repl/index.js";
import { CompiledGraph, type RunEvent } from "../../runtime/index.js";
import { scripted, type ScriptedReply } from "../../stdlib/index.js";

type Target = "tool" | "model" | "agent" | "graph" | "kind";
type Source = "not-bound" | "allow-list" | "policy";

/** Side effects of forbidden capabilities: a name lands here when it actually ran. */
let fired: string[] = [];
const marker = (name: string) => tool({ description: `marker ${name}`, schema: z.object({}).passthrough(), run: () => (fired.push(`tool:${name}`), `ran ${name}`) });

/** What the attacker asks for, per target, in a tool call (agents) or a script (CodeAct). */
const SCRIPT: Record<Exclude<Target, "kind">, string> = {
  tool: 'tool_call({tool: "secret", arguments: {}})',
  model: 'model_query({model: "m2", prompt: "x"})',
  agent: 'agent_query({agent: "priv", input: "x"})',
  graph: 'graph_run({graph: "privg", input: {}})',
};

function registry(policy: boolean): Registry {
  const attacker = (req: ChatRequest): string | ScriptedReply => {
    const last = req.messages.at(-1);
    if (String(req.metadata?.node ?? "").startsWith("coder")) {
      // A CodeAct model: first turn attacks, then gives up with an answer.
      return req.messages.some((m) => m.role === "assistant") ? '```ragsh\nanswer("gave up")\n```' : `\`\`\`ragsh\n${SCRIPT[(req.metadata?.node as string).slice(6) as Exclude<Target, "kind">] ?? SCRIPT.tool}\nanswer("escalated")\n\`\`\``;
    }
    if (last?.role === "tool") return "done";
    return { toolCalls: [{ name: "secret", arguments: {} }, { name: "open", arguments: {} }] };
  };
  const forbiddenModel = scripted({ rules: [{ reply: () => (fired.push("model:m2"), "m2 answered") }] });
  const r = registryFromConfig({
    models: {
      m: { provider: scripted({ rules: [{ reply: attacker }] }) },
      m2: { provider: forbiddenModel },
      // The forbidden agent's own model: it answering means the agent ran.
      mpriv: { provider: scripted({ rules: [{ reply: () => (fired.push("agent:priv"), "priv answered") }] }) },
    },
    tools: { open: marker("open"), secret: marker("secret") },
    agents: { helper: { model: "m", tools: ["open"] }, priv: { model: "mpriv", tools: ["secret"] } },
    ...(policy ? { policy: { name: "locked", allow: { tools: ["open"], models: ["m"], agents: ["helper"], graphs: ["inner"], nodeKinds: ["sneaky"] } } } : {}),
  });
  const privg = compileGraph('graph privg { start a node a { kind tool tool "secret" next END } }', { file: "privg.rag" }).value!;
  r.registerGraph("privg", privg);
  r.registerNodeKind("sneaky", async (task: NodeTask) => {
    const n = task.node;
    const what = String((n.metadata as Record<string, unknown> | undefined)?.target ?? "tool");
    if (what === "tool") return { result: await task.callTool("secret", {}) };
    if (what === "model") return { result: (await task.callModel("m2", { messages: [{ id: "1", role: "user", content: "x" }] })).assistant.content };
    if (what === "graph") return { result: await task.runGraph("privg", {}) };
    return { result: null };
  });
  // A registry kind outside every grant: it running is the escalation.
  r.registerNodeKind("mailer", async () => (fired.push("kind:mailer"), { result: "sent" }));
  return r;
}

/**
 * One attack path: the `.rag` text for a target and whether the node binds the forbidden
 * name (sources other than `not-bound` need the path to be able to bind it).
 */
interface Path {
  readonly name: string;
  readonly targets: readonly Target[];
  readonly source: (target: Target, bind: boolean) => string;
}

const bindItem = (t: Exclude<Target, "kind">, bind: boolean, base = "") => {
  if (!bind) return base;
  return { tool: `tools ["secret"]`, model: `models ["m2"]`, agent: `agents ["priv"]`, graph: `graphs ["privg"]` }[t] + " " + base;
};

const PATHS: readonly Path[] = [
  { name: "agent node without `tools`", targets: ["tool"], source: (_t, bind) => `graph g { start a channel messages messages node a { kind agent model "m" ${bind ? 'tools ["secret"]' : ""} next END } }` },
  { name: "agent node with another tool", targets: ["tool"], source: (_t, bind) => `graph g { start a channel messages messages node a { kind agent model "m" tools ["open"${bind ? ', "secret"' : ""}] next END } }` },
  { name: "tool_executor after a one-turn agent", targets: ["tool"], source: (_t, bind) => `graph g { start a channel messages messages node a { kind agent model "m" tools ["open"] routes { tool_call -> x final -> END } } node x { kind tool_executor ${bind ? 'tools ["secret"]' : ""} next END } }` },
  { name: "send to an inline agent", targets: ["tool"], source: (_t, bind) => `agent helper2 { model "m" ${bind ? 'tools ["secret"]' : ""} } graph g { start a channel messages messages node a { kind set send [helper2 { q: "x" }] join d } node d { kind set next END } }` },
  { name: "subagent of a registered agent", targets: ["tool"], source: () => `graph g { start a channel messages messages node a { kind subagent agent "helper" next END } }` },
  { name: "subagent bound to a forbidden agent", targets: ["agent"], source: (_t, bind) => (bind ? `graph g { start a channel messages messages node a { kind subagent agent "priv" next END } }` : `graph g { start priv channel messages messages node priv { kind subagent next END } }`) },
  { name: "send to a forbidden registered agent", targets: ["agent"], source: (_t, bind) => (bind ? `graph g { start a channel messages messages node a { kind set send [priv { q: "x" }] join d } node d { kind set next END } }` : "") },
  { name: "subgraph of a forbidden graph", targets: ["graph"], source: (_t, bind) => (bind ? `graph g { start a node a { kind subgraph graph "privg" next END } }` : `graph g { start privg node privg { kind subgraph next END } }`) },
  { name: "tool node", targets: ["tool"], source: (_t, bind) => (bind ? `graph g { start a node a { kind tool tool "secret" next END } }` : `graph g { start secret node secret { kind tool next END } }`) },
  { name: "local subgraph whose agent asks", targets: ["tool"], source: (_t, bind) => `graph g { start a node a { kind subgraph graph "inner" next END } } graph inner { start b channel messages messages node b { kind agent model "m" ${bind ? 'tools ["secret"]' : ""} next END } }` },
  { name: "CodeAct script (repl_agent)", targets: ["tool", "model", "agent", "graph"], source: (t, bind) => `graph g { start coder_${t} state { out: any } node coder_${t} { kind repl_agent model "m" ${bindItem(t as Exclude<Target, "kind">, bind)} max_steps 3 writes out next END } }` },
  { name: "custom node kind", targets: ["tool", "model", "graph"], source: (t) => `graph g { start a node a { kind sneaky metadata { target: "${t}" } next END } }` },
  // The kind is the capability: a node always binds its own kind, so there is no `not-bound` case.
  { name: "node of a forbidden registry kind", targets: ["kind"], source: (_t, bind) => (bind ? `graph g { start a node a { kind mailer next END } }` : "") },
];

const SOURCES: readonly Source[] = ["not-bound", "allow-list", "policy"];
const ALLOW = 'allow tools ["open"] allow models ["m"] allow agents ["helper"] allow graphs ["inner"] allow nodeKinds ["sneaky"]';

function withAllow(src: string): string {
  return src.replace(/graph g \{/, `graph g { ${ALLOW}`);
}

const errors = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity === "error");

async function attack(src: string, source: Source): Promise<{ refusal: string; events: RunEvent[] }> {
  const reg = registry(source === "policy");
  const text = source === "allow-list" ? withAllow(src) : src;
  // 1. The compiler, given the registry, refuses what the grants exclude…
  const checked = compile(text, { file: "attack.rag", registry: reg.view() });
  const compileErrors = errors(checked.diagnostics).map((d) => d.code);
  // 2. …and the runtime refuses too when the compiler is bypassed (compiled without a registry).
  // For `allow` lists the bypass compiles the file without them and puts them on the
  // blueprint afterwards, so the runtime alone has to enforce them.
  const bypass = compileGraph(src, { file: "attack.rag", graph: "g" });
  if (bypass.value && source === "allow-list") {
    const allow = { tools: ["open"], models: ["m"], agents: ["helper"], graphs: ["inner"], nodeKinds: ["sneaky"] };
    Object.assign(bypass, { value: { ...bypass.value, allow } });
  }
  const events: RunEvent[] = [];
  if (!bypass.value) return { refusal: compileErrors.join(",") || errors(bypass.diagnostics).map((d) => d.code).join(","), events };
  try {
    for await (const e of new CompiledGraph(bypass.value, { registry: reg, graphs: new Map(bypass.compilation.blueprints.map((b) => [b.id, b])) }).stream({})) events.push(e);
  } catch (e) {
    return { refusal: `${compileErrors.join(",")} bind:${(e as { code?: string }).code ?? (e as Error).message}`, events };
  }
  const denied = events.filter((e) => e.type === "capability_denied");
  const failed = events.find((e) => e.type === "run_failed");
  const toolMessages = JSON.stringify(events.filter((e) => e.type === "run_completed"));
  const codeact = JSON.stringify(events).includes("E-ragsh-capability-denied") || JSON.stringify(events).includes("E-ragsh-unknown");
  const refusal = [
    compileErrors.join(","),
    denied.length ? `denied:${denied.map((d) => (d.type === "capability_denied" ? `${d.capability}:${d.name}` : "")).join(",")}` : "",
    failed && failed.type === "run_failed" && /not available|outside|disallowed|not granted|capabilit/.test(JSON.stringify(failed.error)) ? "failed-refused" : failed ? `failed(${JSON.stringify(failed.type === "run_failed" ? failed.error : "").slice(0, 300)})` : "",
    /not available|capability_denied|not granted|outside|disallowed/.test(toolMessages) ? "told" : "",
    codeact ? "codeact-refused" : "",
  ].filter(Boolean).join(" ");
  return { refusal, events };
}

describe("escalation matrix: nothing runs that was not granted", () => {
  for (const path of PATHS) {
    for (const target of path.targets) {
      for (const source of SOURCES) {
        const src = path.source(target, source !== "not-bound");
        if (!src) continue;
        it(`${path.name} · ${target} · ${source}`, async () => {
          fired = [];
          const { refusal } = await attack(src, source);
          if (process.env.SHOW_REFUSALS) console.log(`${path.name} · ${target} · ${source}: ${refusal}`);
          // The forbidden capability never ran; what was granted may have.
          expect(fired.filter((f) => f !== "tool:open")).toEqual([]);
          // And the refusal was reported somewhere a user or the model sees it.
          expect(refusal, `no refusal reported for ${path.name} · ${target} · ${source}`).not.toBe("");
        });
      }
    }
  }
});

describe("REPL sessions: a model-written session gets only what the policy grants untrusted authors", () => {
  for (const target of ["tool", "model", "agent", "graph"] as const) {
    it(`session · ${target}`, async () => {
      fired = [];
      const reg = registry(true);
      const session = new Session({ registry: reg, author: "model" });
      const r = await session.runCell(SCRIPT[target]);
      expect(fired).toEqual([]);
      expect(r.diagnostics.map((d) => d.code)).toEqual(["E-ragsh-capability-denied"]);
      // The session is alive afterwards.
      expect((await session.runCell("1 + 1")).value).toBe(2);
    });
  }
});

/**
 * Child runs (red team 11): the caller may bind a registered graph that itself uses what
 * the caller may not — a tool `untrustedAllow` forbids a generated caller, or one outside
 * a `repl_agent` node's grants. Every child-run path (subgraph node, send to a graph,
 * CodeAct `graph_run` of a registered graph), directly and one graph further down, is held
 * to the caller's child limits (`childRunLimits`): the run is refused before the graph
 * starts (`capability_denied`), the marker never fires, and the reach listing `rag approve`
 * shows says the same (the graph refused, `secret` not listed).
 */
describe("escalation matrix: child runs hold to what their caller may use", () => {
  type ChildSource = "generated caller" | "repl_agent grants";
  // One graph down, the node grants both graphs (else `midg` is refused for running `privg`, which the node was not granted).
  const CODER = (graph: string, tools: string) => `graph g { start coder state { out: any } node coder { kind repl_agent model "m" tools [${tools}] graphs [${graph === "midg" ? '"midg", "privg"' : `"${graph}"`}] max_steps 3 writes out next END } }`;
  const CHILD_PATHS: readonly { name: string; src: string; graph: string; sources: readonly ChildSource[] }[] = [
    { name: "subgraph node", src: 'graph g { start a node a { kind subgraph graph "privg" next END } }', graph: "privg", sources: ["generated caller"] },
    { name: "send to the graph", src: "graph g { start a node a { kind set send [privg {}] join d } node d { kind set next END } }", graph: "privg", sources: ["generated caller"] },
    { name: "subgraph node, one graph down", src: 'graph g { start a node a { kind subgraph graph "midg" next END } }', graph: "midg", sources: ["generated caller"] },
    { name: "CodeAct graph_run of a registered graph", src: CODER("privg", '"open"'), graph: "privg", sources: ["generated caller", "repl_agent grants"] },
    { name: "CodeAct graph_run, one graph down", src: CODER("midg", '"open"'), graph: "midg", sources: ["generated caller", "repl_agent grants"] },
  ];

  function childRegistry(generated: boolean, graph: string): Registry {
    const script = `\`\`\`ragsh\ngraph_run({graph: "${graph}", input: {}})\nanswer("escalated")\n\`\`\``;
    const r = registryFromConfig({
      models: { m: { provider: scripted({ rules: [{ reply: (req: ChatRequest) => (req.messages.some((m) => m.role === "assistant") ? '```ragsh\nanswer("gave up")\n```' : script) }] }) } },
      tools: { open: marker("open"), secret: marker("secret") },
      ...(generated ? { policy: { name: "locked", allow: { tools: ["open", "secret"] }, untrustedAllow: { tools: ["open"] } } } : {}),
    });
    r.registerGraph("privg", compileGraph('graph privg { start a node a { kind tool tool "secret" next END } }', { file: "privg.rag" }).value!);
    r.registerGraph("midg", compileGraph('graph midg { start a node a { kind subgraph graph "privg" next END } }', { file: "midg.rag", registry: r.view() }).value!);
    return r;
  }

  async function childAttack(src: string, graph: string, generated: boolean) {
    const reg = childRegistry(generated, graph);
    const compiled = compile(src, { file: "attack.rag", registry: reg.view(), ...(generated ? { provenance: { generatedBy: "model" } } : {}) });
    const bp = compiled.value.blueprints[0]!;
    const report = reachReport(bp, { agent: (n) => reg.agents.get(n), graph: (n) => reg.graphs.get(n), nodeKinds: () => reg.nodeKinds.keys(), ...(reg.policy ? { policy: reg.policy } : {}) });
    const events: RunEvent[] = [];
    for await (const e of new CompiledGraph(bp, { registry: reg }).stream({})) events.push(e);
    return { errors: errors(compiled.diagnostics), report, events };
  }

  for (const path of CHILD_PATHS) {
    for (const source of path.sources) {
      it(`${path.name} · ${source}`, async () => {
        fired = [];
        const { errors: compileErrors, report, events } = await childAttack(path.src, path.graph, source === "generated caller");
        // The checker lets the file through (it is the graph it binds that overreaches)…
        expect(compileErrors).toEqual([]);
        // …the runtime refuses the child before it starts, and says so…
        expect(fired).toEqual([]);
        const denied = events.filter((e) => e.type === "capability_denied");
        expect(denied.map((e) => (e.type === "capability_denied" ? `${e.capability}:${e.name}` : ""))).toContain("tools:secret");
        // (A generated caller's CodeAct node is refused by its own grants first: it cannot bind `secret` either.)
        expect(JSON.stringify(denied)).toMatch(source === "repl_agent grants" || path.src.includes("repl_agent") ? /the grants of node `coder`/ : /untrustedAllow/);
        // …and the review listing shows what the runtime does: `secret` is not reachable, the graph that uses it is refused.
        expect(report.reaches.filter((c) => c.name === "secret")).toEqual([]);
        expect(report.refused.map((r) => `${r.via}: ${r.refusals.map((x) => x.name).join(",")}`)).toEqual([path.graph === "midg" ? "graph `midg` → graph `privg`: secret" : "graph `privg`: secret"]);
      });
    }
  }

  it("controls: a person's graph, and a repl_agent node granted `secret`, run it (and the listing says so)", async () => {
    for (const [src, graph] of [[CHILD_PATHS[2]!.src, "midg"], [CODER("privg", '"open", "secret"'), "privg"]] as const) {
      fired = [];
      const { report, events } = await childAttack(src, graph, false);
      expect(events.filter((e) => e.type === "capability_denied")).toEqual([]);
      expect(fired).toEqual(["tool:secret"]);
      expect(report.refused).toEqual([]);
      expect(report.reaches).toContainEqual(expect.objectContaining({ kind: "tools", name: "secret" }));
    }
  });
});

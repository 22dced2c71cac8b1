/**
 * Red team 12A: `rag approve`'s reach listing (`reachReport`) must say what the runtime
 * will do. A `repl_agent` node's scripts may have registered graphs run a registry node
 * kind its graph's scope allows (`RunAuthority.sessionKinds`, joined to the node's grants
 * in `childRunLimits`), but the listing judged the graphs a `repl_agent` reaches by the
 * node's item grants alone — which never name a kind — so it printed a graph of `kind
 * send_email` under `refused` while the run sent the mail: the reviewer approved a file
 * told the graph would never start.
 */
import { describe, expect, it } from "vitest";
import { compile, compileGraph, reachReport } from "../../compiler/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, type RunEvent } from "../../runtime/index.js";
import { scripted } from "../../stdlib/index.js";

const CODER = `graph g { start coder state { out: any } node coder { kind repl_agent model "m" graphs ["mail"] max_steps 3 writes out next END } }`;

function setup(policy?: { name: string; allow?: Record<string, string[]>; untrustedAllow?: Record<string, string[]> }) {
  const sent: string[] = [];
  const script = '```ragsh\ngraph_run({graph: "mail", input: {}})\nanswer("done")\n```';
  const reg = registryFromConfig({
    models: { m: { provider: scripted({ rules: [{ reply: script }] }) } },
    nodeKinds: { send_email: async () => (sent.push("mail"), { result: "sent" }) },
    ...(policy ? { policy } : {}),
  });
  reg.registerGraph("mail", compileGraph("graph mail { start a node a { kind send_email next END } }").value!);
  const bp = compile(CODER, { file: "coder.rag", registry: reg.view() }).value.blueprints[0]!;
  const report = reachReport(bp, { agent: (n) => reg.agents.get(n), graph: (n) => reg.graphs.get(n), nodeKinds: () => reg.nodeKinds.keys(), ...(reg.policy ? { policy: reg.policy } : {}) });
  return { sent, reg, bp, report };
}

async function run(reg: ReturnType<typeof setup>["reg"], bp: ReturnType<typeof setup>["bp"]) {
  const events: RunEvent[] = [];
  for await (const e of new CompiledGraph(bp, { registry: reg }).stream({})) events.push(e);
  return events;
}

describe("red team 12A: the reach listing of a repl_agent's graphs counts the session's node kinds", () => {
  it("a graph of a registry kind the scope allows is listed as reached (and it runs)", async () => {
    const { sent, reg, bp, report } = setup();
    expect(report.refused).toEqual([]);
    expect(report.reaches).toContainEqual(expect.objectContaining({ via: "graph `mail`", kind: "nodeKinds", name: "send_email" }));
    await run(reg, bp);
    expect(sent).toEqual(["mail"]);
  });

  it("under a policy that withholds the kind, the listing says refused and the run refuses it", async () => {
    const { sent, reg, bp, report } = setup({ name: "p", allow: { nodeKinds: [] } });
    expect(report.refused.map((r) => r.graph)).toEqual(["mail"]);
    const events = await run(reg, bp);
    expect(sent).toEqual([]);
    expect(events.some((e) => e.type === "capability_denied" && e.name === "send_email")).toBe(true);
  });
});

/**
 * Red team 11: a registry's own node kinds (`defineConfig({ nodeKinds })`) are host code a
 * node runs by naming it, yet no policy could restrict them and `rag approve` did not list
 * them: a model-generated file with `kind send_email` and an attacker's `input` ran the
 * kind under a policy whose `untrustedAllow` listed nothing. Now a registry kind is a
 * capability (`nodeKinds`): listed by the compiler and `rag approve`, restricted by
 * `allow`/`untrustedAllow` and `allow nodeKinds [..]`, checked at bind time and again
 * before each task, all through `authorize`. Also: `--provenance` on `rag check`/`rag
 * approve` no longer overrides a file's pragma (it did; `rag run` read the pragma).
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CAPABILITY_KINDS, compile, compileGraph } from "../../compiler/index.js";
import { registryFromConfig, Session } from "../../repl/index.js";
import { CompiledGraph, type RunEvent } from "../../runtime/index.js";
import { ragIn, root } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const rag = (args: string[], cwd: string) => ragIn(args, cwd, { USER: "reviewer" });

const ATTACK = `// rag:generated-by model
graph g3 { start a node a { kind send_email input { to: "attacker@example.com", body: "secrets" } next END } }
`;

/** A project whose `send_email` kind leaves `sent.txt` behind when it runs. */
function project(policy: string): string {
  const dir = scratchDir("rag-rt11-");
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(
    join(dir, "rag.config.ts"),
    `import { writeFileSync } from "node:fs";
import { defineConfig } from ${JSON.stringify(join(root, "index.ts"))};
export default defineConfig({
  nodeKinds: { send_email: async () => { writeFileSync(${JSON.stringify(join(dir, "sent.txt"))}, "sent"); return { result: "sent" }; } },
  ${policy}
});
`,
  );
  writeFileSync(join(dir, "gen.rag"), ATTACK);
  return dir;
}

const EMPTY = Object.fromEntries(CAPABILITY_KINDS.map((k) => [k, []]));
const LOCKED = `policy: { name: "locked", untrustedAllow: ${JSON.stringify(EMPTY)} },`;

describe("red team 11: registry node kinds are capabilities", () => {
  it("the attack: a generated file's custom kind is refused by `untrustedAllow` and never runs", async () => {
    const dir = project(LOCKED);
    const checked = await rag(["check", "gen.rag"], dir);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain("E-rag-disallowed-capability");
    expect(checked.stderr).toContain("node kind `send_email` (used by node `a`) is disallowed by policy `locked` for model-generated blueprints");
    const ran = await rag(["run", "gen.rag"], dir);
    expect(ran.code).not.toBe(0);
    expect(ran.stderr).toContain("node kind `send_email`");
    expect(existsSync(join(dir, "sent.txt"))).toBe(false);
    const approved = await rag(["approve", "gen.rag"], dir);
    expect(approved.code).toBe(1);
    expect(approved.stderr).toContain("not approved");
  });

  it("`rag approve` lists the custom kind a graph binds", async () => {
    const dir = project("");
    const approved = await rag(["approve", "gen.rag"], dir);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain("  binds:\n    nodeKinds  send_email\n");
    expect(approved.stdout).not.toContain("binds no registry capability");
    const json = JSON.parse((await rag(["approve", "gen.rag", "--json"], dir)).stdout) as { approvals: { capabilities: Record<string, string[]> }[] };
    expect(json.approvals[0]!.capabilities.nodeKinds).toEqual(["send_email"]);
  });

  it("a policy `allow` list of kinds restricts trusted files too, and lets the listed kind run", async () => {
    const reg = registryFromConfig({ nodeKinds: { send_email: async () => ({ result: "sent" }), other: async () => ({ result: "other" }) }, policy: { name: "p", allow: { nodeKinds: ["other"] } } });
    const src = "graph g { start a node a { kind send_email next END } }";
    expect(compile(src, { registry: reg.view() }).diagnostics.map((d) => d.code)).toContain("E-rag-disallowed-capability");
    expect(() => new CompiledGraph(compileGraph(src).value!, { registry: reg })).toThrow(/node kind `send_email` .*disallowed by policy `p`/);
    const ok = compileGraph("graph g { start a node a { kind other next END } }", { registry: reg.view() });
    expect(ok.value!.capabilities.nodeKinds).toEqual(["other"]);
    expect((await new CompiledGraph(ok.value!, { registry: reg }).invoke({})).status).toBe("completed");
  });

  it("a built-in kind is no capability: blueprints without a custom kind list none (and keep their hash)", () => {
    const bp = compileGraph('graph g { start a state { n: number = 0 } node a { kind set set { n: 1 } next END } }').value!;
    expect("nodeKinds" in bp.capabilities).toBe(false);
  });

  it("the runtime asks `authorize` before each task of a custom kind: a policy tightened after bind refuses it", async () => {
    let ran = 0;
    const reg = registryFromConfig({ nodeKinds: { send_email: async () => (ran++, { result: "sent" }) } });
    const bp = compileGraph("graph g { start a node a { kind send_email next END } }", { registry: reg.view() }).value!;
    const graph = new CompiledGraph(bp, { registry: reg });
    reg.policy = { name: "late", allow: { nodeKinds: [] }, untrustedAllow: {}, untrusted: [], review: "none" };
    const events: RunEvent[] = [];
    for await (const e of graph.stream({})) events.push(e);
    expect(ran).toBe(0);
    const failed = events.find((e) => e.type === "run_failed");
    expect(JSON.stringify(failed)).toMatch(/node `a` was not run: node kind `send_email` .*disallowed by policy `late`/);
    expect(events.filter((e) => e.type === "capability_denied").map((e) => (e.type === "capability_denied" ? [e.capability, e.name, e.caller, e.rule] : []))).toEqual([["nodeKinds", "send_email", "node", "policy"]]);
  });

  it("a REPL session may run a registered graph of a custom kind; a model's session only under `untrustedAllow`", async () => {
    let ran = 0;
    const reg = registryFromConfig({ nodeKinds: { send_email: async () => (ran++, { result: "sent" }) }, policy: { name: "p", untrustedAllow: { nodeKinds: [] } } });
    reg.registerGraph("mail", compileGraph("graph mail { start a node a { kind send_email next END } }").value!);
    const person = await new Session({ registry: reg, author: "human" }).runCell('graph_run({graph: "mail", input: {}})');
    expect(person.diagnostics).toEqual([]);
    expect(ran).toBe(1);
    const model = await new Session({ registry: reg, author: "model" }).runCell('graph_run({graph: "mail", input: {}})');
    expect(ran).toBe(1);
    expect(JSON.stringify(model)).toMatch(/node kind `send_email`/);
  });

  it("`--provenance` applies only to a file without a pragma: the pragma decides, as for `rag run`", async () => {
    const dir = project(LOCKED);
    const checked = await rag(["check", "--provenance", "human", "gen.rag"], dir);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain("for model-generated blueprints");
    const approved = await rag(["approve", "--provenance", "human", "gen.rag"], dir);
    expect(approved.code).toBe(1);
    // Without the pragma, the flag is what says who wrote the file.
    writeFileSync(join(dir, "gen.rag"), ATTACK.replace("// rag:generated-by model\n", ""));
    expect((await rag(["check", "--provenance", "model", "gen.rag"], dir)).code).toBe(1);
    expect((await rag(["check", "gen.rag"], dir)).code).toBe(0);
  });

  it("`rag approve --provenance` on a file with a pragma shows the pragma's author and says the flag was ignored", async () => {
    const dir = project("");
    const approved = await rag(["approve", "--provenance", "human", "gen.rag"], dir);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain("generated by model");
    expect(approved.stdout).not.toContain("generated by human");
    expect(approved.stdout).toContain("note: --provenance human ignored: the file's `// rag:generated-by model` pragma decides");
  });
});

/**
 * Capabilities at compile time: `allow` lists, the registry's policy (narrower for
 * generated blueprints), the review warning with provenance from options or the
 * `rag:generated-by` pragma, and model capability needs (`language.md` §2.1, §5).
 */
import { describe, expect, it } from "vitest";
import { compile, provenanceFromComments, provenancePragma, registryViewFromSnapshot, type RegistrySnapshot } from "../../compiler/index.js";
import { parseRag } from "../../grammar/index.js";

const REG: RegistrySnapshot = { models: ["default", "small"], tools: ["search", "shell"], agents: [], graphs: [], scripts: [], routers: [], reducers: null, node_kinds: null, validators: [] };
const diags = (src: string, reg: RegistrySnapshot = REG, extra: Parameters<typeof compile>[1] = {}) => compile(src, { file: "t.rag", registry: registryViewFromSnapshot(reg), ...extra }).diagnostics;
const agent = (tools: string) => `graph g { start a node a { kind agent model "default" tools [${tools}] next END } }`;

describe("allow declarations and policy", () => {
  it("a name outside the graph's own `allow` list is an error naming the list", () => {
    const [d] = diags(`graph g { start a allow tools ["search"] node a { kind agent model "default" tools ["search", "shell"] next END } }`).filter((x) => x.severity === "error");
    expect(d.code).toBe("E-rag-disallowed-capability");
    expect(d.message).toBe("tool `shell` (used by node `a`) is not in graph `g`'s `allow tools` list");
    expect(d.labels[0].message).toContain("`search`");
  });

  it("a send to a registered graph is a graph's use (`allow graphs`), as the run authorises it, not an agent's", () => {
    const reg = { ...REG, agents: ["helper"], graphs: ["summarize"] };
    const send = (allow: string, target = "summarize") => `graph g { start a ${allow} state { s: any } node a { kind set set { s: 1 } send [${target} { text: "x" }] next END } }`;
    const errors = (src: string) => diags(src, reg).filter((x) => x.severity === "error").map((x) => x.message);
    expect(errors(send('allow graphs ["summarize"] allow agents []'))).toEqual([]);
    expect(errors(send('allow graphs [] allow agents ["summarize"]'))).toEqual(["graph `summarize` (used by a send from node `a`) is not in graph `g`'s `allow graphs` list"]);
    expect(errors(send('allow graphs ["summarize"] allow agents []', "helper"))).toEqual(["agent `helper` (used by a send from node `a`) is not in graph `g`'s `allow agents` list"]);
  });

  it("the registry policy's allowlist applies to every blueprint and names the policy", () => {
    const reg = { ...REG, policy: { name: "team", allow: { tools: ["search"] } } };
    const [d] = diags(agent('"shell"'), reg).filter((x) => x.severity === "error");
    expect(d.message).toBe("tool `shell` (used by node `a`) is disallowed by policy `team`");
    expect(diags(agent('"search"'), reg).filter((x) => x.severity === "error")).toEqual([]);
  });

  it("untrusted (generated) blueprints get the narrower list; people's files do not", () => {
    const reg = { ...REG, policy: { name: "team", untrusted: ["model"], untrustedAllow: { tools: ["search"] } } };
    expect(diags(agent('"shell"'), reg).filter((x) => x.severity === "error")).toEqual([]);
    const gen = diags(agent('"shell"'), reg, { provenance: { generatedBy: "model", author: "gpt" } }).filter((x) => x.severity === "error");
    expect(gen.map((x) => x.message)).toEqual(["tool `shell` (used by node `a`) is disallowed by policy `team` for model-generated blueprints"]);
    const pragma = diags("// rag:generated-by model\n" + agent('"shell"'), reg).filter((x) => x.severity === "error");
    expect(pragma).toHaveLength(1);
    // The pragma is the author's own word: `Model` or `MODEL` is a model too.
    for (const who of ["Model", "MODEL"]) expect(diags(`// rag:generated-by ${who}\n` + agent('"shell"'), reg).filter((x) => x.severity === "error"), who).toHaveLength(1);
  });

  it("an allow list cannot ask for more than the policy permits; unknown kinds get a fix", () => {
    const reg = { ...REG, policy: { name: "team", allow: { tools: ["search"] } } };
    const ds = diags(`graph g { start a allow tools ["search", "shell"] node a { next END } }`, reg).filter((x) => x.severity === "error");
    expect(ds.map((x) => x.message)).toEqual(["`allow tools` asks for `shell`, which policy `team` disallows"]);
    const [k] = diags(`graph g { start a allow toolz ["search"] node a { next END } }`).filter((x) => x.severity === "error");
    expect(k.code).toBe("E-rag-invalid-value");
    expect(k.fixes[0].replacement).toBe("tools");
  });

  it("checks models, agents, graphs, reducers by their meaning", () => {
    const reg = { ...REG, agents: ["r"], graphs: ["sub"], policy: { allow: { models: ["default"], agents: [], graphs: [], reducers: ["append"] } } };
    const src = `graph g { start a channel log append channel last overwrite
      node a { kind model model "small" send [r] join b }
      node b { kind subgraph graph "sub" next END } }`;
    const msgs = diags(src, reg).filter((x) => x.code === "E-rag-disallowed-capability").map((x) => x.message);
    expect(msgs.sort()).toEqual([
      "model `small` (used by node `a`) is disallowed by policy `policy`",
      "agent `r` (used by a send from node `a`) is disallowed by policy `policy`",
      "graph `sub` (used by node `b`) is disallowed by policy `policy`",
      "reducer `overwrite` (used by field `last`) is disallowed by policy `policy`",
    ].sort());
  });
});

describe("review gate at compile time", () => {
  const reg = { ...REG, policy: { name: "reviewed", untrusted: ["model"], review: "untrusted" as const } };
  const src = "// rag:generated-by model author=gpt-4o-mini\ngraph g { start a node a { next END } }";

  it("a generated graph that needs review gets W-rag-review-required until its hash is approved", () => {
    const r = compile(src, { file: "gen.rag", registry: registryViewFromSnapshot(reg) });
    const d = r.diagnostics.find((x) => x.code === "W-rag-review-required")!;
    expect(d.severity).toBe("warning");
    expect(d.message).toContain("generated by model (gpt-4o-mini)");
    expect(d.help).toContain("rag approve gen.rag");
    const hash = r.value.blueprints[0].hash;
    expect(r.value.blueprints[0].provenance).toEqual({ generatedBy: "model", author: "gpt-4o-mini" });
    const approved = compile(src, { file: "gen.rag", registry: registryViewFromSnapshot(reg), approvals: { isApproved: (h) => h === hash } });
    expect(approved.diagnostics.map((x) => x.code)).toEqual([]);
  });

  it("files without provenance are not gated unless the policy reviews everything", () => {
    const plain = "graph g { start a node a { next END } }";
    expect(compile(plain, { registry: registryViewFromSnapshot(reg) }).diagnostics).toEqual([]);
    const all = { ...REG, policy: { review: "all" as const } };
    expect(compile(plain, { registry: registryViewFromSnapshot(all) }).diagnostics.map((x) => x.code)).toEqual(["W-rag-review-required"]);
  });
});

describe("the rag:generated-by pragma", () => {
  it("round-trips through provenancePragma and only counts before the first declaration", () => {
    const p = { generatedBy: "repl", author: "session 7", createdAt: "2026-05-01T10:00:00Z", note: 'say "hi"' };
    const line = provenancePragma(p);
    const parsed = parseRag(`${line}\ngraph g { start a node a { next END } }`);
    expect(provenanceFromComments(parsed.value.comments, parsed.value.items[0].span.start.offset)).toEqual(p);
    const late = parseRag(`graph g { start a node a { next END } }\n${line}`);
    expect(provenanceFromComments(late.value.comments, late.value.items[0].span.start.offset)).toBeUndefined();
  });
});

describe("model capabilities", () => {
  const caps = (c: Record<string, unknown>) => ({ ...REG, model_capabilities: { small: c } });
  const codes = (src: string, c: Record<string, unknown>) => diags(src, caps(c)).filter((d) => d.code === "E-rag-model-capability").map((d) => d.message);

  it("names node, model and the missing capability", () => {
    expect(codes('graph g { start a node a { kind agent model "small" tools ["search"] next END } }', { tools: false })).toEqual(["node `a` needs tool calling, but model `small` cannot: it does not support tools"]);
    expect(codes('graph g { start a node a { kind model model "small" output { x: string } next END } }', { structuredOutput: false })).toEqual(["node `a` needs structured output, but model `small` cannot: it does not support structured output"]);
    expect(codes('graph g { start a node a { kind model model "small" routes { approve -> END  reject -> END } } }', { structuredOutput: false })).toHaveLength(1);
  });

  it("compares declared and estimated token needs with the model's limits", () => {
    expect(codes('graph g { start a node a { kind model model "small" metadata { max_output_tokens: 9000 } next END } }', { maxOutputTokens: 4096 })).toEqual(["node `a` needs 9000 output tokens, but model `small` cannot: it returns at most 4096"]);
    expect(codes('graph g { start a defaults { context_tokens: 200000 } node a { kind model model "small" next END } }', { contextWindow: 128000 })).toHaveLength(1);
    const long = "x".repeat(4 * 2000 + 4);
    expect(codes(`graph g { start a node a { kind model model "small" prompt "${long}" next END } }`, { contextWindow: 2000 })[0]).toContain("about 2001 tokens of fixed prompt text");
  });

  it("is quiet when the model can, or its capabilities are unknown", () => {
    expect(codes('graph g { start a node a { kind agent model "small" tools ["search"] output { x: string } next END } }', {})).toEqual([]);
    expect(diags('graph g { start a node a { kind agent model "default" tools ["search"] next END } }', caps({ tools: false })).filter((d) => d.code === "E-rag-model-capability")).toEqual([]);
  });
});

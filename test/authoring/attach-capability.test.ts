/**
 * `attach` against the model's capabilities (issue 15 §2): a model/agent node or inline
 * agent that attaches images to a model declaring `vision: false`, or files to one
 * declaring `fileInput: false`, is warned about at compile time
 * (W-rag-attach-unsupported, naming node, model and capability); models whose
 * capabilities are unknown or undeclared are not checked, and catalog models declare
 * both.
 */
import { describe, expect, it } from "vitest";
import { compile, registryViewFromSnapshot, type RegistrySnapshot, type RegistryView } from "../../compiler/index.js";
import { registryFromConfig, scripted } from "../../stdlib/index.js";

const SRC = `graph g {
  start a
  state { photo: string, pdf: any, out: string }
  node a {
    model "m"
    prompt "Describe it"
    attach { image: state.photo, file: state.pdf }
    writes { out: result }
    next b
  }
  node b { kind subagent agent "looker" next END }
}

agent looker {
  model "m"
  prompt "Look"
  attach { image: state.photo }
}
`;
const snap = (caps: RegistrySnapshot["model_capabilities"]): RegistrySnapshot => ({ models: ["m", "big"], tools: [], agents: [], graphs: [], routers: [], ...(caps ? { model_capabilities: caps } : {}) });
const warnings = (src: string, registry: RegistryView) =>
  compile(src, { registry }).diagnostics.map((d) => `${d.severity} ${d.code} ${d.span.start.line}:${d.span.start.column} ${d.message}`);

describe("attach and model capabilities", () => {
  it("warns where the model declares no image or file input, on nodes and inline agents", () => {
    expect(warnings(SRC, registryViewFromSnapshot(snap({ m: { vision: false, fileInput: false } })))).toEqual([
      "warning W-rag-attach-unsupported 7:14 node `a` attaches images, but model `m` declares no image input (`vision: false`)",
      "warning W-rag-attach-unsupported 7:34 node `a` attaches files, but model `m` declares no file input (`fileInput: false`)",
      "warning W-rag-attach-unsupported 17:12 agent `looker` attaches images, but model `m` declares no image input (`vision: false`)",
    ]);
    // Only the missing capability is reported.
    expect(warnings(SRC, registryViewFromSnapshot(snap({ m: { vision: true, fileInput: false } }))).map((w) => w.split(" ").slice(1, 3).join(" "))).toEqual(["W-rag-attach-unsupported 7:34"]);
  });

  it("a subagent node's model override is checked against the inline agent's parts", () => {
    const src = SRC.replace('node b { kind subagent agent "looker" next END }', 'node b { kind subagent agent "looker" model "big" next END }');
    expect(warnings(src, registryViewFromSnapshot(snap({ m: { vision: true, fileInput: true }, big: { vision: false } })))).toEqual([
      "warning W-rag-attach-unsupported 17:12 node `b` (running agent `looker`) attaches images, but model `big` declares no image input (`vision: false`)",
    ]);
  });

  it("is silent when capabilities are unknown or do not declare the input, and for null parts", () => {
    expect(warnings(SRC, registryViewFromSnapshot(snap(undefined)))).toEqual([]);
    expect(warnings(SRC, registryViewFromSnapshot(snap({ m: { tools: true } })))).toEqual([]);
    expect(warnings(SRC.replace("image: state.photo, file: state.pdf", "image: null, file: null").replace("attach { image: state.photo }", ""), registryViewFromSnapshot(snap({ m: { vision: false, fileInput: false } })))).toEqual([]);
  });

  it("with a config registry: undeclared is unknown, a catalog model takes both, a declared false warns", () => {
    const provider = scripted({ rules: [] });
    expect(warnings(SRC, registryFromConfig({ models: { m: { provider } } }).view())).toEqual([]);
    expect(warnings(SRC, registryFromConfig({ models: { m: { provider, model: "gpt-4o-mini" } } }).view())).toEqual([]);
    expect(warnings(SRC, registryFromConfig({ models: { m: { provider, capabilities: { vision: false } } } }).view()).map((w) => w.split(" ")[1])).toEqual(["W-rag-attach-unsupported", "W-rag-attach-unsupported"]);
  });
});

/**
 * The blueprint hash (`language.md` §7): SHA-256 of the canonical form without spans,
 * so formatting, comments, spelling aliases and provenance never change it, and any
 * semantic change does.
 */
import { describe, expect, it } from "vitest";
import { blueprintHash, compileGraph, type Blueprint } from "../../compiler/index.js";

const base = `graph g {
  start a
  channel notes append
  node a { kind model model "m" prompt "hi" next b }
  node b { kind sub_agent agent "r" next END }
}`;

function bp(src: string, opts: Parameters<typeof compileGraph>[1] = {}): Blueprint {
  const r = compileGraph(src, opts);
  if (!r.value) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
  return r.value;
}

describe("blueprint hash", () => {
  const h = bp(base).hash;

  it("is sha256 over the canonical form", () => {
    expect(h).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(blueprintHash(bp(base))).toBe(h);
  });

  it("ignores whitespace, comments, separators and colons", () => {
    const reformatted = `// a comment\ngraph g{start a;channel notes append /* c */\nnode a{kind model;model "m";prompt 'hi';next b}\n\n\n  node b {kind sub_agent, agent "r", next END}}`;
    expect(bp(reformatted).hash).toBe(h);
  });

  it("ignores spelling aliases: kind and reducer aliases, START edges", () => {
    expect(bp(base.replace("sub_agent", "subagent")).hash).toBe(h);
    expect(bp(base.replace("start a", "START -> a")).hash).toBe(h);
    const lw = `graph g { start a channel x last_write node a {} }`;
    expect(bp(lw).hash).toBe(bp(lw.replace("last_write", "overwrite")).hash);
  });

  it("ignores the file name and provenance", () => {
    expect(bp(base, { file: "x.rag", provenance: { generatedBy: "model", author: "gpt" } }).hash).toBe(h);
  });

  it("changes with any semantic change", () => {
    const variants = [
      base.replace('model "m"', 'model "m2"'),
      base.replace('prompt "hi"', 'prompt "hello"'),
      base.replace("channel notes append", "channel notes overwrite"),
      base.replace("next b }", "next END }"),
      base.replace('agent "r"', 'agent "r2"'),
      base.replace("node b {", "node b { timeout 5s"),
    ];
    const hashes = variants.map((v) => bp(v).hash);
    for (const x of hashes) expect(x).not.toBe(h);
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it("changes when a same-file subgraph changes", () => {
    const two = (inner: string) => `graph outer { start s node s { kind subgraph graph "inner" next END } }\ngraph inner { start i node i { kind model model "${inner}" } }`;
    expect(bp(two("a"), { graph: "outer" }).hash).not.toBe(bp(two("b"), { graph: "outer" }).hash);
  });
});

describe("semanticJson", () => {
  it("equals the semantic JSON of semanticForm on every example and a generated graph", async () => {
    const { readFileSync, readdirSync } = await import("node:fs");
    const { compile, semanticForm, semanticJson, semanticPartJson } = await import("../../compiler/index.js");
    const { generateGraph } = await import("../../bench/compiler/generate.js");
    const dir = new URL("../../examples/", import.meta.url).pathname;
    const sources = [...readdirSync(dir, { withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith(".rag")).map((f) => readFileSync(dir + f.name, "utf8")), generateGraph(200), base];
    let checked = 0;
    for (const src of sources) {
      for (const b of compile(src, { provenance: { generatedBy: "model", author: "x" }, file: "f.rag" }).value.blueprints) {
        expect(b.edges.length + b.barriers.length).toBeGreaterThan(0);
        expect(semanticJson(b)).toBe(semanticPartJson(semanticForm(b)));
        expect(semanticJson(b)).not.toContain('"span"');
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });
});

describe("blueprintHash", () => {
  it("is sha256 of semanticJson, also for a blueprint larger than the hash's 16 KiB chunks", async () => {
    const { blueprintHash, compile, semanticJson, sha256Hex } = await import("../../compiler/index.js");
    const { generateGraph } = await import("../../bench/compiler/generate.js");
    const b = compile(generateGraph(600)).value.blueprints[0];
    expect(semanticJson(b).length).toBeGreaterThan(100_000);
    expect(blueprintHash(b)).toBe("sha256:" + sha256Hex(semanticJson(b)));
    expect(b.hash).toBe(blueprintHash(b));
  });
});

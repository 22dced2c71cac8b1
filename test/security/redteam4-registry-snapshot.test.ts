/**
 * Red team 4: a registry snapshot's shape (`rag check|simulate --registry`, `rag lsp
 * --registry`, `registryViewFromSnapshot`). `rag check` checked the top-level keys only
 * and `rag lsp` nothing: `{"tools": 5}` made the language server exit with a stack trace
 * on the first document; a policy whose `untrusted` or `name` was not what it should be
 * made every check an `E-rag-internal`; and an `allow` list written as a string was
 * searched as text, so a graph binding tool `t` passed a policy allowing `"tools": "t"`
 * (or `"outbox"`). Now every snapshot's shape is checked where a view is made of it
 * (`snapshotProblem`), and the CLI names the key.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, registryViewFromSnapshot, RegistrySnapshotError } from "../../compiler/index.js";
import { ragAsync, ragIn } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const dir = scratchDir("rt4-snap-");
writeFileSync(join(dir, "g.rag"), '// rag:generated-by model\ngraph g { start a node a { kind tool tool "t" next END } }\n');

const BAD: readonly [string, string][] = [
  ['{"tools":["t"],"policy":{"allow":{"tools":"outbox"}}}', "`policy.allow.tools` must be a list of names"],
  ['{"tools":["t"],"policy":{"allow":"x"}}', "`policy.allow` must map"],
  ['{"tools":["t"],"policy":{"untrusted":5}}', "`policy.untrusted` must be a list"],
  ['{"tools":["t"],"policy":{"name":{"a":1},"allow":{"tools":[]}}}', "`policy.name` must be a string"],
  ['{"tools":["t"],"policy":{"review":"sometimes"}}', "`policy.review` must be"],
  ['{"tools":["t"],"models":["m"],"model_prices":{"m":5}}', "`model_prices.m` must be an object"],
  ['{"tools":["t"],"models":["m"],"model_capabilities":{"m":{"contextWindow":"big"}}}', "`model_capabilities.m.contextWindow` must be a number"],
];

describe("rag check --registry: every shape inside the snapshot is checked", () => {
  for (const [json, message] of BAD) {
    it(`${json} is refused naming the key (not a pass, not E-rag-internal)`, async () => {
      writeFileSync(join(dir, "s.json"), json);
      const r = await ragIn(["check", "g.rag", "--registry", "s.json"], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stdout + r.stderr).not.toMatch(/E-rag-internal|ok: 1 file/);
    });
  }
});

describe("registryViewFromSnapshot refuses a malformed snapshot for every caller", () => {
  it("a string allow list is not searched as text", () => {
    expect(() => registryViewFromSnapshot({ tools: ["t"], policy: { allow: { tools: "outbox" as never } } })).toThrow(RegistrySnapshotError);
    // The well-formed list still decides: `t` is outside it.
    const view = registryViewFromSnapshot({ tools: ["t"], policy: { allow: { tools: ["outbox"] } } });
    const r = compile('graph g { start a node a { kind tool tool "t" next END } }', { registry: view });
    expect(r.diagnostics.map((d) => d.code)).toContain("E-rag-disallowed-capability");
  });
});

describe("rag lsp --registry checks the snapshot before serving", () => {
  it('{"tools": 5} is one line naming the key, exit 2 (it exited with a stack trace on the first document)', async () => {
    writeFileSync(join(dir, "l.json"), '{"tools": 5}');
    const r = ragAsync(["lsp", "--stdio", "--registry", join(dir, "l.json")], dir);
    const timer = setTimeout(() => r.child.kill("SIGKILL"), 15_000);
    const out = await r.done;
    clearTimeout(timer);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/`tools` must be a list of names/);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  it("a details map of non-objects is refused too", async () => {
    writeFileSync(join(dir, "d.json"), '{"tools": ["t"], "tool_details": {"t": 5}}');
    const r = ragAsync(["lsp", "--stdio", "--registry", join(dir, "d.json")], dir);
    const timer = setTimeout(() => r.child.kill("SIGKILL"), 15_000);
    const out = await r.done;
    clearTimeout(timer);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/`tool_details` must map names to objects/);
  }, 30_000);
});

describe("a snapshot made by JSON.parse or in code (Object.prototype behind its maps)", () => {
  it("finds no signature, capability or price for `constructor` and other Object.prototype names", () => {
    const view = registryViewFromSnapshot(JSON.parse('{"signatures":{"agents":{},"tools":{},"graphs":{}},"model_capabilities":{},"model_prices":{}}'));
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      expect(view.signatures?.agents?.[name]).toBeUndefined();
      expect(view.signatures?.tools?.[name]).toBeUndefined();
      expect(view.modelCapabilities?.(name)).toBeUndefined();
      expect(view.modelPrice?.(name)).toBeUndefined();
    }
    // It typed `agent "constructor"`'s result from Object's constructor: a false type error.
    const r = compile('graph g { start a state { n: number } node a { kind subagent agent "constructor" writes n next END } }', { file: "g.rag", registry: view });
    expect(r.diagnostics.map((d) => d.code)).not.toContain("E-rag-type-mismatch");
  });
});

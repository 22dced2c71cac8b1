/**
 * Red team 4: `:load` of a model-written `.rag` file (at the `rag repl` prompt, in a
 * `rag repl FILE.ragsh` script, in the studio's console) recorded every graph as written
 * by a person (`generatedBy: "human"`), over the file's own `// rag:generated-by model`
 * pragma. `graph_run` then ran it as trusted: a tool the policy grants only to
 * human-written graphs (`untrustedAllow`) ran, and a graph `requireReview: "untrusted"`
 * keeps from running unapproved ran — `rag run` on the same file refuses both. The
 * pragma now stays the graph's provenance.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { tool } from "../../registry/index.js";
import { loadFile } from "../../repl/directives.js";
import { registryFromConfig, Session } from "../../repl/index.js";
import { scratchDir } from "../helpers/scratch-dirs.js";


const fired: string[] = [];
const secret = tool({ description: "writes", schema: z.object({}).passthrough(), run: () => (fired.push("secret"), "ran") });
const open = tool({ description: "reads", schema: z.object({}).passthrough(), run: () => "ok" });

function registry(policy: Record<string, unknown>) {
  return registryFromConfig({ tools: { secret, open }, policy: { name: "p", ...policy } } as never);
}

async function loadAndRun(reg: ReturnType<typeof registry>, text: string) {
  const dir = scratchDir("rt4-load-");
  writeFileSync(join(dir, "gen.rag"), text);
  const session = new Session({ registry: reg });
  const codes: string[] = [];
  await loadFile(session, join(dir, "gen.rag"), { cell: async () => true, loaded: (_f, r) => (codes.push(...r.diagnostics.map((d) => d.code)), true), error: (m) => codes.push(m) });
  const run = await session.runCell('graph_run({graph: "gen", input: {}})');
  return { codes, run, session };
}

const GENERATED = '// rag:generated-by model author=someone\ngraph gen { start a node a { kind tool tool "secret" next END } }\n';

describe(":load keeps a model-written file's provenance", () => {
  it("untrustedAllow: the generated graph's tool is refused at load; graph_run runs nothing", async () => {
    fired.length = 0;
    const { codes, run, session } = await loadAndRun(registry({ allow: { tools: ["open", "secret"] }, untrustedAllow: { tools: ["open"] } }), GENERATED);
    expect(fired).toEqual([]);
    expect(codes).toContain("E-rag-disallowed-capability");
    expect(run.ok).toBe(false);
    expect((await session.runCell("1 + 1")).value).toBe(2);
  });

  it("requireReview untrusted: an unapproved generated graph does not run", async () => {
    fired.length = 0;
    const { codes, run } = await loadAndRun(registry({ requireReview: "untrusted" }), GENERATED);
    expect(codes).toContain("W-rag-review-required");
    expect(fired).toEqual([]);
    expect(run.ok).toBe(false);
  });

  it("a file without the pragma is the person's: it loads and runs as before", async () => {
    fired.length = 0;
    const { codes, run, session } = await loadAndRun(registry({ allow: { tools: ["open", "secret"] }, untrustedAllow: { tools: ["open"] }, requireReview: "untrusted" }), GENERATED.replace(/^\/\/.*\n/, ""));
    expect(codes).toEqual([]);
    expect(run.ok).toBe(true);
    expect(fired).toEqual(["secret"]);
    expect(session.graphs.get("gen")?.provenance).toMatchObject({ generatedBy: "human" });
  });
});

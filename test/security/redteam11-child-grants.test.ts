/**
 * Red team 11: a model-written file reached a tool `untrustedAllow` forbids by running a
 * REGISTERED graph that uses it (a subgraph node, a send to the graph), and `rag approve`
 * hid it: the child run kept only the caller's `allow` lists (not `untrustedAllow`) and
 * ran under its own (trusted) provenance, while the reach listing judged the child's
 * tools by the caller's provenance and left out exactly what ran. A child run is now held
 * to `childRunLimits` (compiler/grants.ts) — `untrustedAllow` when the caller is generated —
 * and `rag approve` lists with the same rule: the graph shows as refused, and the run is
 * refused before the graph starts, with a `capability_denied` refusal.
 *
 * The project is the one of the report: tools `search` and `delete_db`, a registered
 * `admin_cleanup` that runs `delete_db`, policy allow both, untrustedAllow `search` only,
 * review for untrusted graphs. `delete_db` leaves a marker file when it runs.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ragIn, root } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const rag = (args: string[], cwd: string) => ragIn(args, cwd, { USER: "reviewer" });

function project(gen: string): { dir: string; marker: string } {
  const dir = scratchDir("rt11-child-");
  const marker = join(dir, "deleted.marker");
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(
    join(dir, "rag.config.ts"),
    `import { writeFileSync } from "node:fs";
import { z } from "zod";
import { defineConfig, tool } from ${JSON.stringify(join(root, "index.ts"))};
export default defineConfig({
  tools: {
    search: tool({ description: "search", schema: z.object({}).passthrough(), readOnly: true, run: () => "found" }),
    delete_db: tool({ description: "drops the database", schema: z.object({}).passthrough(), run: () => (writeFileSync(${JSON.stringify(marker)}, "ran"), "dropped") }),
  },
  graphs: { admin_cleanup: "./admin.rag" },
  policy: { allow: { tools: ["search", "delete_db"] }, untrustedAllow: { tools: ["search"] }, requireReview: "untrusted" },
});
`,
  );
  writeFileSync(join(dir, "admin.rag"), 'graph admin_cleanup { start a node a { kind tool tool "delete_db" next END } }\n');
  writeFileSync(join(dir, "gen.rag"), gen);
  return { dir, marker };
}

const ATTACKS = [
  ["a subgraph node", '// rag:generated-by model\ngraph g { start a node a { kind subgraph graph "admin_cleanup" next END } }\n'],
  ["a send to the graph", "// rag:generated-by model\ngraph g { start a node a { kind set send [admin_cleanup {}] join d } node d { kind set next END } }\n"],
] as const;

describe("red team 11: a generated graph runs a registered graph that uses what untrustedAllow forbids", () => {
  for (const [how, gen] of ATTACKS) {
    it(`through ${how}: rag approve shows it refused, and rag run refuses it (capability_denied), delete_db never runs`, async () => {
      const { dir, marker } = project(gen);
      const checked = await rag(["check", "gen.rag"], dir);
      expect(checked.code).toBe(0);
      const approved = await rag(["approve", "gen.rag", "--json"], dir);
      expect(approved.code).toBe(0);
      const entry = (JSON.parse(approved.stdout) as { approvals: { reaches: { name: string }[]; refused: { via: string; graph: string; refusals: { kind: string; name: string; rule: string }[] }[] }[] }).approvals[0]!;
      // What the review lists is what can run: nothing of admin_cleanup, which is refused for delete_db.
      expect(entry.reaches).toEqual([]);
      expect(entry.refused).toEqual([{ via: "graph `admin_cleanup`", graph: "admin_cleanup", refusals: [expect.objectContaining({ kind: "tools", name: "delete_db", rule: "limit" })] }]);
      const text = await rag(["approve", "gen.rag"], dir);
      expect(text.stdout).toContain("refused (registered graphs it binds that cannot run here");
      expect(text.stdout).toMatch(/graph `admin_cleanup`: tool delete_db \(.*untrustedAllow/);
      const ran = await rag(["run", "gen.rag", "--json"], dir);
      expect(existsSync(marker)).toBe(false);
      expect(ran.code).not.toBe(0);
      expect(ran.stdout + ran.stderr).toContain("capability_denied");
      expect(ran.stdout + ran.stderr).toMatch(/delete_db.*untrustedAllow/);
    });
  }

  it("the same file written by a person (no pragma) runs admin_cleanup: the limit follows provenance", async () => {
    const { dir, marker } = project(ATTACKS[0][1].replace("// rag:generated-by model\n", ""));
    const approved = await rag(["approve", "gen.rag", "--json"], dir);
    const entry = (JSON.parse(approved.stdout) as { approvals: { reaches: { via: string; kind: string; name: string }[]; refused: unknown[] }[] }).approvals[0]!;
    expect(entry.reaches).toEqual([{ via: "graph `admin_cleanup`", kind: "tools", name: "delete_db" }]);
    expect(entry.refused).toEqual([]);
    const ran = await rag(["run", "gen.rag", "--json"], dir);
    expect(ran.code).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });
});

/**
 * A tool call waiting for a person's approval, as `rag run` shows it (issue 14 §4): the
 * tool, the node, why it is asked, the arguments as indented JSON cut to a bounded size,
 * and what approving and denying do — never the raw interrupt payload on one line.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { approvalArgsLines } from "../../stdlib/approval-text.js";
import { jsonEvents, ragIn, root, scratchProject } from "../helpers/cli.js";

const config = `import { appendFileSync } from "node:fs";
import { defineConfig, tool, z } from ${JSON.stringify(join(root, "index.ts"))};
export default defineConfig({
  tools: {
    drop: tool({
      description: "Drop a table.",
      schema: z.object({ table: z.string(), where: z.object({ older_than_days: z.number(), owners: z.array(z.string()) }) }),
      approval: "ask",
      run: async ({ table }) => (appendFileSync("dropped.txt", table + "\\n"), "dropped " + table),
    }),
  },
});
`;
const graph = `graph cleanup {
  start a
  state { x: any }
  node a { kind tool tool "drop" input { table: "users", where: { older_than_days: 30, owners: ["ada", "grace", "linus"] } } writes x next END }
}
`;

describe("rag run: a tool call waiting for approval", () => {
  it("shows the tool, its arguments pretty-printed and what approving does; the printed resume command runs it", async () => {
    const dir = scratchProject({ "rag.config.ts": config, "g.rag": graph });
    const r = await ragIn(["run", "g.rag", "--thread", "t1"], dir);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/⏸ \S+ {2}approve tool `drop` for node `a`\? \(its config says approval: "ask"\)\n/);
    expect(r.stdout).toContain('      Drop a table.\n      arguments:\n        {"table": "users", "where": {"older_than_days": 30, "owners": ["ada", "grace", "linus"]}}\n');
    expect(r.stdout).toContain("      approve: the call runs with these arguments · deny: it is not run, and the model is told\n");
    expect(r.stdout).not.toContain('"type":"tool_approval"');
    expect(r.stdout).toContain(`rag resume t1 --resume '"approve"'`);
    const resumed = await ragIn(["resume", "t1", "--resume", '"approve"', "--json"], dir);
    expect(resumed.code).toBe(0);
    expect(jsonEvents(resumed.stdout).at(-1)).toMatchObject({ type: "run_completed", state: { x: "dropped users" } });
  });

  it("--json keeps the payload as data (the interrupt event carries it whole)", async () => {
    const dir = scratchProject({ "rag.config.ts": config, "g.rag": graph });
    const r = await ragIn(["run", "g.rag", "--thread", "t2", "--json"], dir);
    expect(r.code).toBe(3);
    const ask = jsonEvents(r.stdout).find((e) => e.type === "interrupt")!;
    expect(ask.payload).toMatchObject({ type: "tool_approval", tool: "drop", args: { table: "users", where: { older_than_days: 30 } }, options: ["approve", "deny"], gate: "policy" });
  });
});

describe("approvalArgsLines", () => {
  it("keeps short values on one line, wraps long lists, and bounds lines and their length", () => {
    expect(approvalArgsLines({ a: 1, b: [1, 2] })).toEqual(['{"a": 1, "b": [1, 2]}']);
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key${i}`, { nested: "v".repeat(30), i }]));
    const lines = approvalArgsLines(many, { maxLines: 10, maxLineChars: 60 });
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe("{");
    expect(lines.at(-1)).toBe("… (more lines not shown)");
    expect(lines.every((l) => l.length <= 60)).toBe(true);
    expect(approvalArgsLines({ s: "\u001b]0;pwned\u0007" })).toEqual(['{"s": "\\u001b]0;pwned\\u0007"}']);
  });
});

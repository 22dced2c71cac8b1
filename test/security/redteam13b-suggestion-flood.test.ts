/**
 * Red team 13b: the did-you-mean of a `.rag` file's diagnostics. Each search was bounded
 * (2,000 candidates, 128 characters) but the searches were not: one per unknown name,
 * each over every node of the graph. A 130 kB file of 1,000 nodes with 60-character
 * names and 400 route targets that do not exist took `rag check` 221 s (and `rag lsp` on
 * every edit, `POST /api/check`, `rag author`'s rounds). And an unknown node's help
 * listed every node of the graph, once per diagnostic: 5,000 nodes and 20,000 unknown
 * targets (a 640 kB file) ran the compiler out of heap. Now every compile's suggestions
 * together compare at most `MAX_CELLS_PER_COMPILE` table cells, and helps list at most
 * `MAX_LISTED_NAMES` names.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { MAX_LISTED_NAMES } from "../../compiler/rules/name-list.js";

const long = (prefix: string, i: number) => `${prefix}_${"q".repeat(52)}${String(i).padStart(6, "0")}`;

/** One graph of `nodes` nodes and one router whose `refs` routes name nodes that do not exist. */
function flood(nodes: number, refs: number, node: (i: number) => string, target: (i: number) => string): string {
  let s = `graph g {\n  state { x: number = 0 }\n  start ${node(0)}\n`;
  for (let i = 0; i < nodes; i++) s += `  node ${node(i)} { kind set set { x: 1 } next END }\n`;
  s += "  node r { kind set set { x: 2 } routes {\n";
  for (let i = 0; i < refs; i++) s += `    l${i} -> ${target(i)}\n`;
  return s + "  } }\n}\n";
}

describe("a .rag file's did-you-mean and name lists are bounded per compile", () => {
  it("600 long node names and 300 unknown targets one letter off: seconds, not minutes", () => {
    const source = flood(600, 300, (i) => long("n", i), (i) => long("m", i));
    const t0 = performance.now();
    const r = compile(source, { file: "flood.rag" });
    const ms = performance.now() - t0;
    expect(r.diagnostics.filter((d) => d.code === "E-rag-unknown-node")).toHaveLength(300);
    // Before: ~180,000 comparisons of 60 × 60 characters, over a minute here.
    expect(ms).toBeLessThan(15_000);
    // The first ones still get their suggestion.
    expect(r.diagnostics[0]!.help).toBe(`did you mean \`${long("n", 0)}\`?`);
  }, 60_000);

  it("2,000 nodes and 2,000 unknown targets: each help lists 20 names and counts the rest", () => {
    const r = compile(flood(2000, 2000, (i) => long("n", i), (i) => `z${i}`), { file: "flood.rag" });
    const unknown = r.diagnostics.filter((d) => d.code === "E-rag-unknown-node");
    expect(unknown).toHaveLength(2000);
    const help = unknown[0]!.help!;
    expect(help).toContain(`\`${long("n", MAX_LISTED_NAMES - 1)}\``);
    expect(help).not.toContain(long("n", MAX_LISTED_NAMES));
    expect(help).toContain(`and ${2000 + 1 - MAX_LISTED_NAMES} more`);
    // Before: every help listed all 2,000 names, 234 MB of help text for this 225 kB file.
    expect(unknown.reduce((n, d) => n + (d.help?.length ?? 0), 0)).toBeLessThan(4_000_000);
  }, 60_000);

  it("a typo in a small file still gets its did-you-mean and its fix", () => {
    const r = compile(`graph g {\n  start fetch\n  node fetch { kind set set {} next summarise }\n  node summarize { kind set set {} next END }\n}\n`, { file: "typo.rag" });
    const d = r.diagnostics.find((x) => x.code === "E-rag-unknown-node")!;
    expect(d.help).toBe("did you mean `summarize`?");
    expect(d.fixes?.[0]?.replacement).toBe("summarize");
  });
});

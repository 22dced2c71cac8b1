/**
 * `rag run`'s progress says why a run ended early when a node's `when` routes all failed
 * and it has no `else` (`W-rag-routes-without-else`): the `route_selected` event with
 * `via: "none"` is printed as "no `when` route held and there is no `else`", not as an
 * empty arrow. The real ProgressPrinter over a real run.
 */
import { describe, expect, it } from "vitest";
import { ProgressPrinter } from "../../cli/progress.js";
import { compileGraph } from "../../compiler/index.js";
import { CompiledGraph } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";

const GRAPH = "graph g {\n  input { go: boolean }\n  start r\n  node r { kind router routes { when input.go -> x } }\n  node x { kind set next END }\n}\n";

async function progress(input: Record<string, unknown>): Promise<string> {
  const chunks: string[] = [];
  const out = { isTTY: false, columns: 80, write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WriteStream;
  const registry = standardRegistry();
  const bp = compileGraph(GRAPH, { registry: registry.view() }).value!;
  const printer = new ProgressPrinter(out, registry, bp, [], { tick: false });
  for await (const e of new CompiledGraph(bp, { registry }).stream(input)) printer.event(e);
  printer.close();
  return chunks.join("").replace(/\x1b\[[0-9;]*m/g, "");
}

describe("progress when no route matched", () => {
  it("names the node and why its branch ended, then the completed run", async () => {
    const text = await progress({ go: false });
    expect(text).toContain("↪ r: no `when` route held and there is no `else` → its branch ends here\n");
    expect(text).toMatch(/✔ completed in 1 step/);
  });

  it("a route that held is printed as before", async () => {
    expect(await progress({ go: true })).toContain("↪ r took its when route → x\n");
  });
});

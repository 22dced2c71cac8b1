/** Registry signatures (`registry/signatures.ts`) of a tool whose argument schema zod cannot export whole. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compile } from "../../compiler/index.js";
import { functionsCard } from "../../repl/codeact.js";
import { registryFromConfig } from "../../repl/index.js";

describe("registrySignatures", () => {
  it("a tool with a `z.date()` argument does not make the registry's view (every compile) throw: its args export with the date as any", () => {
    const reg = registryFromConfig({ tools: { when: { description: "d", schema: z.object({ at: z.date(), note: z.string() }), run: async () => 1 } } });
    const view = reg.view();
    const args = view.signatures?.tools?.when?.args as { properties: Record<string, unknown> };
    expect(args.properties.note).toEqual({ type: "string" });
    expect(args.properties.at).toEqual({});
    const r = compile(`graph g {\n  node a: tool { tool "when" }\n  edge START -> a\n  edge a -> END\n}\n`, { file: "g.rag", registry: view });
    expect(r.diagnostics.filter((d) => d.message.includes("cannot be represented"))).toEqual([]);
  });

  it("the CodeAct functions card lists such a tool too (it threw zod's error before the model was asked)", () => {
    const reg = registryFromConfig({ tools: { when: { description: "d", schema: z.object({ at: z.date(), note: z.string() }), run: async () => 1 } } });
    expect(functionsCard(reg)).toContain('- when: d Arguments (JSON Schema): {"type":"object","properties":{"at":{},"note":{"type":"string"}}');
  });
});

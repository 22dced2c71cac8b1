/**
 * Second red-team round (issue 10): a `budget { tokens }` is charged before the call by an
 * estimate that counts the reply as `maxOutputTokens`, else 256 tokens. A model asked
 * nothing about length (or prompt-injected to ramble) wrote 50,000 tokens against 1,000
 * left: all spent before the check after the call failed the task. The provider is now
 * told the output the budget has left (`maxOutputTokens`), and a reply cut there fails
 * the task as `budget_exceeded`. The scripted model below honours `maxOutputTokens` as
 * providers do and reports what it generated.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import type { ChatRequest } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, MemoryCheckpointer } from "../../runtime/index.js";
import { scripted } from "../../stdlib/index.js";

let generated = 0;
let asked: (number | undefined)[] = [];

/** A model that writes `wants` output tokens, or `maxOutputTokens` when the request sets fewer. */
function registry(wants: number) {
  return registryFromConfig({
    models: {
      m: {
        provider: scripted({
          rules: [
            {
              reply: (req: ChatRequest) => {
                asked.push(req.maxOutputTokens);
                const out = Math.min(wants, req.maxOutputTokens ?? Infinity);
                generated += out;
                return { text: "x".repeat(Math.min(out, 1000)), usage: { inputTokens: 10, outputTokens: out } };
              },
            },
          ],
        }),
        price: { inputPerMTok: 1, outputPerMTok: 10 },
      },
    },
  });
}

function graphOf(src: string, wants: number): CompiledGraph {
  const reg = registry(wants);
  const r = compile(src, { file: "attack.rag", registry: reg.view() });
  const errs = r.diagnostics.filter((d) => d.severity === "error");
  if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
  return new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: new MemoryCheckpointer() });
}

describe("a budget caps the reply before the call", () => {
  it("a node budget of 1,000 tokens: a model that would write 50,000 writes under 1,000, and the task fails budget_exceeded", async () => {
    generated = 0;
    asked = [];
    const g = graphOf('graph g { start a state { out: any } node a { model "m" prompt "p" budget { tokens: 1000 } writes out next END } }', 50_000);
    const e = await g.invoke({}, { threadId: "t" }).then(() => new Error("completed"), (x: Error) => x);
    expect(generated).toBeLessThanOrEqual(1000);
    expect(asked[0]).toBeLessThanOrEqual(1000);
    expect(e.message).toContain("was cut at the");
    expect(JSON.stringify(e)).toContain("budget_exceeded");
  });

  it("a run budget in USD caps it too", async () => {
    generated = 0;
    asked = [];
    // $0.01 at $10 per million output tokens: at most 1,000 output tokens.
    const g = graphOf('graph g { start a budget { usd: 0.01 } state { out: any } node a { model "m" prompt "p" writes out next END } }', 50_000);
    await g.invoke({}, { threadId: "t" }).catch(() => undefined);
    expect(generated).toBeLessThanOrEqual(1000);
  });

  it("a reply that fits is not cut and the run completes", async () => {
    generated = 0;
    asked = [];
    const g = graphOf('graph g { start a state { out: any } node a { model "m" prompt "p" budget { tokens: 1000 } writes out next END } }', 300);
    const r = await g.invoke({}, { threadId: "t" });
    expect(r.status).toBe("completed");
    expect(generated).toBe(300);
  });
});

/**
 * Second red-team round (issue 10): inside an agent's own tool loop the model is asked
 * again when the task re-runs after a person approved a call, so the approval names the
 * call by a fingerprint of its tool and arguments (`approve <fingerprint>`) and a
 * different call after the resume is declined. The fingerprint was 8 hex digits: two
 * argument objects with the same one are found by trying ~2^16 of them (a birthday
 * search, well under a second), so text injected into the conversation could have the
 * model propose a harmless refund for review and, after the approval, a large one with
 * the same fingerprint, which ran unreviewed. The fingerprint is now the whole SHA-256.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { canonicalJson } from "../../compiler/canonical.js";
import { compile } from "../../compiler/index.js";
import { tool, type ChatRequest } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph, MemoryCheckpointer } from "../../runtime/index.js";
import { scripted } from "../../stdlib/index.js";
import { callFingerprint } from "../../stdlib/kinds/approval.js";

/** The first `hexDigits` hex digits of the SHA-256 of a refund call's canonical JSON: the old 8-digit fingerprint for 8. */
const prefix = (args: Record<string, unknown>, hexDigits: number) => createHash("sha256").update(canonicalJson({ tool: "refund", args })).digest("hex").slice(0, hexDigits);

/**
 * Two refunds (amount 1 and amount 1,000,000) whose canonical JSON shares its first 8 hex
 * digits of SHA-256 (`fed9a48c`). Found by a birthday search over notes `n0`, `n1`, …
 * for both amounts (a map of the prefixes seen for each, until one amount's prefix is in
 * the other's): 147,442 hashes, a second or two on a loaded machine, so kept here as data;
 * the test checks they collide.
 */
function collidingRefunds(hexDigits: number): [Record<string, unknown>, Record<string, unknown>] {
  const shown = { id: "A-1", amount: 1, note: "n36236" };
  const swapped = { id: "A-1", amount: 1_000_000, note: "n73720" };
  expect(prefix(shown, hexDigits)).toBe(prefix(swapped, hexDigits));
  expect(prefix(shown, 64)).not.toBe(prefix(swapped, 64));
  return [shown, swapped];
}

describe("an approval in an agent's loop covers exactly the call a person saw", () => {
  it("a call with other arguments whose old 8-digit fingerprint collides is declined, not run", async () => {
    const [shown, swapped] = collidingRefunds(8);
    const refunds: unknown[] = [];
    let proposals = 0;
    const reg = registryFromConfig({
      models: {
        m: {
          provider: scripted({
            rules: [
              {
                // First the harmless call (what the person reviews); when asked again after the approval, the large one.
                reply: (req: ChatRequest) => (req.messages.some((m) => m.role === "tool") ? "done" : { toolCalls: [{ id: "c1", name: "refund", arguments: proposals++ === 0 ? shown : swapped }] }),
              },
            ],
          }),
        },
      },
      tools: { refund: tool({ description: "refund", schema: z.object({ id: z.string(), amount: z.number(), note: z.string() }), run: (a) => (refunds.push(a), "refunded") }) },
    });
    const r = compile('graph g { start a channel messages messages node a { kind agent model "m" tools ["refund"] approve ["refund"] next END } }', { file: "attack.rag", registry: reg.view() });
    const g = new CompiledGraph(r.value.blueprints[0], { registry: reg, checkpointer: new MemoryCheckpointer() });
    const paused = await g.invoke({}, { threadId: "t" });
    const question = paused.interrupts[0].payload as { args: Record<string, unknown>; options: string[] };
    expect(question.args).toEqual(shown);
    const done = await g.resume("t", { value: question.options[0] });
    expect(refunds).toEqual([]);
    expect(JSON.stringify(done.state.messages)).toContain("was for a different call than this one");
  });

  it("the fingerprint is the whole SHA-256 of the call", () => {
    expect(callFingerprint({ name: "refund", arguments: { id: "A-1" } })).toMatch(/^[0-9a-f]{64}$/);
  });
});

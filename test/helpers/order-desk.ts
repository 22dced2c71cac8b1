/**
 * The order desk of the approval and tool-call tests (a refunds graph binding `lookup` and
 * `refund`, gating `refund` with `approve`): the two tools, each recording its call in
 * `ran` ("lookup A1", "refund A1 30"), and the scripted model's last turn, which replies
 * with the tool results it was given.
 */
import { z } from "zod";
import { tool } from "../../registry/index.js";
import type { ScriptRule } from "../../stdlib/index.js";

/** `lookup` (read-only; returns `found(id)`, default the id) and `refund` (returns "refunded"); both push their call onto `ran`. */
export function orderTools(ran: string[], found: (id: string) => unknown = (id) => id) {
  return {
    lookup: tool({ description: "Find an order.", schema: z.object({ id: z.string() }), readOnly: true, run: ({ id }) => (ran.push(`lookup ${id}`), found(id)) }),
    refund: tool({ description: "Refund an order.", schema: z.object({ id: z.string(), amount: z.number() }), run: ({ id, amount }) => (ran.push(`refund ${id} ${amount}`), "refunded") }),
  };
}

/** A scripted reply `done: R1 | R2 …` listing the contents of the request's tool messages in order. */
export const doneWithToolResults: ScriptRule = { reply: (req) => `done: ${req.messages.filter((m) => m.role === "tool").map((m) => m.content).join(" | ")}` };

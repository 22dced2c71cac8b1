/**
 * Approval of tool calls (`runtime.md` §7: a tool's policy `auto | ask | deny`; and the
 * node's `approve [..]` list, `language.md` §2.3). For each call of an `ask` tool, or of
 * a tool the node lists in `approve`, in call order and before any call of the turn runs, the task
 * pauses with `interrupt(payload)` — the run saves a checkpoint and waits for a person —
 * and on resume the answer decides: approve (optionally with edited arguments), or deny
 * (optionally with a reason the model is told). Asking for every call first means an
 * approved mutating call never runs twice because a later call of the same turn paused.
 *
 * Approval is a gate after authorisation, never a grant: only calls the one
 * authorisation check (`authorize()`, the run's `RunAuthority`) allows get this far.
 *
 * The question (the interrupt payload):
 *   `{ type: "tool_approval", node, tool, callId, args, description, options, gate }`
 * where `gate` says why it is asked: `"approve"` (the node's `approve` list) or `"policy"`
 * (the tool's `approval: "ask"` in the config).
 * The answer: one of `options` — `"approve"` / `"deny"` — or an object with that
 * `choice` and `args` (approve with these arguments instead) or `reason` (deny, and why).
 *
 * Inside an agent's own tool loop the model is asked again when the task re-runs on
 * resume, and may propose a different call; there the approve option names the call's
 * fingerprint (`"approve 3fa9c2d1…"`, the call's whole SHA-256), and an approval for another fingerprint declines
 * the new call instead of running it — nothing runs that a person did not approve.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../../compiler/canonical.js";
import type { AnswerCheckHook, NodeTask, ToolCall } from "../../registry/index.js";
import { NodeError } from "../../runtime/errors.js";
import { chosenOption } from "../../runtime/interrupt.js";

export type ApprovalDecision = { readonly approved: true; readonly args: Record<string, unknown> } | { readonly approved: false; readonly reason: string };

/** The payload of a tool-approval interrupt. */
export interface ToolApprovalRequest {
  readonly type: "tool_approval";
  readonly node: string;
  readonly tool: string;
  readonly callId: string;
  readonly args: Record<string, unknown>;
  readonly description: string;
  readonly options: readonly string[];
  /** Why it is asked: the node's `approve [..]` list, or the tool's `approval: "ask"` policy. */
  readonly gate: "approve" | "policy";
}

/** Who else's `approve` list applies to a call besides the task's node (see {@link needsApproval}). */
export interface ApprovalScope {
  /** The asking node's and agent's lists (a `tool_executor`: as the runtime recorded them, `ModelAsk`), or an inline agent's. */
  readonly approve?: readonly string[];
}

/**
 * True when a call of `tool` by `task`'s node needs a person's approval first: the tool's
 * policy is `ask`, the node lists it in `approve`, or `also.approve` does — for calls
 * another node asked for (a `tool_executor` running a model node's calls), that node's
 * and agent's lists as the runtime recorded them when its model replied (`ModelAsk`), never
 * a list or a name read from the assistant message (red team 11). Otherwise `approve
 * ["refund"]` on an agent that routes `tool_call -> tools` was skipped whenever the
 * executor itself had no `approve` (issue 10 audit).
 *
 * @param also.approve the asking node's lists, or the `approve` list of the inline agent whose loop makes the calls.
 */
export function needsApproval(task: Pick<NodeTask, "registry" | "node">, tool: string, also: ApprovalScope = {}): boolean {
  return task.registry.tools.get(tool)?.approval === "ask" || (task.node.approve?.includes(tool) ?? false) || (also.approve?.includes(tool) ?? false);
}

/**
 * SHA-256 over the call's tool and arguments (canonical JSON), all 64 hex digits. It was 8:
 * two argument objects sharing them are found in ~2^16 tries, so a harmless call shown
 * for approval could be swapped for another with the same fingerprint after the resume.
 */
export function callFingerprint(call: Pick<ToolCall, "name" | "arguments">): string {
  return createHash("sha256").update(canonicalJson({ tool: call.name, args: call.arguments })).digest("hex");
}

/**
 * Asks for the calls of `ask` tools among `calls`, in order (each an `interrupt`; the
 * first unanswered one pauses the task). Returns a decision per call (undefined for tools
 * that need none).
 *
 * @param bound name each call's fingerprint in the approve option (for agent loops, whose calls may differ after a resume).
 * @param also other `approve` lists that apply: the requesting node's, the inline agent's (see {@link needsApproval}).
 * @throws NodeError (validation) for an answer that is not an approval or a denial.
 */
export function approveCalls(task: NodeTask, calls: readonly ToolCall[], bound: boolean, also: ApprovalScope = {}): (ApprovalDecision | undefined)[] {
  return calls.map((call) => {
    const def = task.registry.tools.get(call.name);
    if (!needsApproval(task, call.name, also)) return undefined;
    const key = callFingerprint(call);
    const approve = bound ? `approve ${key}` : "approve";
    const question: ToolApprovalRequest = { type: "tool_approval", node: task.node.name, tool: call.name, callId: call.id, args: call.arguments, description: def?.description ?? "", options: [approve, "deny"], gate: def?.approval === "ask" ? "policy" : "approve" };
    const answer = task.interrupt<unknown>(question);
    const choice = chosenOption(answer);
    const extra = answer && typeof answer === "object" ? (answer as { args?: unknown; reason?: unknown }) : {};
    if (choice === "deny") return { approved: false, reason: typeof extra.reason === "string" && extra.reason ? `a person declined the call: ${extra.reason}` : "a person declined the call" };
    if (choice === approve) {
      // Refused where the answer was given too (`toolApprovalAnswerCheck`), for answers that came another way.
      if (!approvalArgsFit(extra.args)) {
        throw new NodeError(`the approval of tool \`${call.name}\` gave \`args\` that are not an object`, "validation", { graph: task.blueprint.id, node: task.node.name, taskId: task.taskId });
      }
      return { approved: true, args: (extra.args as Record<string, unknown> | undefined) ?? call.arguments };
    }
    if (bound && choice?.startsWith("approve ")) return { approved: false, reason: `the approval given (${choice}) was for a different call than this one (${approve}); ask again` };
    throw new NodeError(`the answer to the approval of tool \`${call.name}\` must be ${JSON.stringify(approve)} or "deny" (or {"choice": …, "args"|"reason": …}), got ${JSON.stringify(answer)}`, "validation", { graph: task.blueprint.id, node: task.node.name, taskId: task.taskId });
  });
}

/** Whether a tool approval's `args` can replace the call's arguments: absent (the model's arguments stand), or an object. */
export function approvalArgsFit(args: unknown): boolean {
  return args === undefined || (args !== null && typeof args === "object" && !Array.isArray(args));
}

/**
 * The answer check of tool-approval questions (`type: "tool_approval"`), registered by
 * `standardRegistry` (`Registry.registerAnswerCheck`): edited arguments must be an object.
 * The runtime runs it where a resume is accepted, so a bad answer is refused before it is
 * recorded and the question stays open (refused only by the node, the task would fail and
 * the thread lose its question).
 */
export const toolApprovalAnswerCheck: AnswerCheckHook = (q, answer, { threadId }) => {
  if (!answer || typeof answer !== "object" || !("args" in answer) || approvalArgsFit((answer as { args?: unknown }).args)) return undefined;
  return `the approval of tool \`${String((q.payload as { tool?: unknown }).tool)}\` (node \`${q.node}\`, thread \`${threadId}\`, interrupt \`${q.id}\`) gave \`args\` that are not an object; the question stays open: answer it again`;
};

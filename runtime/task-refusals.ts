/**
 * Capability checks of a task's own choices (registry `authorise`, through the run's
 * `RunAuthority`): a node of a registry's own kind must be allowed that kind, a send to
 * an agent or a graph must be bound by the sending node, and a `goto` that tools'
 * Commands chose must be one the node may take. Each refusal is
 * reported on the stream (`capability_denied`) and returned as a CapabilityDeniedError.
 */
import { isRegistryKind, type DenialRule, type NodeSpec } from "../compiler/index.js";
import type { NodeResult } from "../registry/index.js";
import { CapabilityDeniedError } from "./errors.js";
import type { PlannedTask } from "./planner-state.js";
import type { TaskEnv } from "./task-env.js";
import type { TaskWhere } from "./task-errors.js";

/**
 * A send to an agent or a graph (an implicit subagent/subgraph task) is a capability use
 * of the sending node: it must bind the target (static sends always do; a Send made at
 * run time may not). Returns the refusal, or undefined when allowed.
 */
export function sendRefusal(task: PlannedTask, env: TaskEnv, where: TaskWhere): CapabilityDeniedError | undefined {
  const from = task.from !== undefined ? env.nodes.get(task.from) : undefined;
  const kind = task.implicit === "graph" ? "graphs" : "agents";
  const d = from
    ? env.authority.check(from, kind, task.node, { caller: "send" })
    : ({ allowed: false, rule: "not-granted", reason: `a send to ${kind === "graphs" ? "graph" : "agent"} \`${task.node}\` has no sending node that binds it` } as const);
  if (d.allowed) return undefined;
  if (env.wants("capability_denied")) void env.emit({ type: "capability_denied", capability: kind, name: task.node, caller: "send", rule: d.rule, reason: d.reason }, { taskId: task.id, node: task.node });
  return new CapabilityDeniedError(d.reason, { kind, name: task.node }, "send", d.rule, where);
}

/**
 * A node of a registry's own kind (`kind send_email`, `nodeKinds` in the config) runs host
 * code: the kind is a capability of the node (`nodeKinds`), authorised like a tool before
 * the task starts — the graph's `allow nodeKinds` lists, the limits of an enclosing run or
 * session, and the registry policy (`allow`/`untrustedAllow`) for the blueprint's
 * provenance. Built-in kinds are the language's and pass. Returns the refusal, reported
 * on the stream (`capability_denied`), or undefined when allowed.
 */
export function kindRefusal(spec: NodeSpec, env: TaskEnv, where: TaskWhere): CapabilityDeniedError | undefined {
  if (!isRegistryKind(spec.kind)) return undefined;
  const d = env.authority.check(spec, "nodeKinds", spec.kind, { caller: "node" });
  if (d.allowed) return undefined;
  if (env.wants("capability_denied")) void env.emit({ type: "capability_denied", capability: "nodeKinds", name: spec.kind, caller: "node", rule: d.rule, reason: d.reason }, { taskId: where.taskId, node: where.node });
  return new CapabilityDeniedError(`node \`${spec.name}\` was not run: ${d.reason}`, { kind: "nodeKinds", name: spec.kind }, "node", d.rule, where);
}

/** Most targets a tool's Command may name, nested Send commands included (a larger tree is refused). */
const MAX_TOOL_GOTO_TARGETS = 10_000;

/**
 * The refusal of a `goto` that tools' Commands chose (`NodeResult.toolCommand`): every
 * target (a name or a Send packet's node) must pass `RunAuthority.checkGoto` for the
 * node that ran the tools — and so must every target of a Command a Send packet carries,
 * checked for the packet's node (its task completes with that goto), however deep: a
 * packet to an allowed node must not smuggle a goto to any other node. The tree is walked
 * with an explicit stack and at most `MAX_TOOL_GOTO_TARGETS` targets. Reports the refusal
 * on the stream; undefined when allowed.
 */
export function toolGotoRefusal(spec: NodeSpec, goto: NonNullable<NodeResult["goto"]>, tools: readonly string[], env: TaskEnv, where: TaskWhere): CapabilityDeniedError | undefined {
  const by = tools.length ? `tool ${tools.map((t) => `\`${t}\``).join(", ")}` : "a tool";
  const refuse = (target: string, reason: string, rule: DenialRule = "not-granted") => {
    if (env.wants("capability_denied")) void env.emit({ type: "capability_denied", capability: "nodes", name: target, caller: "tool", rule, reason }, { taskId: where.taskId, node: where.node });
    return new CapabilityDeniedError(`${by} returned a command with goto \`${target}\`, refused: ${reason}`, { kind: "nodes", name: target }, "tool", rule, where);
  };
  const stack: { from: NodeSpec; targets: readonly unknown[] }[] = [{ from: spec, targets: goto }];
  let seen = 0;
  for (let top = stack.pop(); top; top = stack.pop()) {
    for (const g of top.targets) {
      if (++seen > MAX_TOOL_GOTO_TARGETS) return refuse("…", `the command names more than ${MAX_TOOL_GOTO_TARGETS} targets`);
      const target = typeof g === "string" ? g : (g as { node?: unknown } | null)?.node;
      if (typeof target !== "string") continue; // the planner reports a malformed target
      const d = env.authority.checkGoto(top.from, target);
      if (!d.allowed) return refuse(target, d.reason, d.rule);
      const carried = typeof g === "object" && g !== null ? (g as { command?: { goto?: unknown } }).command?.goto : undefined;
      if (carried === undefined) continue;
      // A Send's Command runs as its target node's goto: checked from that node.
      const next = env.nodes.get(target);
      if (!next || !Array.isArray(carried)) return refuse(target, `a Send to \`${target}\` carries a command whose goto cannot be checked`);
      stack.push({ from: next, targets: carried });
    }
  }
  return undefined;
}

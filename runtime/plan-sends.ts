/**
 * Send planning (`runtime.md` §2): a node's `send` templates and a node's run-time
 * `goto` Send packets each open one fan-out with one branch (and one task) per packet,
 * its size charged before any packet is built.
 */
import type { NodeSpec, SendSpec } from "../compiler/index.js";
import type { NodeResult, SendCommand } from "../registry/index.js";
import { FanoutLimitError, MAX_SEND_PACKETS, NodeError } from "./errors.js";
import { evaluate, evaluateShared, sharedBudget, type Scope, type SharedBudget } from "./expr.js";
import type { Completion, FanoutState, PlannedTask, PlannerState } from "./planner-state.js";
import type { Activation, PlanContext, Planning } from "./planning.js";
import type { State } from "./state.js";

/** Evaluates the node's send templates into one fan-out with one branch per packet. */
export function dispatchSends(
  planner: PlannerState,
  spec: NodeSpec,
  t: PlannedTask,
  c: Completion,
  ctx: PlanContext,
  p: Planning,
): void {
  if (!spec.sends?.length) return;
  const { events, tasks, touched } = p;
  const scope = ctx.scope(t, c.result);
  const packets: { send: SendSpec; args: unknown }[] = [];
  const where = { graph: ctx.index.blueprint.id, node: spec.name, taskId: t.id, step: ctx.step };
  const max = ctx.maxSendPackets ?? MAX_SEND_PACKETS;
  // The fan-out's size is charged before any packet is built: the lists' lengths first.
  const lists: (unknown[] | undefined)[] = [];
  let count = 0;
  for (const s of spec.sends) {
    let items: unknown[] | undefined;
    if (s.forEach) {
      const v = evaluate(s.forEach.iterable, scope);
      if (!Array.isArray(v)) {
        throw new NodeError(`node \`${spec.name}\`: \`for ${s.forEach.variable} in …\` needs a list, got ${v === null ? "null" : typeof v}`, "validation", where);
      }
      items = v;
    }
    count += items ? items.length : 1;
    // `!(≤)`, not `>`: a NaN bound refuses rather than lifting the limit.
    if (!(count <= max)) throw new FanoutLimitError(max, count, where);
    lists.push(items);
  }
  // …and against what the other tasks of the step dispatch: branches that send again multiply.
  p.chargePackets(count, max, where);
  // Each packet's arguments are charged (as JSON bytes) before the next is built.
  const add = (send: SendSpec, args: unknown) => (p.chargePayload(args, where), packets.push({ send, args }));
  // One expression budget for every packet's arguments (`SHARED_EXPR_BUDGET`), not one each.
  const shared = sharedBudget(`the \`send\` arguments of node \`${spec.name}\``);
  spec.sends.forEach((s, k) => {
    const items = lists[k];
    if (items && s.forEach) for (const item of items) add(s, sendArgs(s, { ...scope, [s.forEach.variable]: item }, ctx.state, shared));
    else add(s, sendArgs(s, scope, ctx.state, shared));
  });
  const id = `f${planner.nextFanout++}`;
  const fanout: FanoutState = {
    id,
    node: spec.name,
    ...(t.branch ? { parent: t.branch } : {}),
    ...(spec.join ? { join: { target: spec.join.target, wait: spec.join.wait } } : {}),
    live: packets.map(() => 1),
    ended: packets.map(() => false),
    failed: packets.map(() => false),
    released: false,
  };
  planner.fanouts[id] = fanout;
  touched.push(fanout);
  p.bump(t.branch, 1); // the open fan-out keeps the parent branch alive
  packets.forEach((p, i) => {
    const implicit = p.send.targetKind === "node" ? undefined : p.send.targetKind;
    tasks.push({ node: p.send.target, trigger: "send", from: spec.name, args: p.args, branch: { fanoutId: id, index: i }, ...(implicit ? { implicit } : {}), ...(p.send.into ? { into: p.send.into } : {}) });
  });
  events.push({
    type: "send_dispatched",
    fanoutId: id,
    targets: packets.map((p) => ({ node: p.send.target, args: p.args })),
    ...(spec.join ? { join: spec.join.target, wait: spec.join.wait } : {}),
  });
}

/**
 * A node's run-time `goto` (LangGraph's `Command({goto})`): names become activations in
 * the task's branch; Send packets open one fan-out without a join (one task per packet).
 * Throws NodeError for a name that is no node of the graph.
 */
export function runtimeGoto(planner: PlannerState, t: PlannedTask, targets: NonNullable<NodeResult["goto"]>, ctx: PlanContext, p: Planning): Activation[] {
  const from = t.node;
  const out: Activation[] = [];
  const packets: { node: string; args: unknown; command?: SendCommand }[] = [];
  const where = { graph: ctx.index.blueprint.id, node: from, taskId: t.id, step: ctx.step };
  const max = ctx.maxSendPackets ?? MAX_SEND_PACKETS;
  for (const g of targets) {
    const node = typeof g === "string" ? g : g?.node;
    if (typeof node !== "string" || (node !== "END" && !ctx.index.nodes.has(node))) {
      throw new NodeError(`node \`${from}\` chose goto \`${String(node)}\`, which is no node of graph \`${ctx.index.blueprint.id}\``, "permanent", where);
    }
    if (typeof g === "string") out.push({ node, trigger: "goto", from, ...(t.branch ? { branch: t.branch } : {}) });
    else if (node !== "END") {
      if (!(packets.length < max)) throw new FanoutLimitError(max, targets.length, where);
      p.chargePayload(g.command ? { args: g.args, command: g.command } : g.args, where);
      packets.push({ node, args: g.args, ...(g.command ? { command: g.command } : {}) });
    }
  }
  if (packets.length) p.chargePackets(packets.length, max, where);
  if (out.length) p.events.push({ type: "route_selected", from, via: "goto", targets: out.map((a) => a.node) });
  if (packets.length) {
    const id = `f${planner.nextFanout++}`;
    const fanout: FanoutState = { id, node: from, ...(t.branch ? { parent: t.branch } : {}), live: packets.map(() => 1), ended: packets.map(() => false), failed: packets.map(() => false), released: false };
    planner.fanouts[id] = fanout;
    p.touched.push(fanout);
    p.bump(t.branch, 1);
    packets.forEach((x, i) => p.tasks.push({ node: x.node, trigger: "send", from, ...(x.args !== undefined ? { args: x.args } : {}), ...(x.command ? { command: x.command } : {}), branch: { fanoutId: id, index: i } }));
    p.events.push({ type: "send_dispatched", fanoutId: id, targets: packets.map((x) => ({ node: x.node, args: x.args })) });
  }
  return out;
}

function sendArgs(s: SendSpec, scope: Scope, state: State, shared: SharedBudget): unknown {
  if (!s.args) return undefined;
  if (s.args.kind === "map") return Object.fromEntries(s.args.fields.map((f) => [f.key, evaluateShared(f.value, scope, shared)]));
  const input = (scope.input ?? {}) as Record<string, unknown>;
  // Own fields only, as a node's `input "FIELD"` (node-task.ts): `in` found Object.prototype for "__proto__".
  const path = s.args.path;
  if (Object.hasOwn(state, path)) return state[path];
  return (Object.hasOwn(input, path) ? input[path] : undefined) ?? path;
}

/**
 * What a `send`'s target names, resolved once (`language.md` §2.3): a node of the graph,
 * else an inline agent, else a graph of the file or the registry (an implicit
 * `subgraph`), else a registered agent (an implicit `subagent`). Lowering writes the
 * choice into the IR as the send's `targetKind` (lower/node.ts), which the runtime runs
 * and authorises; the send rules (target, input, shape, result channel), the write
 * analysis, the capability uses and the type of `args` ask here too, so none of them can
 * disagree with the run on what a name means.
 */
import type * as A from "../../grammar/rag/ast.js";
import type { RegistryView } from "../registry-view.js";
import type { ResolvedAgent, ResolvedGraph, ResolvedNode, ResolvedProgram } from "../resolve/resolve.js";
import { graphCache } from "./graph-cache.js";

/**
 * A resolved send target. `unchecked`: none of the above, but the registry leaves agents
 * or graphs unchecked (it may be one); `unknown`: none of the above, and nothing may
 * supply it (`E-rag-unknown-send-target`).
 */
export type SendTargetRef =
  | { readonly kind: "node"; readonly name: string; readonly node: ResolvedNode; readonly what: string }
  /** `inline`: the file's `agent NAME { … }`; undefined for a registered agent. */
  | { readonly kind: "agent"; readonly name: string; readonly inline: ResolvedAgent | undefined; readonly what: string }
  /** `local`: the file's `graph NAME { … }`; undefined for a registered graph. */
  | { readonly kind: "graph"; readonly name: string; readonly local: ResolvedGraph | undefined; readonly what: string }
  | { readonly kind: "unchecked" | "unknown"; readonly name: string; readonly what: string };

/** What send target `name` of graph `g` is (see the module comment). */
export function resolveSendTarget(name: string, g: ResolvedGraph, p: ResolvedProgram, registry: RegistryView | undefined): SendTargetRef {
  const node = g.nodes.get(name);
  if (node) return { kind: "node", name, node, what: `node \`${name}\`` };
  const inline = p.agents.get(name);
  if (inline) return { kind: "agent", name, inline, what: `agent \`${name}\`` };
  // A graph of the file or a registered graph before a registered agent of the same name.
  const local = p.graphByName.get(name);
  if (local || registry?.graphs?.has(name)) return { kind: "graph", name, local, what: `graph \`${name}\`` };
  const sig = registry?.signatures;
  if (registry?.agents?.has(name) || hasOwnEntry(sig?.agents, name)) return { kind: "agent", name, inline: undefined, what: `agent \`${name}\`` };
  if (hasOwnEntry(sig?.graphs, name)) return { kind: "graph", name, local: undefined, what: `graph \`${name}\`` };
  const unchecked = registry !== undefined && (registry.agents === null || registry.graphs === null);
  return { kind: unchecked ? "unchecked" : "unknown", name, what: `\`${name}\`` };
}

/** Whether `record` has its own entry `name` (not `constructor` or `toString` from its prototype: names come from the file). */
function hasOwnEntry(record: object | undefined, name: string): boolean {
  return record !== undefined && Object.hasOwn(record, name);
}

/** A packet: one target of a node's `send`, and the node that sends it. */
export interface Packet {
  readonly sender: ResolvedNode;
  readonly target: A.SendTarget;
}

const packets = graphCache<ReadonlyMap<string, readonly Packet[]>>();

/** The packets sent in `g`, by target name, in source order (collected once per graph: a scan per asking node was quadratic). */
export function packetsTo(g: ResolvedGraph): ReadonlyMap<string, readonly Packet[]> {
  let to = packets.get(g) as Map<string, Packet[]> | undefined;
  if (to) return to;
  to = new Map<string, Packet[]>();
  for (const n of g.nodeList) {
    for (const s of n.sends) {
      for (const t of s.targets) {
        const l = to.get(t.target.name);
        if (l) l.push({ sender: n, target: t });
        else to.set(t.target.name, [{ sender: n, target: t }]);
      }
    }
  }
  packets.set(g, to);
  return to;
}

/** Whether some node of `g` sends to `name` (its arguments then come from the packet). */
export function isSendTarget(name: string, g: ResolvedGraph): boolean {
  return packetsTo(g).has(name);
}

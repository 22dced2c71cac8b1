/**
 * Every capability a graph binds, with where it is named (a node's registry kind among
 * them, `kind send_email`): the input of `allow` and
 * policy checks (`language.md` §2.1 `allow`, §5). Names resolved by meaning (§6): `model`
 * on a subgraph node is a graph and on a router node a route function; inline agents the
 * graph uses contribute their model and tools; send targets that are no node or inline
 * agent are graphs (of the file or registered) or registered agents, resolved as the run
 * resolves them (`send-targets.ts`; a name nothing declares counts as an agent, as the
 * IR's `targetKind` does).
 */
import type { Span } from "../../grammar/span.js";
import type { CapabilityKind } from "../policy-view.js";
import type { RegistryView } from "../registry-view.js";
import { resolveSendTarget } from "./send-targets.js";
import { isRegistryKind } from "../grants.js";
import { canonicalReducer } from "../resolve/reducers.js";
import { listNames, type ItemTable, type ResolvedGraph, type ResolvedProgram, isFirstDeclaration } from "../resolve/resolve.js";

export interface CapabilityUse {
  readonly kind: CapabilityKind;
  readonly name: string;
  /** Other spellings that count as the same grant (a reducer's canonical name). */
  readonly aliases?: readonly string[];
  readonly span: Span;
  /** "node `a`", "agent `r`", "channel `x`". */
  readonly owner: string;
}

function agentItems(items: ItemTable, owner: string, out: CapabilityUse[]): void {
  const m = items.get("model");
  if (m) out.push({ kind: "models", name: m.value.value, span: m.value.span, owner });
  for (const t of listNames(items.get("tools")?.value)) out.push({ kind: "tools", name: t.name, span: t.span, owner });
}

export function capabilityUses(g: ResolvedGraph, p: ResolvedProgram, registry: RegistryView | undefined): CapabilityUse[] {
  const out: CapabilityUse[] = [];
  const inlineUsed = new Map<string, Span>();
  for (let ni = 0, nl = g.nodeList; ni < nl.length; ni++) {
    const n = nl[ni]!;
    if (!isFirstDeclaration(g, n)) continue;
    const owner = `node \`${n.name}\``;
    const it = n.items;
    // A registry's own node kind runs host code: a capability like a tool (built-in kinds are the language's).
    const kind = n.kindItem?.value;
    if (kind?.name && isRegistryKind(kind.name)) out.push({ kind: "nodeKinds", name: kind.name, span: kind.span, owner });
    const model = it.get("model");
    if (model) {
      const kind: CapabilityKind = n.modelMeaning === "graph" ? "graphs" : n.modelMeaning === "route" ? "routers" : "models";
      out.push({ kind, name: model.value.value, span: model.value.span, owner });
    }
    for (const t of listNames(it.get("tools")?.value)) out.push({ kind: "tools", name: t.name, span: t.span, owner });
    const simple = [["tool", "tools"], ["graph", "graphs"], ["script", "scripts"], ["route", "routers"]] as const;
    for (const [k, kind] of simple) {
      const b = it.get(k);
      if (b) out.push({ kind, name: b.value.value, span: b.value.span, owner });
    }
    const agent = it.get("agent");
    if (agent) {
      if (p.agents.has(agent.value.value)) inlineUsed.set(agent.value.value, agent.value.span);
      else out.push({ kind: "agents", name: agent.value.value, span: agent.value.span, owner });
    }
    for (const v of listNames(it.get("validate")?.value)) out.push({ kind: "validators", name: v.name, span: v.span, owner });
    for (const m of listNames(it.get("models")?.value)) out.push({ kind: "models", name: m.name, span: m.span, owner });
    for (const a of listNames(it.get("agents")?.value)) {
      if (p.agents.has(a.name)) inlineUsed.set(a.name, a.span);
      else out.push({ kind: "agents", name: a.name, span: a.span, owner });
    }
    for (const x of listNames(it.get("graphs")?.value)) if (!p.graphByName.has(x.name)) out.push({ kind: "graphs", name: x.name, span: x.span, owner });
    for (const s of n.sends) {
      for (const t of s.targets) {
        const name = t.target.name;
        const target = name ? resolveSendTarget(name, g, p, registry) : undefined;
        if (!target || target.kind === "node") continue;
        if (target.kind === "agent" && target.inline) inlineUsed.set(name, t.target.span);
        else out.push({ kind: target.kind === "graph" ? "graphs" : "agents", name, span: t.target.span, owner: `a send from node \`${n.name}\`` });
      }
    }
  }
  for (const [name] of inlineUsed) {
    const a = p.agents.get(name)!;
    agentItems(a.items, `agent \`${name}\``, out);
  }
  for (const f of g.fieldList) {
    const r = f.source.reducer;
    if (!r || !r.name.name) continue;
    const owner = `field \`${f.name.name}\``;
    const canon = canonicalReducer(r.name.name);
    out.push({ kind: "reducers", name: r.name.name, ...(canon && canon !== r.name.name ? { aliases: [canon] } : {}), span: r.name.span, owner });
    const fn = r.args[0];
    if (canon === "aggregate" && fn?.kind === "String") out.push({ kind: "reducers", name: fn.value, span: fn.span, owner });
  }
  return out.filter((u) => u.name);
}

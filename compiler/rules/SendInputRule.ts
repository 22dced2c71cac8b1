/**
 * A send target gets the input it needs (`language.md` §2.3, §5: "send target missing
 * input mapping"), `E-rag-missing-input`. Precisely, where the compiler can know it:
 * - a node target that reads `args.K` (in its templates or expressions) must receive a
 *   send whose argument map has `K`;
 * - a graph of this file that declares required `input` fields (not optional, no
 *   default) must receive them: from the send's argument map, or — without one — from
 *   same-named fields of the sender's state (the runtime passes the state, conversations
 *   left out, when a send has no arguments);
 * - an inline agent whose `prompt` reads `input.K`: the same, for `K`.
 * The same holds for `subgraph`/`subagent` nodes and their `input` item. Registered
 * agents and graphs declare no input shape to the compiler, and reference string
 * arguments (`send worker "path"`) pass a value of unknown shape: neither is checked.
 */
import type * as A from "../../grammar/rag/ast.js";
import type { Span } from "../../grammar/span.js";
import { didYouMean } from "../../grammar/suggest.js";
import { exprSites, rootReads, templateSites } from "../expr/sites.js";
import type { ResolvedAgent, ResolvedGraph, ResolvedNode, ResolvedProgram } from "../resolve/resolve.js";
import { isFirstDeclaration } from "../resolve/resolve.js";
import { isSendTarget, resolveSendTarget, type SendTargetRef } from "../analysis/send-targets.js";
import type { Rule, RuleContext } from "./rule.js";

interface Need {
  /** Keys the target needs, with where it needs them. */
  readonly keys: ReadonlyMap<string, Span>;
  /** `args` for node targets (only a map can supply it); `input` for graphs and agents (state can). */
  readonly via: "args" | "input";
  readonly what: string;
}

function isRequired(f: A.Field): boolean {
  return f.type.kind !== "OptionalType" && f.default === undefined;
}

/** A node target needs the `args.K` its templates and expressions read. */
function nodeNeed(name: string, node: ResolvedNode): Need | undefined {
  const keys = rootReads(exprSites(node.items, node.sends), "args");
  return keys.size ? { keys, via: "args", what: `node \`${name}\`` } : undefined;
}

/** A graph of this file needs its required `input` fields. */
function graphNeed(name: string, graph: ResolvedGraph): Need | undefined {
  const keys = new Map<string, Span>();
  for (const io of graph.io) if (io.direction === "input") for (const f of io.fields) if (f.name.name && isRequired(f)) keys.set(f.name.name, f.name.span);
  return keys.size ? { keys, via: "input", what: `graph \`${name}\`` } : undefined;
}

/** An inline agent needs the `input.K` its prompt reads. */
function agentNeed(name: string, agent: ResolvedAgent): Need | undefined {
  const keys = rootReads(templateSites(agent.items.get("prompt")), "input");
  return keys.size ? { keys, via: "input", what: `agent \`${name}\`` } : undefined;
}

/** What a send target needs, when it is a node, a same-file graph or an inline agent. */
function sendNeed(t: SendTargetRef): Need | undefined {
  if (t.kind === "node") return nodeNeed(t.name, t.node);
  if (t.kind === "graph" && t.local) return graphNeed(t.name, t.local);
  if (t.kind === "agent" && t.inline) return agentNeed(t.name, t.inline);
  return undefined;
}

/** What the graph or agent a `subgraph`/`subagent` node names needs, when it is of this file. */
function boundNeed(name: string, p: ResolvedProgram): Need | undefined {
  const graph = p.graphByName.get(name);
  if (graph) return graphNeed(name, graph);
  const agent = p.agents.get(name);
  return agent ? agentNeed(name, agent) : undefined;
}

/**
 * For each missing key, the map's key that is probably a misspelling of it: a key the
 * target does not need, close to the missing one (`didYouMean`), each used once.
 */
function misspelled(args: A.ExprMap, need: Need, missing: readonly string[]): Map<string, A.ExprEntry> {
  const spare = args.entries.filter((e) => e.key.name && !need.keys.has(e.key.name));
  const out = new Map<string, A.ExprEntry>();
  for (const k of missing) {
    const free = spare.filter((e) => ![...out.values()].includes(e));
    const hit = didYouMean(k, free.map((e) => e.key.name));
    const entry = hit === undefined ? undefined : free.find((e) => e.key.name === hit);
    if (entry) out.set(k, entry);
  }
  return out;
}

function check(ctx: RuleContext, g: ResolvedGraph, need: Need, args: A.ExprMap | A.StringLiteral | undefined, at: Span, how: string): void {
  if (args?.kind === "String") return;
  const given = args ? new Set(args.entries.map((e) => e.key.name)) : need.via === "input" ? new Set(g.fields.keys()) : new Set<string>();
  const missing = [...need.keys].filter(([k]) => !given.has(k));
  if (!missing.length) return;
  const names = missing.map(([k]) => `\`${k}\``).join(", ");
  const source = args ? "its argument map" : need.via === "args" ? "no arguments" : `no arguments, and the state of graph \`${g.name}\` has no field of that name`;
  // A key of the map close to a missing one (`idd` for `id`): did-you-mean, and the fix renames it.
  const typos = args ? misspelled(args, need, missing.map(([k]) => k)) : new Map<string, A.ExprEntry>();
  const add = missing.filter(([k]) => !typos.has(k));
  ctx.report("E-rag-missing-input", `${how} ${need.what} without ${names}: it needs ${missing.length === 1 ? "it" : "them"}, but gets ${source}`, args?.span ?? at, {
    label: `missing ${names}`,
    labels: [...missing.map(([k, span]) => ({ span, message: `\`${k}\` needed here` })), ...[...typos].map(([k, e]) => ({ span: e.key.span, message: `did you mean \`${k}\`?` }))],
    help: args
      ? [typos.size ? `did you mean ${[...typos].map(([k, e]) => `\`${k}\` for \`${e.key.name}\``).join(", ")}? (${need.what} does not read ${[...typos.values()].map((e) => `\`${e.key.name}\``).join(", ")})` : "", add.length ? `add ${add.map(([k]) => `\`${k}: …\``).join(", ")} to the map` : ""].filter(Boolean).join("; ")
      : `map ${missing.length === 1 ? "it" : "them"} explicitly: \`${how.startsWith("send") ? need.what.split("`")[1] : "input"} { ${missing.map(([k]) => `${k}: …`).join(", ")} }\``,
    ...(typos.size ? { fixes: [...typos].map(([k, e]) => ({ span: e.key.span, replacement: k, description: `replace \`${e.key.name}\` with \`${k}\`` })) } : {}),
  });
}

export const SendInputRule: Rule = (ctx) => ({
  node(n, g) {
    if (!isFirstDeclaration(g, n)) return;
    for (const s of n.sends) {
      for (const t of s.targets) {
        const need = t.target.name ? sendNeed(resolveSendTarget(t.target.name, g, ctx.program, ctx.registry)) : undefined;
        if (need) check(ctx, g, need, t.args, t.target.span, "send to");
      }
    }
    const bound = n.kind === "subgraph" ? (n.items.get("graph") ?? (n.modelMeaning === "graph" ? n.items.get("model") : undefined)) : n.kind === "subagent" ? n.items.get("agent") : undefined;
    // A send to this node without its own `input` map passes the packet (SendShapeRule checks it).
    if (!bound || (!n.items.has("input") && isSendTarget(n.name, g))) return;
    const need = boundNeed(bound.value.value, ctx.program);
    if (need && need.via === "input") check(ctx, g, need, n.items.get("input")?.value, bound.value.span, `node \`${n.name}\` runs`);
  },
});

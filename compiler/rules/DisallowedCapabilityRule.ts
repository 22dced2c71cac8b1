/**
 * Capabilities stay inside what was granted (`language.md` §2.1 `allow`, §5
 * "disallowed capability under policy"), `E-rag-disallowed-capability`:
 * - a graph's own `allow KIND [..]` lists are a promise to reviewers: binding a name of
 *   that kind outside the list is an error naming the list;
 * - the registry's policy (`defineConfig({ policy })`) allowlists names per kind, more
 *   narrowly for untrusted (generated) blueprints: binding outside it is an error naming
 *   the policy, and so is an `allow` entry that asks for more than the policy permits.
 * An `allow` kind that is no capability kind is `E-rag-invalid-value` (fix when close).
 */
import type * as A from "../../grammar/rag/ast.js";
import { didYouMean } from "../../grammar/suggest.js";
import { capabilityUses, type CapabilityUse } from "../analysis/capabilities.js";
import { allowedNames, CAPABILITY_KINDS, type CapabilityKind } from "../policy-view.js";
import { listNames, type ResolvedGraph, type ResolvedProgram } from "../resolve/resolve.js";
import type { Rule } from "./rule.js";
import { resolveSendTarget } from "../analysis/send-targets.js";
import { capabilityNoun } from "../grants.js";
import { MAX_LISTED_NAMES, nameList } from "./name-list.js";

const singular = capabilityNoun;
const granted = (u: CapabilityUse, names: ReadonlySet<string>) => names.has(u.name) || (u.aliases ?? []).some((a) => names.has(a));

/** Same-file graphs `g` runs, directly or through graphs it runs (each once, `g` excluded). */
function localGraphsRun(g: ResolvedGraph, p: ResolvedProgram): ResolvedGraph[] {
  const out: ResolvedGraph[] = [];
  const seen = new Set<string>([g.name]);
  const queue = [g];
  while (queue.length) {
    const cur = queue.shift()!;
    for (const n of cur.nodeList) {
      const names = [
        ...(n.items.get("graph") ? [n.items.get("graph")!.value.value] : []),
        ...(n.modelMeaning === "graph" && n.items.get("model") ? [n.items.get("model")!.value.value] : []),
        ...listNames(n.items.get("graphs")?.value).map((x) => x.name),
        // A send's target as the run resolves it (a node, then an inline agent, then a graph of the file).
        ...n.sends.flatMap((s) => s.targets.map((t) => t.target.name)).filter((x) => x && resolveSendTarget(x, cur, p, undefined).kind === "graph"),
      ];
      for (const name of names) {
        const inner = p.graphByName.get(name);
        if (!inner || seen.has(name)) continue;
        seen.add(name);
        out.push(inner);
        queue.push(inner);
      }
    }
  }
  return out;
}

export const DisallowedCapabilityRule: Rule = (ctx) => ({
  graph(g) {
    if (!g.allows.length && !ctx.registry?.policy) return;
    const allows = new Map<CapabilityKind, { names: Set<string>; items: A.AllowItem[] }>();
    for (const a of g.allows) {
      const kind = a.capability.name;
      if (!kind) continue;
      if (!(CAPABILITY_KINDS as readonly string[]).includes(kind)) {
        const s = didYouMean(kind, CAPABILITY_KINDS);
        ctx.report("E-rag-invalid-value", `\`${kind}\` is not a capability kind`, a.capability.span, {
          label: "unknown capability kind",
          help: s ? `did you mean \`${s}\`?` : `capability kinds: ${CAPABILITY_KINDS.join(", ")}`,
          ...(s ? { fixes: [{ span: a.capability.span, replacement: s, description: `replace \`${kind}\` with \`${s}\`` }] } : {}),
        });
        continue;
      }
      const entry = allows.get(kind as CapabilityKind) ?? { names: new Set<string>(), items: [] };
      for (const n of listNames(a.value)) entry.names.add(n.name);
      entry.items.push(a);
      allows.set(kind as CapabilityKind, entry);
    }

    const policy = ctx.registry?.policy;
    const uses = capabilityUses(g, ctx.program, ctx.registry);
    for (const u of uses) {
      const own = allows.get(u.kind);
      if (own && !granted(u, own.names)) {
        ctx.report("E-rag-disallowed-capability", `${singular(u.kind)} \`${u.name}\` (used by ${u.owner}) is not in graph \`${g.name}\`'s \`allow ${u.kind}\` list`, u.span, {
          label: "not allowed by the graph",
          labels: own.items.slice(0, MAX_LISTED_NAMES).map((i) => ({ span: i.value.span, message: `\`allow ${u.kind}\` lists ${own.names.size ? nameList(own.names, own.names.size) : "nothing"}` })),
          help: `add \`"${u.name}"\` to \`allow ${u.kind}\` (reviewers see the change), or use an allowed ${singular(u.kind)}`,
        });
        continue;
      }
      const allowed = policy ? allowedNames(policy, u.kind, ctx.provenance) : null;
      if (policy && allowed && !granted(u, allowed.names)) {
        const scope = allowed.untrusted ? ` for ${ctx.provenance?.generatedBy ?? "generated"}-generated blueprints` : "";
        ctx.report("E-rag-disallowed-capability", `${singular(u.kind)} \`${u.name}\` (used by ${u.owner}) is disallowed by policy \`${policy.name}\`${scope}`, u.span, {
          label: `not allowed by policy \`${policy.name}\``,
          help: allowed.names.size ? `policy \`${policy.name}\` allows ${nameList([...allowed.names].sort(), allowed.names.size)}` : `policy \`${policy.name}\` allows no ${u.kind}${scope}`,
        });
      }
    }

    // The same-file graphs this graph runs (subgraph nodes, sends, a repl_agent's
    // `graphs`) run under its `allow` lists too (the runtime passes them down as limits).
    if (allows.size) {
      for (const inner of localGraphsRun(g, ctx.program)) {
        for (const u of capabilityUses(inner, ctx.program, ctx.registry)) {
          const own = allows.get(u.kind);
          if (!own || granted(u, own.names)) continue;
          ctx.report("E-rag-disallowed-capability", `${singular(u.kind)} \`${u.name}\` (used by ${u.owner} of graph \`${inner.name}\`, which graph \`${g.name}\` runs) is not in graph \`${g.name}\`'s \`allow ${u.kind}\` list`, u.span, {
            label: `not allowed by graph \`${g.name}\``,
            labels: own.items.slice(0, MAX_LISTED_NAMES).map((i) => ({ span: i.value.span, message: `\`allow ${u.kind}\` lists ${own.names.size ? nameList(own.names, own.names.size) : "nothing"}` })),
            help: `a graph's \`allow\` lists bound the graphs it runs; add \`"${u.name}"\` to graph \`${g.name}\`'s \`allow ${u.kind}\`, or change graph \`${inner.name}\``,
          });
        }
      }
    }

    if (!policy) return;
    for (const [kind, own] of allows) {
      const allowed = allowedNames(policy, kind, ctx.provenance);
      if (!allowed) continue;
      for (const item of own.items) {
        for (const n of listNames(item.value)) {
          if (allowed.names.has(n.name)) continue;
          ctx.report("E-rag-disallowed-capability", `\`allow ${kind}\` asks for \`${n.name}\`, which policy \`${policy.name}\` disallows`, n.span, {
            label: `not allowed by policy \`${policy.name}\``,
            help: "a graph cannot grant itself what the registry's policy withholds; remove it from the list",
          });
        }
      }
    }
  },
});

/**
 * Two writes to one `overwrite` field in one superstep fail the run
 * (`InvalidConcurrentUpdate`, `language.md` §2.2); the compiler warns
 * (`W-rag-concurrent-overwrite`) where it sees fan-out branches that do it:
 * - the packets of one `send` — a `for … in` comprehension (many packets to one target),
 *   two targets writing the same field, or a `-> channel` shared by several packets;
 * - static fan-out (`next [b, c]`, several edges from one node): the targets run in the
 *   same superstep.
 * Use an accumulating reducer (`append`, `merge`, …) for fields that branches share.
 */
import type { Span } from "../../grammar/span.js";
import { overwriteFields, targetWrites, type WriteSite } from "../analysis/writes.js";
import type { ResolvedGraph, ResolvedNode } from "../resolve/resolve.js";
import { isFirstDeclaration } from "../resolve/resolve.js";
import type { Rule, RuleContext } from "./rule.js";

interface Branch {
  /** Send target or successor name. */
  readonly name: string;
  /** Where the branch starts (the send target or the successor reference). */
  readonly span: Span;
  /** Whether this one source starts several branches (a comprehension). */
  readonly many: boolean;
  readonly writes: readonly WriteSite[];
}

function report(ctx: RuleContext, g: ResolvedGraph, from: ResolvedNode, branches: Branch[], how: string): void {
  const overwrite = overwriteFields(g);
  const writers = new Map<string, { b: Branch; site: WriteSite }[]>();
  for (const b of branches) {
    const seen = new Set<string>();
    for (const site of b.writes) {
      if (!overwrite.has(site.field) || seen.has(site.field)) continue;
      seen.add(site.field);
      writers.set(site.field, [...(writers.get(site.field) ?? []), { b, site }]);
    }
  }
  for (const [field, ws] of writers) {
    if (ws.length < 2 && !ws[0].b.many) continue;
    const names = [...new Set(ws.map((w) => `\`${w.b.name}\``))].join(" and ");
    const reason = ws.length === 1 ? `every branch of \`${ws[0].b.name} for …\` writes it` : `${names} write it in the same superstep`;
    ctx.report("W-rag-concurrent-overwrite", `fan-out from \`${from.name}\` (${how}) writes the overwrite field \`${field}\` more than once per superstep: ${reason}`, ws[0].site.span, {
      label: "written by each branch",
      labels: [...ws.slice(1).map((w) => ({ span: w.site.span, message: "written here too" })), ...ws.map((w) => ({ span: w.b.span, message: "branch starts here" }))],
      help: `two writes to an \`overwrite\` field in one superstep fail the run; give \`${field}\` an accumulating reducer (e.g. \`append\` or \`merge\`), or write to separate fields`,
    });
  }
}

export const ConcurrentOverwriteRule: Rule = (ctx) => ({
  node(n, g) {
    const fanOut = n.sends.length > 0 || (n.items.get("next")?.targets.length ?? 0) + (g.edgesFrom.get(n.name)?.length ?? 0) > 1;
    if (!fanOut || !isFirstDeclaration(g, n)) return;
    const sends: Branch[] = [];
    for (const s of n.sends) {
      for (const t of s.targets) {
        const name = t.target.name;
        if (!name) continue;
        const into = t.into?.name ? [{ field: t.into.name, span: t.into.span }] : [];
        sends.push({ name, span: t.target.span, many: Boolean(t.forEach), writes: [...targetWrites(name, g, ctx.program, ctx.registry, t.target.span), ...into] });
      }
    }
    if (sends.length) report(ctx, g, n, sends, "send");
    const succ = [...(n.items.get("next")?.targets ?? []), ...(g.edgesFrom.get(n.name) ?? []).map((e) => e.to)].filter((r) => g.nodes.has(r.name));
    if (succ.length > 1) {
      const unique = [...new Map(succ.map((r) => [r.name, r])).values()];
      report(ctx, g, n, unique.map((r) => ({ name: r.name, span: r.span, many: false, writes: targetWrites(r.name, g, ctx.program, ctx.registry, r.span) })), "static fan-out");
    }
  },
});

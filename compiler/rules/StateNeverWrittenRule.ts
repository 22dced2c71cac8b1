/**
 * A state field that is read but nothing can write (`language.md` §2.2): no default, not
 * an input field (run inputs fill the fields of the same name; a graph without an
 * `input { … }` block takes any state field from its input, so it is not judged — a
 * caller can still pass an undeclared field, which the warning's "stays null" ignores),
 * and no node, inline agent
 * or send writes it (`writes`, `set`, `command update`, `send … -> field`). Then every
 * read of it sees `null` — typically a field the author meant a node to fill (`label`
 * declared, the router's `writes` forgotten). `W-rag-state-never-written`, at the first
 * read, with the help to write it, default it or take it from the input.
 *
 * Only judged where every writer is known: a graph with a node whose writes are not
 * written out in the file — a subgraph, subagent or CodeAct node, a registered agent
 * without `writes`, a node kind that is not built in, a send to a registered agent, a
 * tool node, tool executor or agent with tools (a tool's Command may update any field) —
 * is left alone, and so are `messages` fields (conversational nodes append to them).
 */
import type * as A from "../../grammar/rag/ast.js";
import type { Span } from "../../grammar/span.js";
import { hasHiddenWriters, inputFields, itemWrites } from "../analysis/writes.js";
import { exprSites, rootReads } from "../expr/sites.js";
import type { ResolvedGraph, ResolvedProgram } from "../resolve/resolve.js";
import type { Rule } from "./rule.js";

/** Fields something in `g` writes (`writes`, `set`, `command update`, `send … -> field`, inline agents). */
function writtenFields(g: ResolvedGraph, program: ResolvedProgram): Set<string> {
  const out = new Set<string>();
  for (const n of g.nodeList) {
    for (const w of itemWrites(n.items)) out.add(w.field);
    for (const s of n.sends) for (const t of s.targets) if (t.into) out.add(t.into.name);
  }
  for (const a of program.agentList) for (const w of itemWrites(a.items)) out.add(w.field);
  return out;
}

export const StateNeverWrittenRule: Rule = (ctx) => ({
  graph(g) {
    // Without `input { … }`, a run's input may fill any state field.
    if (!g.fields.size || !g.io.some((io) => io.direction === "input")) return;
    // Reads first: most graphs read only fields they write, and then nothing more is asked.
    const reads = new Map<string, Span>();
    for (const n of g.nodeList) for (const [field, span] of rootReads(exprSites(n.items, n.sends), "state")) if (!reads.has(field)) reads.set(field, span);
    const candidates: { field: string; source: A.Field; at: Span }[] = [];
    for (const [field, at] of reads) {
      const source = g.fields.get(field)?.source;
      if (!source || source.kind !== "Field" || source.default !== undefined) continue;
      if (source.type.kind === "NamedType" && source.type.name.name === "messages") continue;
      candidates.push({ field, source, at });
    }
    if (!candidates.length) return;
    if (hasHiddenWriters(g, ctx.program)) return;
    const written = writtenFields(g, ctx.program);
    const inputs = inputFields(g);
    for (const { field, source, at } of candidates) {
      if (written.has(field) || inputs.has(field)) continue;
      ctx.report("W-rag-state-never-written", `\`state.${field}\` is read here, but no node of graph \`${g.name}\` writes \`${field}\` and it is not an input field: it stays null`, at, {
        label: "stays null",
        labels: [{ span: source.name.span, message: `\`${field}\` is declared here, with no default` }],
        help: `write it from a node (\`writes ${field}\`, \`set { ${field}: … }\`), give it a default (\`${field}: … = …\`), or declare it in \`input { … }\` so a run fills it`,
      });
    }
  },
});

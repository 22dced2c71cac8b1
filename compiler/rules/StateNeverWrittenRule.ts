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
import { forEachItemWrite, hasHiddenWriters, inputFields } from "../analysis/writes.js";
import { addRootReads, exprSites } from "../expr/sites.js";
import type { ItemTable, ResolvedGraph, ResolvedProgram } from "../resolve/resolve.js";
import type { Rule } from "./rule.js";

/**
 * Removes from `open` the fields something in `g` writes (`writes`, `set`, `command
 * update`, `send … -> field`, inline agents), as `itemWrites` lists them; stops as soon as
 * `open` is empty (in most graphs every field is written, often by the first nodes).
 */
function dropWritten(open: Set<string>, g: ResolvedGraph, program: ResolvedProgram): void {
  const nodes = g.nodeList;
  for (let i = 0; i < nodes.length && open.size; i++) {
    const n = nodes[i]!;
    dropItemWrites(open, n.items);
    for (const s of n.sends) for (const t of s.targets) if (t.into) open.delete(t.into.name);
  }
  for (const a of program.agentList) {
    if (!open.size) return;
    dropItemWrites(open, a.items);
  }
}

/** `itemWrites(items)`'s fields, deleted from `open` without building the list. */
function dropItemWrites(open: Set<string>, items: ItemTable): void {
  forEachItemWrite(items, (field) => open.delete(field));
}

export const StateNeverWrittenRule: Rule = (ctx) => ({
  graph(g) {
    // Without `input { … }`, a run's input may fill any state field.
    if (!g.fields.size || !g.io.some((io) => io.direction === "input")) return;
    // The fields that could stay null: declared without a default, not `messages`, not
    // input fields, written by nothing. These cheap tests come first: in most graphs every
    // field is written, and then the reads are never collected.
    const inputs = inputFields(g);
    const open = new Set<string>();
    for (const [field, f] of g.fields) {
      const source = f.source;
      if (source.kind !== "Field" || source.default !== undefined) continue;
      if (source.type.kind === "NamedType" && source.type.name.name === "messages") continue;
      if (!inputs.has(field)) open.add(field);
    }
    if (!open.size) return;
    dropWritten(open, g, ctx.program);
    if (!open.size) return;
    // First read of each field, in source order.
    const reads = new Map<string, Span>();
    for (const n of g.nodeList) addRootReads(exprSites(n.items, n.sends), "state", reads);
    const candidates: { field: string; source: A.Field; at: Span }[] = [];
    for (const [field, at] of reads) if (open.has(field)) candidates.push({ field, source: g.fields.get(field)!.source as A.Field, at });
    if (!candidates.length) return;
    if (hasHiddenWriters(g, ctx.program)) return;
    for (const { field, source, at } of candidates) {
      ctx.report("W-rag-state-never-written", `\`state.${field}\` is read here, but no node of graph \`${g.name}\` writes \`${field}\` and it is not an input field: it stays null`, at, {
        label: "stays null",
        labels: [{ span: source.name.span, message: `\`${field}\` is declared here, with no default` }],
        help: `write it from a node (\`writes ${field}\`, \`set { ${field}: … }\`), give it a default (\`${field}: … = …\`), or declare it in \`input { … }\` so a run fills it`,
      });
    }
  },
});

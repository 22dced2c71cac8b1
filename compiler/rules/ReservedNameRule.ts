/**
 * `__proto__`, `constructor` and `prototype` name nothing in a `.rag` file
 * (`E-rag-reserved-name`): not a node, graph, agent, schema, field, channel or route
 * label, and not the key of a block (`defaults { budget: { __proto__: … } }`), a mapping
 * or an object expression. Keys like these would reach the prototype of the objects the
 * compiler and the runtime build from the file, so behaviour could change while the
 * blueprint hash stays the same (issue "Grants that hold", review-gate bypass). Lowering
 * also defines keys as own properties (`lower/values.ts`), so this rule is the
 * user-facing half of a defence in depth.
 */
import type * as A from "../../grammar/rag/ast.js";
import type { Rule } from "./rule.js";

/** Keys that reach an object's prototype machinery when assigned or read. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

const KEYED = new Set(["BlockEntry", "ExprEntry"]);
/** AST kinds with no child but their span (ast.ts): the walk skips them. */
const LEAVES = new Set(["Identifier", "NodeRef"]);
const NAMED = new Set(["Field", "ChannelItem", "NodeDecl", "GraphDecl", "AgentDecl", "SchemaDecl", "StateItem"]);

/** The declared name or key an AST node introduces, if any. */
function declared(o: { readonly kind?: unknown } & Record<string, unknown>): A.Identifier | undefined {
  const k = o.kind as string;
  if (KEYED.has(k)) return o.key as A.Identifier;
  if (NAMED.has(k)) return o.name as A.Identifier | undefined;
  if (k === "LabelRoute") return o.label as A.Identifier;
  return undefined;
}

/**
 * Whether `source` may spell a reserved key: names and keys are source text, as written
 * or decoded from a string literal, and decoding only makes letters and `_` out of a
 * `\u` escape. Without any of the words and without `\u`, no name can be reserved and
 * the walk over the whole AST is skipped (most files: the walk was a tenth of checking).
 */
function maySpellReserved(source: string): boolean {
  if (source.includes("\\u")) return true;
  for (const k of RESERVED_KEYS) if (source.includes(k)) return true;
  return false;
}

export const ReservedNameRule: Rule = (ctx) => ({
  program(p) {
    if (!maySpellReserved(ctx.source)) return;
    // Iterative walk over the whole AST (no recursion: deep files cannot overflow the stack).
    const stack: unknown[] = [p.program];
    while (stack.length) {
      const o = stack.pop();
      if (Array.isArray(o)) {
        for (const x of o) if (x && typeof x === "object" && !LEAVES.has((x as { kind?: unknown }).kind as string)) stack.push(x);
        continue;
      }
      if (!o || typeof o !== "object") continue;
      const rec = o as Record<string, unknown>;
      const id = typeof rec.kind === "string" ? declared(rec) : undefined;
      if (id && id.kind === "Identifier" && RESERVED_KEYS.has(id.name)) {
        ctx.report("E-rag-reserved-name", `\`${id.name}\` is reserved and cannot be used as a name or key`, id.span, {
          label: "reserved",
          help: `rename it: \`${id.name}\` would reach the prototype of the objects built from this file instead of naming data`,
        });
      }
      // `input "FIELD"` and a send's `target "FIELD"` name a field as a string.
      const path = rec.kind === "InputItem" ? (rec.value as A.InputItem["value"]) : rec.kind === "SendTarget" ? (rec.args as A.SendTarget["args"]) : undefined;
      if (path?.kind === "String" && RESERVED_KEYS.has(path.value)) {
        ctx.report("E-rag-reserved-name", `\`${path.value}\` is reserved and cannot name a field`, path.span, {
          label: "reserved",
          help: `\`${rec.kind === "InputItem" ? "input" : "target"} "${path.value}"\` would read the prototype of the state instead of a field`,
        });
      }
      for (const key in rec) {
        if (key === "span") continue;
        const v = rec[key];
        // Identifiers and node references are leaves (a name and a span): not worth a visit.
        if (v && typeof v === "object" && !LEAVES.has((v as { kind?: unknown }).kind as string)) stack.push(v);
      }
    }
  },
});

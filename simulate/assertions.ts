/**
 * Assertions that `rag simulate` checks, declared in the file as `// rag:assert`
 * pragmas (like `// rag:generated-by`, compiler/provenance.ts): comments, so they change
 * neither the grammar nor the blueprint hash — they state what a reviewer expects of
 * every path, they do not change what runs.
 *
 *     // rag:assert approval ["refund", "delete_user"]   each call of these tools runs only after a person approved that call
 *     // rag:assert ends_within 12                       every path the graph controls reaches END within 12 supersteps
 *
 * Grammar (one per line, anywhere in the file):
 *     assertion = "//" "rag:assert" ( "approval" "[" STRING ("," STRING)* "]" | "ends_within" INTEGER )
 */
import type { Comment } from "../grammar/rag/ast.js";
import type { LineIndex } from "../grammar/span.js";

export type Assertion =
  | { readonly kind: "approval"; readonly tools: readonly string[]; readonly line: number; readonly text: string }
  | { readonly kind: "ends_within"; readonly supersteps: number; readonly line: number; readonly text: string };

/** A `// rag:assert` line that is not an assertion: `file:line:col` names it. */
export class AssertionSyntaxError extends Error {
  readonly code = "simulate-assertion";
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = "AssertionSyntaxError";
  }
}

const PRAGMA = /^\/\/\s*rag:assert\b\s*(.*)$/;

/**
 * The assertions among `comments`.
 * @throws AssertionSyntaxError for a `rag:assert` pragma that does not parse.
 */
export function parseAssertions(comments: readonly Comment[], lines: LineIndex): Assertion[] {
  const out: Assertion[] = [];
  for (const c of comments) {
    if (c.kind !== "line") continue;
    const m = PRAGMA.exec(c.text.trim());
    if (!m) continue;
    const { line, column } = lines.position(c.start);
    const body = m[1].trim();
    const text = `rag:assert ${body}`;
    const approval = /^approval\s+(\[.*\])\s*$/.exec(body);
    if (approval) {
      let tools: unknown;
      try {
        tools = JSON.parse(approval[1]);
      } catch {
        tools = undefined;
      }
      if (!Array.isArray(tools) || !tools.length || !tools.every((t) => typeof t === "string" && t.length > 0)) {
        throw new AssertionSyntaxError('`approval` takes a list of tool names, e.g. `// rag:assert approval ["refund"]`', line, column);
      }
      out.push({ kind: "approval", tools: tools as string[], line, text });
      continue;
    }
    const within = /^ends_within\s+(\d+)\s*$/.exec(body);
    if (within) {
      out.push({ kind: "ends_within", supersteps: Number(within[1]), line, text });
      continue;
    }
    throw new AssertionSyntaxError(`unknown assertion \`${body.split(/\s+/)[0] ?? ""}\`: expected \`approval ["tool", …]\` or \`ends_within N\``, line, column);
  }
  return out;
}

/**
 * A generic pre-order walk over AST objects (anything with a `kind`), for features that
 * look at every node of a kind regardless of where it sits (keywords, expression names).
 * Iterative, so deep trees cannot overflow the stack.
 */
import type { Span } from "../grammar/index.js";

/** An AST node as the walk sees it. */
export interface AnyNode {
  readonly kind: string;
  readonly span: Span;
  readonly [key: string]: unknown;
}

/** Calls `visit(node, key, parent)` for every AST node under `root`; `key` is the property holding it. */
export function walkAst(root: unknown, visit: (node: AnyNode, key: string, parent: AnyNode | undefined) => void): void {
  const stack: { v: unknown; key: string; parent: AnyNode | undefined }[] = [{ v: root, key: "", parent: undefined }];
  while (stack.length) {
    const { v, key, parent } = stack.pop()!;
    if (!v || typeof v !== "object") continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], key, parent });
      continue;
    }
    const o = v as AnyNode;
    const isNode = typeof o.kind === "string" && o.span !== undefined;
    if (isNode) visit(o, key, parent);
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, x] = entries[i];
      if (k !== "span" && x && typeof x === "object") stack.push({ v: x, key: k, parent: isNode ? o : parent });
    }
  }
}

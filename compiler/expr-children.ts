/**
 * The sub-expressions of a Blueprint IR expression (`ExprSpec`), in evaluation order: what
 * a walker over the IR visits next when a node's own meaning does not stop it
 * (builder/validate.ts `statePaths`, simulate/loop-exits.ts `readsOf`).
 */
import type { ExprSpec } from "./blueprint.js";

const NONE: readonly ExprSpec[] = [];

/** `e`'s direct sub-expressions (none for a literal or a variable). */
export function exprChildren(e: ExprSpec): readonly ExprSpec[] {
  switch (e.op) {
    case "lit":
    case "var":
      return NONE;
    case "get":
      return [e.object];
    case "index":
      return [e.object, e.index];
    case "call":
      return e.args;
    case "not":
    case "neg":
      return [e.arg];
    case "bin":
      return [e.left, e.right];
    case "list":
      return e.items;
    case "comp":
      return e.filter !== undefined ? [e.iterable, e.element, e.filter] : [e.iterable, e.element];
    case "object":
      return e.entries.map((x) => x.value);
  }
}

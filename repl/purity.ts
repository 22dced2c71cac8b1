/**
 * Static purity: which AST nodes the interpreter may evaluate on its synchronous fast
 * path. A node is pure when evaluating it can never run a script function or a
 * capability (nothing in it can suspend): literals, names, operators, member access,
 * literals of lists and objects, function *creation*, and calls of built-ins on the
 * synchronous list (`xs.push(x)`, `s.slice(1)`, `Math.floor(x)`, `print(x)` …).
 * Built-in names cannot be rebound (the static check refuses it), so a call of
 * `print` or `Math.floor` always reaches the built-in. A pure statement (and a loop
 * whose test and body are pure) runs without a single generator or promise.
 */
import type * as A from "../grammar/ragsh/ast.js";
import { SYNC_GLOBAL_NAMES, SYNC_METHOD_NAMES, SYNC_NAMESPACES } from "./methods.js";

/** Session built-ins that run synchronously (no capability behind them). */
export const SYNC_BUILTINS: ReadonlySet<string> = new Set(["print", "emit", "answer", "show_vars", ...SYNC_GLOBAL_NAMES]);

const cache = new WeakMap<object, boolean>();

/** True when evaluating `n` never suspends. Memoized per node. */
export function isPure(n: A.Statement | A.Expression | A.Spread | A.Property | A.Declarator): boolean {
  let v = cache.get(n);
  if (v === undefined) {
    v = compute(n);
    cache.set(n, v);
  }
  return v;
}

const all = (xs: readonly (A.Statement | A.Expression | A.Spread | A.Property | A.Declarator)[]) => xs.every(isPure);

function compute(n: A.Statement | A.Expression | A.Spread | A.Property | A.Declarator): boolean {
  switch (n.kind) {
    case "Number":
    case "String":
    case "Boolean":
    case "Null":
    case "Identifier":
    case "Function":
    case "FunctionDecl":
    case "BreakStmt":
    case "ContinueStmt":
    case "EmptyStmt":
      return true;
    case "Template":
      return all(n.expressions);
    case "Array":
      return all(n.elements);
    case "Object":
      return all(n.properties);
    case "Property":
      return isPure(n.value) && (!n.computed || isPure(n.computed));
    case "Spread":
      return isPure(n.argument);
    case "Unary":
      return isPure(n.argument);
    case "Update":
      return isPure(n.target);
    case "Binary":
    case "Logical":
      return isPure(n.left) && isPure(n.right);
    case "Conditional":
      return isPure(n.test) && isPure(n.consequent) && isPure(n.alternate);
    case "Assign":
      return isPure(n.target) && isPure(n.value);
    case "Member":
      return isPure(n.object);
    case "Index":
      return isPure(n.object) && isPure(n.index);
    case "Call":
      return syncCallee(n.callee) && all(n.arguments);
    case "Declarator":
      return !n.init || isPure(n.init);
    case "VarDecl":
      return all(n.declarations);
    case "IfStmt":
      return isPure(n.test) && isPure(n.consequent) && (!n.alternate || isPure(n.alternate));
    case "WhileStmt":
      return isPure(n.test) && isPure(n.body);
    case "ForOfStmt":
      return isPure(n.iterable) && isPure(n.body);
    case "ForStmt":
      return (!n.init || isPure(n.init)) && (!n.test || isPure(n.test)) && (!n.update || isPure(n.update)) && isPure(n.body);
    case "ReturnStmt":
      return !n.argument || isPure(n.argument);
    case "BlockStmt":
      return all(n.body);
    case "ExprStmt":
      return isPure(n.expression);
  }
}

function syncCallee(c: A.Expression): boolean {
  if (c.kind === "Identifier") return SYNC_BUILTINS.has(c.name);
  if (c.kind !== "Member") return false;
  if (c.object.kind === "Identifier" && SYNC_NAMESPACES.has(c.object.name)) return true;
  return SYNC_METHOD_NAMES.has(c.property) && isPure(c.object);
}

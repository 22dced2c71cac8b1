/**
 * Static checks of one expression (`language.md` §3): unknown roots
 * (`E-rag-unknown-name`), fields that a known record does not have
 * (`E-rag-unknown-field`, with did-you-mean and a fix), unknown functions
 * (`E-rag-unknown-function`) and wrong arity (`E-rag-wrong-arity`), and type
 * mismatches where both sides are known (`E-rag-type-mismatch`): e.g. `len(state.count)`
 * on a number, `state.title > 3` on a string, `state.status == "dne"` on an enum.
 * A sub-expression that was reported becomes `any`, so one mistake gives one diagnostic.
 */
import type * as A from "../../grammar/rag/ast.js";
import { didYouMean } from "../../grammar/suggest.js";
import type { Span } from "../../grammar/span.js";
import type { DiagnosticExtras } from "../../grammar/diagnostic.js";
import { FUNCTIONS, type ParamKind } from "./functions.js";
import { ANY, BOOLEAN, canBe, describe, isEnum, literalType, NULL, NUMBER, STRING, valueKind, type ExprType } from "./types.js";

export interface ExprScope {
  /** Roots in scope and their types. */
  readonly roots: ReadonlyMap<string, ExprType>;
  /** Roots that exist elsewhere but not here, with why (e.g. `result` before the node ran). */
  readonly absent?: ReadonlyMap<string, string>;
  /** What `state` refers to, for messages ("graph `g`"). */
  readonly owner: string;
}

/**
 * `scope` with root `name` of type `t` (replacing a root of that name, which keeps its
 * place in `roots`). Scopes are never modified, so the last scope made from each scope is
 * remembered and given again for the same `name` and the same type object: the nodes of
 * a graph mostly extend the graph's one scope with the same `result` or comprehension
 * type (a model node's reply text, a send's `x` of a `list<string>` input), and copying
 * the roots per node was a Map and its entries each time.
 */
export function withRoot(scope: ExprScope, name: string, t: ExprType): ExprScope {
  const last = lastWithRoot.get(scope);
  if (last !== undefined && last.name === name && last.t === t) return last.scope;
  const roots = new Map(scope.roots);
  roots.set(name, t);
  const out: ExprScope = scope.absent === undefined ? { roots, owner: scope.owner } : { roots, absent: scope.absent, owner: scope.owner };
  lastWithRoot.set(scope, { name, t, scope: out });
  return out;
}

/** Per scope, the last `withRoot` made from it (weakly held: a compile's scopes go with it). */
const lastWithRoot = new WeakMap<ExprScope, { readonly name: string; readonly t: ExprType; readonly scope: ExprScope }>();

export type Report = (code: string, message: string, span: Span, extras?: DiagnosticExtras) => void;

const replace = (span: Span, from: string, to: string) => ({ span, replacement: to, description: `replace \`${from}\` with \`${to}\`` });

/** Reports `E-rag-type-mismatch` and returns `any` (so the mistake is reported once). */
function mismatch(report: Report, span: Span, message: string, help?: string): ExprType {
  report("E-rag-type-mismatch", message, span, { label: "type mismatch", ...(help ? { help } : {}) });
  return ANY;
}

export function checkExpr(e: A.Expr, scope: ExprScope, report: Report): ExprType {
  switch (e.kind) {
    case "String":
      return literalType(e.value);
    case "Number":
      return NUMBER;
    case "Boolean":
      return BOOLEAN;
    case "Null":
      return NULL;
    case "Name": {
      const t = scope.roots.get(e.name);
      if (t) return t;
      if (!e.name) return ANY;
      const why = scope.absent?.get(e.name);
      const s = why ? undefined : didYouMean(e.name, scope.roots.keys());
      const fn = Object.hasOwn(FUNCTIONS, e.name) ? ` (\`${e.name}\` is a function: call it as \`${e.name}(…)\`)` : "";
      report("E-rag-unknown-name", `\`${e.name}\` is not defined here${fn}`, e.span, {
        label: "unknown name",
        help: why ?? (s ? `did you mean \`${s}\`?` : `names in scope: ${[...scope.roots.keys()].map((r) => `\`${r}\``).join(", ")}`),
        ...(s ? { fixes: [replace(e.span, e.name, s)] } : {}),
      });
      return ANY;
    }
    case "Member":
      return member(checkExpr(e.object, scope, report), e.property.name, e.property.span, e.object, scope, report);
    case "Index": {
      const o = checkExpr(e.object, scope, report);
      const i = checkExpr(e.index, scope, report);
      if (e.index.kind === "String") return member(o, e.index.value, e.index.span, e.object, scope, report);
      if (o.t === "list") return canBe(i, "number") ? o.items : mismatch(report, e.index.span, `a list is indexed by a number, not ${describe(i)}`);
      if (o.t === "string") return canBe(i, "number") ? STRING : mismatch(report, e.index.span, `a string is indexed by a number, not ${describe(i)}`);
      if (o.t === "map") return o.values;
      if (o.t === "number" || o.t === "boolean") return mismatch(report, e.object.span, `${describe(o)} cannot be indexed`);
      return ANY;
    }
    case "Call":
      return call(e, scope, report);
    case "Unary": {
      const t = checkExpr(e.operand, scope, report);
      if (e.op === "not") return BOOLEAN;
      return canBe(t, "number") ? NUMBER : mismatch(report, e.operand.span, `\`-\` needs a number, not ${describe(t)}`);
    }
    case "Binary":
      return binary(e, checkExpr(e.left, scope, report), checkExpr(e.right, scope, report), report);
    case "ListExpr": {
      const items = e.items.map((x) => checkExpr(x, scope, report));
      const first = items[0];
      // One kind of item: the list's item type (a string, not the first literal's own value).
      return { t: "list", items: first && items.every((i) => i.t === first.t && first.t !== "record" && first.t !== "list") ? (first.t === "string" && first.literal ? STRING : first) : ANY };
    }
    case "ObjectExpr":
      return { t: "record", what: "the object", fields: new Map(e.entries.map((en) => [en.key.name, checkExpr(en.value, scope, report)])) };
    case "Comprehension":
      return comprehension(e, scope, report);
  }
}

/**
 * `[element for x in iterable if filter]`: the iterable must be a list (its declared
 * element type types `x`); `x` may not hide a root. The result is a list of the
 * element's type.
 */
function comprehension(e: A.ComprehensionExpr, scope: ExprScope, report: Report): ExprType {
  const it = checkExpr(e.iterable, scope, report);
  if (known(it) && it.t !== "list") mismatch(report, e.iterable.span, `a comprehension iterates over a list, not ${describe(it)}`, "use `keys(m)` or `values(m)` for a map");
  const name = e.variable.name;
  if (!name) return { t: "list", items: ANY };
  if (scope.roots.has(name)) {
    report("E-rag-invalid-comprehension", `the comprehension variable \`${name}\` hides the root \`${name}\``, e.variable.span, { label: "hides a root", help: "name it after one element, e.g. `item`", fixes: [replace(e.variable.span, name, "item")] });
  }
  const inner = withRoot(scope, name, it.t === "list" ? it.items : ANY);
  if (e.filter) checkExpr(e.filter, inner, report);
  return { t: "list", items: checkExpr(e.element, inner, report) };
}

function member(o: ExprType, key: string, span: Span, object: A.Expr, scope: ExprScope, report: Report): ExprType {
  if (!key) return ANY;
  if (o.t === "record") {
    const f = o.fields.get(key);
    if (f) return f;
    if (o.open) return ANY;
    const s = didYouMean(key, o.fields.keys());
    const root = object.kind === "Name" ? object.name : undefined;
    const path = pathText(object);
    const what = root === "state" ? `the state of ${scope.owner}` : root === "input" ? `the input of ${scope.owner}` : root === "run" ? "`run`" : path ? `\`${path}\` (${describe(o)})` : describe(o);
    report("E-rag-unknown-field", `${what} has no field \`${key}\``, span, {
      label: "no such field",
      help: s ? `did you mean \`${s}\`?` : o.fields.size ? `fields: ${[...o.fields.keys()].slice(0, 12).map((k) => `\`${k}\``).join(", ")}` : root === "state" ? `declare it: \`channel ${key} overwrite\` or a field in \`state { … }\`` : "it declares no fields",
      ...(s ? { fixes: [replace(span, key, s)] } : {}),
    });
    return ANY;
  }
  if (o.t === "map") return o.values;
  if ((o.t === "string" || o.t === "list") && key === "length") return NUMBER;
  if (o.t === "string" || o.t === "number" || o.t === "boolean" || o.t === "list") {
    report("E-rag-type-mismatch", `${describe(o)} has no field \`${key}\``, span, { label: "type mismatch", help: o.t === "list" ? "index it (`x[0]`), or use `len(x)`" : "only records and maps have fields" });
  }
  return ANY;
}

/** `state.user.profile` for a chain of names and fields, else undefined. */
function pathText(e: A.Expr): string | undefined {
  if (e.kind === "Name") return e.name;
  if (e.kind === "Member") {
    const o = pathText(e.object);
    return o === undefined ? undefined : `${o}.${e.property.name}`;
  }
  return undefined;
}

function call(e: A.CallExpr, scope: ExprScope, report: Report): ExprType {
  const args = e.args.map((a) => checkExpr(a, scope, report));
  if (e.callee.kind !== "Name") {
    report("E-rag-unknown-function", "only built-in functions can be called", e.callee.span, { label: "not a function", help: `functions: ${Object.keys(FUNCTIONS).join(", ")}` });
    return ANY;
  }
  const name = e.callee.name;
  const sig = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
  if (!sig) {
    const s = didYouMean(name, Object.keys(FUNCTIONS));
    report("E-rag-unknown-function", `\`${name}\` is not a function`, e.callee.span, {
      label: "unknown function",
      help: s ? `did you mean \`${s}\`?` : `functions: ${Object.keys(FUNCTIONS).join(", ")}`,
      ...(s ? { fixes: [replace(e.callee.span, name, s)] } : {}),
    });
    return ANY;
  }
  const [min, max] = sig.arity;
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    report("E-rag-wrong-arity", `\`${name}\` takes ${want} argument${max === 1 ? "" : "s"}, got ${args.length}`, e.span, { label: `${args.length} argument${args.length === 1 ? "" : "s"}`, help: `${name}: ${sig.doc}` });
    return ANY;
  }
  args.forEach((a, i) => {
    const want = sig.params[Math.min(i, sig.params.length - 1)];
    if (!accepts(want, a, args.length)) {
      report("E-rag-type-mismatch", `argument ${i + 1} of \`${name}\` must be ${paramText(want)}, not ${describe(a)}`, e.args[i].span, { label: "type mismatch", help: `${name}: ${sig.doc}` });
    }
  });
  switch (sig.returns) {
    case "string":
      return STRING;
    case "number":
      return NUMBER;
    case "boolean":
      return BOOLEAN;
    case "list<string>":
      return { t: "list", items: STRING };
    case "list<any>":
      return { t: "list", items: ANY };
    case "arg0":
      return args[0].t === "null" ? args[1] : args[0];
    default:
      return ANY;
  }
}

function accepts(p: ParamKind, a: ExprType, count: number): boolean {
  switch (p) {
    case "any":
      return true;
    case "numbers":
      return count === 1 ? canBe(a, "number") || (canBe(a, "list") && (a.t !== "list" || canBe(a.items, "number"))) : canBe(a, "number");
    case "list":
      return canBe(a, "list");
    case "map":
      return canBe(a, "map");
    default:
      return canBe(a, p);
  }
}

function paramText(p: ParamKind): string {
  return { any: "any value", string: "a string", number: "a number", list: "a list", numbers: "numbers or a list of numbers", map: "a map", seq: "a string or a list", coll: "a string, list or map" }[p];
}

function binary(e: A.BinaryExpr, l: ExprType, r: ExprType, report: Report): ExprType {
  const op = e.op;
    switch (op) {
    case "and":
    case "or":
      return BOOLEAN;
    case "==":
    case "!=": {
      if (known(l) && known(r) && valueKind(l) !== valueKind(r)) return mismatch(report, e.span, `comparing ${describe(l)} with ${describe(r)} is always ${op === "==" ? "false" : "true"}`);
      const en = isEnum(l) ? { t: l, lit: e.right } : isEnum(r) ? { t: r, lit: e.left } : undefined;
      if (en && en.lit.kind === "String" && !en.t.values.includes(en.lit.value)) {
        const lit = en.lit;
        const s = didYouMean(lit.value, en.t.values);
        report("E-rag-type-mismatch", `${JSON.stringify(lit.value)} is not one of ${en.t.values.map((v) => JSON.stringify(v)).join(", ")}, so this is always ${op === "==" ? "false" : "true"}`, lit.span, {
          label: "not a value of the enum",
          ...(s ? { help: `did you mean ${JSON.stringify(s)}?`, fixes: [{ span: lit.span, replacement: JSON.stringify(s), description: `replace ${lit.raw} with ${JSON.stringify(s)}` }] } : {}),
        });
        return ANY;
      }
      return BOOLEAN;
    }
    case "<":
    case "<=":
    case ">":
    case ">=":
      if (known(l) && known(r) && !((l.t === "number" && r.t === "number") || (l.t === "string" && r.t === "string"))) {
        return mismatch(report, e.span, `\`${op}\` compares two numbers or two strings, not ${describe(l)} and ${describe(r)}`);
      }
      return BOOLEAN;
    case "in":
      if (known(r) && r.t !== "list" && r.t !== "string" && r.t !== "map" && r.t !== "record") return mismatch(report, e.right.span, `\`in\` looks into a list, string or map, not ${describe(r)}`);
      if (known(l) && r.t === "string" && l.t !== "string") return mismatch(report, e.left.span, `only a string can be \`in\` a string, not ${describe(l)}`);
      return BOOLEAN;
    case "+":
      if (l.t === "number" && r.t === "number") return NUMBER;
      if (l.t === "string" || r.t === "string") return STRING;
      if (l.t === "list" && r.t === "list") return { t: "list", items: ANY };
      if (known(l) && known(r)) return mismatch(report, e.span, `\`+\` adds numbers, strings or lists, not ${describe(l)} and ${describe(r)}`);
      return ANY;
    default:
      if ((known(l) && l.t !== "number") || (known(r) && r.t !== "number")) return mismatch(report, e.span, `\`${op}\` needs numbers, not ${describe(l)} and ${describe(r)}`);
      return NUMBER;
  }
}

/** Whether a type is known enough to judge (not `any`, not a null that may be anything later). */
function known(t: ExprType): boolean {
  return t.t !== "any" && t.t !== "null";
}

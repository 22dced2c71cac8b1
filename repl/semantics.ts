/**
 * Value semantics shared by both evaluators: operators (JavaScript's, applied to
 * primitives only, so no host `valueOf`/`toString` ever runs), member access restricted
 * to script values and the safe method list, iteration, destructuring.
 *
 * The sandbox's property rules: `constructor`, `prototype` and `__*__` are never
 * readable or writable (`E-ragsh-forbidden-property`); lists are dense (a write may only
 * replace an element or append one) and their `length` is read-only; strings and
 * numbers are immutable; built-in namespaces are read-only (`E-ragsh-reserved-name`).
 */
import type * as A from "../grammar/ragsh/ast.js";
import type { Span } from "../grammar/span.js";
import { didYouMean } from "../grammar/suggest.js";
import { ScriptError } from "./errors.js";
import type { MethodRuntime } from "./method-runtime.js";
import { methodNames, methodOf, type Method } from "./methods.js";
import { recordKeys } from "./record-keys.js";
import { chargeCompare, chargeLong } from "./search.js";
import { describeType, Env, isForbiddenKey, isRecord, Namespace, NativeFunction, primitive, ScriptFunction, toNum, toStr, type ScriptRecord, type Value } from "./values.js";

/** What member access and binding need from the interpreter. */
export interface MemberRuntime extends MethodRuntime {
  declare(env: Env, name: string, value: Value, constant: boolean): void;
  callSync(fn: Value, args: Value[], span: Span): Value;
}

/**
 * A binary operator on script values. String concatenation is charged to the memory
 * budget by the size it adds (`s + s` doubles, `s + "x"` adds one character).
 */
export function binaryOp(op: A.BinaryOperator, l: Value, r: Value, span: Span, rt: MethodRuntime): Value {
  if (typeof l === "number" && typeof r === "number") {
    switch (op) {
      case "+": return l + r;
      case "-": return l - r;
      case "*": return l * r;
      case "/": return l / r;
      case "%": return l % r;
      case "<": return l < r;
      case "<=": return l <= r;
      case ">": return l > r;
      case ">=": return l >= r;
      case "==":
      case "===": return l === r;
      case "!=":
      case "!==": return l !== r;
    }
  }
  // Any operator but `+` (which builds a rope) may read a long string operand's
  // characters, copying a rope flat: the copy must fit the heap's headroom first
  // (`heap-headroom.ts`; red team 12b).
  if (op !== "+") {
    if (typeof l === "string") rt.readChars?.(l);
    if (typeof r === "string") rt.readChars?.(r);
  }
  // Two long strings compare in time proportional to their length: charged as work.
  if (typeof l === "string" && typeof r === "string") chargeCompare(rt, l, r);
  switch (op) {
    case "===":
      return l === r;
    case "!==":
      return l !== r;
    case "==":
      return looseEquals(l, r, rt);
    case "!=":
      return !looseEquals(l, r, rt);
    case "in": {
      const key = toStr(l, rt);
      // A long key is scanned (the list index test, its conversion) and hashed: charged as work, as an index is (`indexKey`).
      chargeScan(rt, key);
      if (isRecord(r)) return Object.hasOwn(r, key);
      if (Array.isArray(r)) return /^\d+$/.test(key) && Number(key) < r.length;
      throw new ScriptError("E-ragsh-type-error", `\`in\` needs an object or a list on its right, not ${describeType(r)}`, span);
    }
  }
  const a = primitive(l, rt) as number;
  const b = primitive(r, rt) as number;
  chargeOperands(rt, op, l, r, a, b);
  switch (op) {
    case "+": {
      // Charged before the concatenation: the characters it adds to the longer operand.
      if (typeof a === "string" || typeof b === "string") {
        const sa = String(a);
        const sb = String(b);
        rt.alloc(2 * Math.min(sa.length, sb.length));
        return sa + sb;
      }
      return a + b;
    }
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return a / b;
    case "%":
      return a % b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
  }
}

/**
 * JavaScript's `==` on script values (objects compare by identity). A list compared with
 * a primitive is converted to its string form first, charged to `rt`; the comparison of
 * the two primitives is charged as work by the length of the shorter string.
 */
function looseEquals(l: Value, r: Value, rt: MethodRuntime): boolean {
  if ((l === null || l === undefined) && (r === null || r === undefined)) return true;
  if (l === null || l === undefined || r === null || r === undefined) return false;
  const lo = typeof l === "object";
  const ro = typeof r === "object";
  if (lo && ro) return l === r;
  const a = primitive(l, rt);
  const b = primitive(r, rt);
  chargeOperands(rt, "==", l, r, a, b);
  // eslint-disable-next-line eqeqeq
  return a == b;
}

/** Native work over a string's characters, charged before it runs when it is long (`chargeLong`). */
function chargeScan(rt: MethodRuntime, s: unknown): void {
  if (typeof s === "string") chargeLong(rt, s.length);
}

/**
 * Charges the native work an operator does on its operands' primitives `a`, `b` (of the
 * script values `l`, `r`) before it runs: two strings that were not both strings already
 * (charged by the caller) are compared by their characters; one string beside a number,
 * boolean or null is converted to a number (`k - 0`, `k < 1`, `1 == k`), a pass over all
 * of it. `+` only concatenates (charged to memory by the caller). Uncharged, a chain of
 * such operators on a 16,000,000-character string held the event loop ~18 s past a
 * 300 ms deadline between two reads of the clock (red team 12).
 */
function chargeOperands(rt: MethodRuntime, op: A.BinaryOperator, l: Value, r: Value, a: unknown, b: unknown): void {
  if (typeof a === "string" && typeof b === "string") {
    if (typeof l !== "string" || typeof r !== "string") chargeCompare(rt, a, b);
    return;
  }
  if (op === "+") return;
  chargeScan(rt, a);
  chargeScan(rt, b);
}

function forbidden(key: string, span: Span): never {
  throw new ScriptError("E-ragsh-forbidden-property", `\`${key}\` is not accessible in a session`, span, {
    label: "forbidden property",
    help: "prototypes and constructors are host internals; a session works on plain data only",
  });
}

/**
 * The method `key` of `self`, when `self` has no own property of that name. A method of
 * a long string reads its characters: checked first against the heap's headroom
 * (`rt.readChars`: the string may be a rope the method copies flat).
 */
export function methodFor(self: Value, key: string | number, rt: MethodRuntime): Method | undefined {
  if (typeof key !== "string") return undefined;
  if (isRecord(self) && Object.hasOwn(self, key)) return undefined;
  const m = methodOf(self, key);
  if (m && typeof self === "string") rt.readChars?.(self);
  return m;
}

export function callMethodSync(m: Method, self: Value, args: Value[], rt: MethodRuntime, span: Span): Value {
  try {
    return m.sync!(self as never, args, rt);
  } catch (e) {
    if (e instanceof ScriptError && !e.span) e.span = span;
    throw e;
  }
}

/**
 * Reads `obj[key]`. `dot` is true for `obj.key`: then an unknown property of a string,
 * list, number or function is an error with did-you-mean (a typo, not a missing key).
 */
export function getMember(rt: MemberRuntime, obj: Value, key: string | number, span: Span, dot: boolean): Value {
  if (typeof key === "string" && isForbiddenKey(key)) forbidden(key, span);
  if (obj === null || obj === undefined) throw new ScriptError("E-ragsh-type-error", `cannot read \`${key}\` of ${obj}`, span, { label: `this is ${obj}`, help: "use `?.` to read a property that may be missing" });
  // Anything but the length of a string reads its characters (an index, a method): a long
  // one may be a rope `+` built, which the read copies flat — checked against the heap's
  // headroom first (`heap-headroom.ts`; red team 12b).
  if (typeof obj === "string" && key !== "length") rt.readChars?.(obj);
  if (Array.isArray(obj) || typeof obj === "string") {
    if (typeof key === "number" || /^(0|[1-9]\d*)$/.test(key)) {
      const i = Number(key);
      return typeof obj === "string" ? obj[i] : obj[i];
    }
    if (key === "length") return obj.length;
  }
  if (isRecord(obj)) {
    const k = String(key);
    if (Object.hasOwn(obj, k)) return obj[k];
  }
  if (obj instanceof Namespace) {
    const k = String(key);
    if (obj.members.has(k)) return obj.members.get(k);
    const guess = didYouMean(k, obj.members.keys());
    throw new ScriptError("E-ragsh-unknown-method", `\`${obj.name}.${k}\` does not exist`, span, { label: "unknown member", ...(guess ? { help: `did you mean \`${obj.name}.${guess}\`?` } : {}) });
  }
  const m = typeof key === "string" ? methodOf(obj, key) : undefined;
  if (m) return new NativeFunction(String(key), m.sync ? (args, self) => m.sync!(self as never, args, rt) : undefined, m.gen ? (args, self, call) => m.gen!(self as never, args, rt, call) : undefined, obj);
  if (isRecord(obj) || !dot) return undefined;
  const names = [...methodNames(obj), ...(Array.isArray(obj) || typeof obj === "string" ? ["length"] : [])];
  const guess = didYouMean(String(key), names);
  throw new ScriptError("E-ragsh-unknown-method", `${describeType(obj)} has no property \`${key}\``, span, {
    label: "unknown property",
    help: guess ? `did you mean \`${guess}\`?` : names.length ? `available: ${names.join(", ")}` : `${describeType(obj)} has no properties`,
  });
}

/** Writes `obj[key] = value` under the sandbox's property rules. */
export function setMember(obj: Value, key: string | number, value: Value, span: Span, rt: MethodRuntime): void {
  if (typeof key === "string" && isForbiddenKey(key)) forbidden(key, span);
  if (isRecord(obj)) {
    const k = String(key);
    // A new key is a new slot: charged (its name and the slot) before it is added, so a
    // loop adding keys is bounded by the memory budget, not only by the operation count.
    if (!Object.hasOwn(obj, k)) rt.alloc(16 + k.length * 2);
    obj[k] = value;
    return;
  }
  if (Array.isArray(obj)) {
    const i = typeof key === "number" ? key : /^(0|[1-9]\d*)$/.test(key) ? Number(key) : NaN;
    if (key === "length") throw new ScriptError("E-ragsh-type-error", "the `length` of a list is read-only", span, { help: "use `slice`, `splice` or `pop` to shorten a list" });
    if (!Number.isInteger(i) || i < 0 || i > obj.length) throw new ScriptError("E-ragsh-type-error", `cannot write index ${String(key)} of a list of length ${obj.length}`, span, { help: "lists are dense: replace an element or append with `push`" });
    if (i === obj.length) rt.alloc(8);
    obj[i] = value;
    return;
  }
  if (obj instanceof Namespace) throw new ScriptError("E-ragsh-reserved-name", `\`${obj.name}\` is a built-in namespace and cannot be changed`, span);
  if (obj instanceof ScriptFunction) throw new ScriptError("E-ragsh-type-error", "functions have no properties to set", span);
  throw new ScriptError("E-ragsh-type-error", `cannot set \`${key}\` on ${describeType(obj)}`, span, { label: `this is ${describeType(obj)}` });
}

/**
 * The items a `for` loop or a spread visits: values of a list, characters of a string;
 * for an object, keys (`for … in`, Rhai `for x in obj`) or an error (`for … of`).
 */
export function iterate(rt: MethodRuntime, v: Value, mode: "of" | "in" | "rhai", span: Span): Value[] {
  if (Array.isArray(v)) {
    // The copy (or the index strings) is charged as work before it is made.
    chargeLong(rt, v.length);
    if (mode !== "in") return v.slice();
    rt.alloc(v.length * 8);
    return v.map((_, i) => String(i));
  }
  if (typeof v === "string") {
    // At most one item per UTF-16 unit: charged before the list is built.
    chargeLong(rt, v.length);
    rt.alloc(v.length * 8);
    const chars = [...v];
    return mode === "in" ? chars.map((_, i) => String(i)) : chars;
  }
  if (isRecord(v) && mode !== "of") {
    // Listing the keys is native work over all of them: charged by `recordKeys`.
    return recordKeys(rt, v);
  }
  if (isRecord(v)) throw new ScriptError("E-ragsh-type-error", "an object is not iterable with `of`", span, { help: "iterate `Object.keys(obj)`, `Object.entries(obj)`, or use `for (const k in obj)`" });
  throw new ScriptError("E-ragsh-type-error", `${describeType(v)} is not iterable`, span, { label: "not a list, string or object" });
}

/** Binds a pattern (name, `{a, b: c}`, `[x, y]`) to a value: declares, or assigns when `assign`. */
export function bindPattern(rt: MemberRuntime, p: A.Pattern, v: Value, env: Env, constant: boolean, assign = false): void {
  const put = (id: A.Identifier, value: Value) => {
    if (!assign) return rt.declare(env, id.name, value, constant);
    const b = env.lookup(id.name);
    if (b && b.constant) throw new ScriptError("E-ragsh-const-assignment", `\`${id.name}\` is a constant`, id.span);
    if (b) b.value = value;
    else {
      let root = env;
      while (root.parent?.parent) root = root.parent;
      rt.declare(root, id.name, value, false);
    }
  };
  if (p.kind === "Identifier") return put(p, v);
  if (p.kind === "ObjectPattern") {
    if (v === null || v === undefined) throw new ScriptError("E-ragsh-type-error", `cannot destructure ${v}`, p.span);
    for (const prop of p.properties) put(prop.value, getMember(rt, v, prop.key, prop.keySpan, false));
    return;
  }
  if (!Array.isArray(v) && typeof v !== "string") throw new ScriptError("E-ragsh-type-error", `cannot destructure ${describeType(v)} as a list`, p.span);
  // Indexing a long string reads it (a rope is copied flat): checked as `getMember` does.
  if (typeof v === "string" && p.elements.length) rt.readChars?.(v);
  p.elements.forEach((el, i) => el && put(el, v[i]));
}

/** `x++`, `--x`: the new value is stored with `store`; returns the old or new value. */
export function updateValue(rt: MethodRuntime, e: A.UpdateExpr, old: Value, store: (v: Value) => void): Value {
  const n = toNum(old, rt);
  const next = e.operator === "++" ? n + 1 : n - 1;
  store(next);
  return e.prefix ? next : n;
}

export type { ScriptRecord };

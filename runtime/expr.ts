/**
 * The expression evaluator (`language.md` §3): pure and deterministic, no host access,
 * bounded by an operation budget. Missing members read as `null` (so `state.x.y` on an
 * unset `x` is null, not an error); type errors raise ExpressionError.
 */
import type { ExprSpec, TemplateSpec } from "../compiler/index.js";
import { canonicalJson, FUNCTION_ARITY } from "../compiler/index.js";
import { ExpressionError } from "./errors.js";

/** Operations one evaluation may perform (a template counts all its parts). */
export const DEFAULT_EXPR_BUDGET = 100_000;

export type Scope = Readonly<Record<string, unknown>>;

interface Budget {
  left: number;
}

/** Characters of string that cost one operation when a value is built or compared by size (`chargeSize`). */
export const EXPR_CHARS_PER_OPERATION = 1024;

/** Characters of text and needle a string search (`contains`) is charged one operation for (red team 12A). */
export const SEARCH_CHARS_PER_OPERATION = 64;

/**
 * Charges `n` operations to `budget`, before the work they pay for; true when that spent
 * it, and the caller throws `overBudget` (built only then: no message on the way through).
 */
function exhausts(budget: Budget, n: number): boolean {
  return (budget.left -= n) < 0;
}

/** The error an evaluation stops with when its operation budget is spent (`detail`: what spent it). */
function overBudget(detail?: string): ExpressionError {
  return new ExpressionError(detail === undefined ? "expression exceeded its operation budget" : `expression exceeded its operation budget (${detail})`);
}

/**
 * Charges the size of `v` to the budget before work proportional to it (keeping it in a
 * comprehension's result, comparing it, concatenating it): one operation per array item,
 * object entry and value, plus one per EXPR_CHARS_PER_OPERATION characters of string.
 * The walk uses an explicit stack and stops as soon as the budget is spent, so a value of
 * shared references costs at most the budget (issue 10 audit: a comprehension may repeat a
 * large state value in every item, a size its operation count alone did not see).
 * @throws ExpressionError when the budget runs out.
 */
function chargeSize(v: unknown, budget: Budget, what: string): void {
  const stack: unknown[] = [v];
  while (stack.length) {
    const x = stack.pop();
    if (typeof x === "string") budget.left -= Math.floor(x.length / EXPR_CHARS_PER_OPERATION);
    else if (Array.isArray(x)) {
      budget.left -= x.length;
      if (budget.left >= 0) for (const i of x) if (i !== null && typeof i === "object" || typeof i === "string") stack.push(i);
    } else if (x !== null && typeof x === "object") {
      const vals = Object.values(x);
      budget.left -= vals.length;
      if (budget.left >= 0) for (const i of vals) if (i !== null && typeof i === "object" || typeof i === "string") stack.push(i);
    }
    if (budget.left < 0) throw overBudget(what);
  }
}

/**
 * Operations all the expressions of one task's writes (`writes {…}`, `set`, `command
 * update`), or of one node's fan-out (every packet's arguments), may perform together: ten
 * times one expression's. Each expression had a budget of its own, so a 900 kB file of
 * 20,000 `set` entries, each a 100,000-operation expression, held one step 40 s, and a
 * `send` of 10,000 packets whose arguments each spent their budget held the planner (the
 * event loop) as long (red team 13A).
 */
export const SHARED_EXPR_BUDGET = 1_000_000;

/** What a group of expressions has left (`SHARED_EXPR_BUDGET`); see `evaluateShared`. */
export interface SharedBudget {
  left: number;
  /** Who shares it, for the refusal: "the writes of node `a`". */
  readonly what: string;
}

/** A fresh shared budget for `what`. */
export function sharedBudget(what: string): SharedBudget {
  return { left: SHARED_EXPR_BUDGET, what };
}

/**
 * Evaluates `e` under `shared`: with one expression's budget, or what the group has left
 * if less, charged to the group afterwards (the operations spent, also when it throws).
 * `keptWhat`: charge the value's size too, to what is left of the same budget — for a
 * value the state keeps on top of what it holds (a write to an `append`, `messages`,
 * `merge`, `union` or `topic` channel): uncharged, `set { out: state.out }` on an `append`
 * channel doubled the list every step and ran the process out of heap within 30 steps.
 * @throws ExpressionError when either budget runs out (naming the group when it was the group's).
 */
export function evaluateShared(e: ExprSpec, scope: Scope, shared: SharedBudget, keptWhat?: string): unknown {
  return underShared(shared, (budget) => {
    const v = evaluate(e, scope, budget);
    return keptWhat !== undefined ? kept(v, budget, keptWhat) : v;
  });
}

/**
 * Whether condition `e` holds (a `when` route, a `start routes` condition), under `shared`
 * as `evaluateShared`: the truth of a record lists its keys, charged to the same budget
 * (`when state.big` over 150,000 keys was two operations; 200 such routes took 11 s).
 * @throws ExpressionError when either budget runs out.
 */
export function conditionShared(e: ExprSpec, scope: Scope, shared: SharedBudget): boolean {
  return underShared(shared, (budget) => truthyCharged(evaluate(e, scope, budget), budget));
}

/** Runs `f` with one expression's budget (or what `shared` has left, if less), charging what it spent to `shared`, also when it throws. */
function underShared<T>(shared: SharedBudget, f: (budget: Budget) => T): T {
  const start = Math.min(DEFAULT_EXPR_BUDGET, shared.left);
  const budget: Budget = { left: start };
  try {
    return f(budget);
  } catch (err) {
    // Only a budget that ran out is the group's doing; a type error stays as it was.
    if (err instanceof ExpressionError && start < DEFAULT_EXPR_BUDGET && budget.left < 0) {
      throw new ExpressionError(`the expressions of ${shared.what} together exceeded their operation budget (${SHARED_EXPR_BUDGET.toLocaleString("en-US")}); ${err.message}`);
    }
    throw err;
  } finally {
    shared.left -= start - Math.max(budget.left, 0);
  }
}

/** `text`, after charging the copy a string function will make of it (one operation per EXPR_CHARS_PER_OPERATION characters). */
function copied(text: string, budget: Budget, fn: string): string {
  if (exhausts(budget, Math.floor(text.length / EXPR_CHARS_PER_OPERATION))) throw overBudget(`\`${fn}\` of ${text.length} characters`);
  return text;
}

/** `v`, after charging its size when it is a list or a record (strings cost their length as they are built). */
function kept(v: unknown, budget: Budget, what: string): unknown {
  if (v !== null && typeof v === "object") chargeSize(v, budget, what);
  return v;
}

export function evaluate(e: ExprSpec, scope: Scope, budget: Budget = { left: DEFAULT_EXPR_BUDGET }): unknown {
  if (exhausts(budget, 1)) throw overBudget();
  switch (e.op) {
    case "lit":
      return e.value;
    case "var":
      if (!Object.hasOwn(scope, e.name)) throw new ExpressionError(`\`${e.name}\` is not defined here (roots: ${Object.keys(scope).join(", ")})`);
      return scope[e.name] ?? null;
    case "get": {
      const o = evaluate(e.object, scope, budget);
      return member(o, e.key);
    }
    case "index": {
      const o = evaluate(e.object, scope, budget);
      const i = evaluate(e.index, scope, budget);
      if (Array.isArray(o) && typeof i === "number") return o[i < 0 ? o.length + i : i] ?? null;
      if (typeof o === "string" && typeof i === "number") return o[i < 0 ? o.length + i : i] ?? null;
      if (typeof i === "string") return member(o, i);
      return null;
    }
    case "call": {
      const fn = Object.hasOwn(FUNCTIONS, e.fn) ? FUNCTIONS[e.fn] : undefined;
      if (!fn) throw new ExpressionError(`unknown function \`${e.fn}\``);
      return fn(e.args.map((a) => evaluate(a, scope, budget)), budget);
    }
    case "not":
      return !truthyCharged(evaluate(e.arg, scope, budget), budget);
    case "neg": {
      const v = evaluate(e.arg, scope, budget);
      if (typeof v !== "number") throw new ExpressionError(`\`-\` needs a number, got ${typeName(v)}`);
      return -v;
    }
    case "bin":
      return binary(e.operator, e.left, e.right, scope, budget);
    // A literal keeps its items, as a comprehension does: each is charged by size. Uncharged,
    // `[state.x, state.x]` in a loop doubled a value of shared references every step for one
    // operation, and the first walk of it (a checkpoint write, a template) hung the process.
    case "list":
      return e.items.map((i) => kept(evaluate(i, scope, budget), budget, "the items of a list literal"));
    case "object":
      return Object.fromEntries(e.entries.map((en) => [en.key, kept(evaluate(en.value, scope, budget), budget, "the values of a record literal")]));
    case "comp":
      return comprehension(e, scope, budget);
  }
}

/**
 * `[element for x in iterable if filter]`: a null iterable is an empty list. Each item
 * is charged to the budget before its filter and element are evaluated, so a long list
 * stops at the limit instead of after the work. `x` is bound in a null-prototype copy of
 * the scope (a variable called `__proto__` stays a plain name).
 */
function comprehension(e: Extract<ExprSpec, { op: "comp" }>, scope: Scope, budget: Budget): unknown[] {
  const items = evaluate(e.iterable, scope, budget);
  if (items === null || items === undefined) return [];
  if (!Array.isArray(items)) throw new ExpressionError(`a comprehension iterates over a list, got ${typeName(items)}`);
  const inner: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, scope);
  const out: unknown[] = [];
  for (const item of items) {
    if (exhausts(budget, 1)) throw overBudget(`a comprehension over ${items.length} items`);
    inner[e.variable] = item;
    if (e.filter && !truthyCharged(evaluate(e.filter, inner, budget), budget)) continue;
    const v = evaluate(e.element, inner, budget);
    chargeSize(v, budget, `the items of a comprehension over ${items.length} items`);
    out.push(v);
  }
  return out;
}

function member(o: unknown, key: string): unknown {
  if (o === null || o === undefined) return null;
  if (typeof o === "string" && key === "length") return o.length;
  if (Array.isArray(o)) return key === "length" ? o.length : null;
  if (typeof o === "object" && Object.prototype.hasOwnProperty.call(o, key)) return (o as Record<string, unknown>)[key] ?? null;
  return null;
}

export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === "object") return Object.keys(v).length > 0;
  return Boolean(v);
}

/**
 * `truthy`, with a record's key listing charged to the budget (one operation per key, as
 * `len` and `keys` charge): a record is true when it has a key, and V8 lists them all to
 * tell — ~200 ms for 150,000 keys. Uncharged, `[1 for x in state.xs if state.big]` (or
 * `not`, `and`, `or`, `count`/`any`/`all` over records) listed a large record once per item
 * for one operation: 2,000 items took 415 s (red team 13A). One listing is done before its
 * charge (its cost is the size of a record that already exists); the next is refused.
 * @throws ExpressionError when the budget runs out.
 */
function truthyCharged(v: unknown, budget: Budget): boolean {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return truthy(v);
  return entriesCharged(Object.keys(v), budget, "the truth of a record").length > 0;
}

/**
 * Whether list `xs` holds an item equal to `needle` (`deepEqual`), with the needle's
 * canonical JSON made once. `deepEqual` per item wrote the needle again for every item that
 * is a list or record: a 1 MB needle over 2,000 empty lists, charged ~3,000 operations,
 * took 33 s (red team 13A). The items' own text is charged by the caller (`chargeSize`).
 */
function listHas(xs: readonly unknown[], needle: unknown): boolean {
  if (needle === null || needle === undefined || typeof needle !== "object") {
    const n = needle ?? null;
    return xs.some((x) => (x === null || x === undefined || typeof x !== "object") && (x ?? null) === n);
  }
  const key = canonicalJson(needle);
  return xs.some((x) => x === needle || (x !== null && typeof x === "object" && canonicalJson(x) === key));
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "list";
  return typeof v === "object" ? "object" : typeof v;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return (a ?? null) === (b ?? null);
  return canonicalJson(a) === canonicalJson(b);
}

function binary(op: string, l: ExprSpec, r: ExprSpec, scope: Scope, budget: Budget): unknown {
  if (op === "and") return truthyCharged(evaluate(l, scope, budget), budget) && truthyCharged(evaluate(r, scope, budget), budget);
  if (op === "or") return truthyCharged(evaluate(l, scope, budget), budget) || truthyCharged(evaluate(r, scope, budget), budget);
  const a = evaluate(l, scope, budget);
  const b = evaluate(r, scope, budget);
  // Work proportional to the operands' size (comparing, searching, concatenating) is charged first.
  if (op === "in" || ((op === "==" || op === "!=" || op === "+") && (typeof a === "object" || typeof b === "object"))) {
    chargeSize(a, budget, `\`${op}\` on large values`);
    chargeSize(b, budget, `\`${op}\` on large values`);
    // A search of text for text reads each character many times (as `contains`).
    const search = op === "in" && typeof a === "string" && typeof b === "string" ? Math.floor((a.length + b.length) / SEARCH_CHARS_PER_OPERATION) : 0;
    if (exhausts(budget, search)) throw overBudget(`\`${op}\` on large values`);
  } else if (typeof a === "string" && typeof b === "string" && op !== "+" && op !== "and" && op !== "or") {
    // Comparing two strings reads up to the shorter one: two equal-length 16 MB strings that
    // differ at the end cost one operation a comparison (red team 12A).
    if (exhausts(budget, Math.floor(Math.min(a.length, b.length) / EXPR_CHARS_PER_OPERATION))) throw overBudget(`\`${op}\` of strings of ${Math.min(a.length, b.length)} characters`);
  }
  switch (op) {
    case "==":
      return deepEqual(a, b);
    case "!=":
      return !deepEqual(a, b);
    case "<":
    case "<=":
    case ">":
    case ">=": {
      if (!((typeof a === "number" && typeof b === "number") || (typeof a === "string" && typeof b === "string"))) {
        throw new ExpressionError(`\`${op}\` compares two numbers or two strings, got ${typeName(a)} and ${typeName(b)}`);
      }
      return op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b;
    }
    case "in":
      if (Array.isArray(b)) return listHas(b, a);
      if (typeof b === "string") return typeof a === "string" && b.includes(a);
      if (b && typeof b === "object") return typeof a === "string" && Object.prototype.hasOwnProperty.call(b, a);
      return false;
    case "+":
      if (typeof a === "number" && typeof b === "number") return a + b;
      if (typeof a === "string" || typeof b === "string") {
        const text = toText(a) + toText(b);
        chargeSize(text, budget, "`+` building a long string");
        return text;
      }
      if (Array.isArray(a) && Array.isArray(b)) {
        if (exhausts(budget, a.length + b.length)) throw overBudget(`\`+\` of lists of ${a.length} and ${b.length} items`);
        return [...a, ...b];
      }
      throw new ExpressionError(`\`+\` adds numbers, strings or lists, got ${typeName(a)} and ${typeName(b)}`);
    default: {
      if (typeof a !== "number" || typeof b !== "number") throw new ExpressionError(`\`${op}\` needs numbers, got ${typeName(a)} and ${typeName(b)}`);
      if ((op === "/" || op === "%") && b === 0) throw new ExpressionError(`division by zero`);
      return op === "-" ? a - b : op === "*" ? a * b : op === "/" ? a / b : a % b;
    }
  }
}

/** Text of a value inside a template: strings as is, null as empty, others as JSON. */
export function toText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/**
 * Renders a `{{ … }}` template. The text it builds is charged as it grows (an operation per
 * EXPR_CHARS_PER_OPERATION characters, as `+` building a string), so a template repeating a
 * large value stops at about 100 MB instead of building a 450 MB prompt from 30 references
 * to a 15 MB input (issue 10, second red-team round).
 * @throws ExpressionError when the budget runs out.
 */
export function renderTemplate(t: TemplateSpec, scope: Scope, budget: Budget = { left: DEFAULT_EXPR_BUDGET }): string {
  let out = "";
  for (const p of t.parts) {
    const part = "text" in p ? p.text : toText(evaluate(p.expr, scope, budget));
    if (exhausts(budget, Math.floor(part.length / EXPR_CHARS_PER_OPERATION))) throw overBudget(`a template rendering ${out.length + part.length} characters or more`);
    out += part;
  }
  return out;
}

const str = (v: unknown, fn: string): string => {
  if (typeof v !== "string") throw new ExpressionError(`\`${fn}\` needs a string, got ${typeName(v)}`);
  return v;
};
const list = (v: unknown, fn: string): unknown[] => {
  if (!Array.isArray(v)) throw new ExpressionError(`\`${fn}\` needs a list, got ${typeName(v)}`);
  return v;
};
const nums = (args: unknown[], fn: string, budget: Budget): number[] => {
  const xs = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  if (exhausts(budget, xs.length)) throw overBudget(`\`${fn}\` of ${xs.length} numbers`);
  return xs.map((x) => {
    if (typeof x !== "number") throw new ExpressionError(`\`${fn}\` needs numbers, got ${typeName(x)}`);
    return x;
  });
};
/** A list argument (null reads as empty), its length charged to the budget before it is walked. */
const charged = (v: unknown, fn: string, budget: Budget): unknown[] => {
  if (v === null || v === undefined) return [];
  const xs = list(v, fn);
  if (exhausts(budget, xs.length)) throw overBudget();
  return xs;
};
/** `xs` (a record's keys or values, a new list) after charging one operation per entry. */
const entriesCharged = (xs: unknown[], budget: Budget, fn: string): unknown[] => {
  if (exhausts(budget, xs.length)) throw overBudget(`\`${fn}\` of a record with ${xs.length} entries`);
  return xs;
};
const arity = (args: unknown[], fn: string, min: number = FUNCTION_ARITY[fn][0], max: number = FUNCTION_ARITY[fn][1]) => {
  if (args.length < min || args.length > max) throw new ExpressionError(`\`${fn}\` takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? "" : "s"}, got ${args.length}`);
};

/** The built-in functions' arities (`[min, max]`): one table, in the compiler, shared with its checks. */
export { FUNCTION_ARITY };

const FUNCTIONS: Readonly<Record<string, (args: unknown[], budget: Budget) => unknown>> = {
  // A record's keys are listed to count them: one operation per key, as `keys` charges (red team 12A).
  len: (a, b) => (arity(a, "len"), a[0] === null || a[0] === undefined ? 0 : typeof a[0] === "string" || Array.isArray(a[0]) ? a[0].length : typeof a[0] === "object" ? entriesCharged(Object.keys(a[0] as object), b, "len").length : 0),
  // Charged by the text they copy before they copy it: `len(lower(state.s))` over a 16 MB
  // text in a comprehension cost one operation an item (red team 12A).
  lower: (a, b) => (arity(a, "lower"), copied(str(a[0], "lower"), b, "lower").toLowerCase()),
  upper: (a, b) => (arity(a, "upper"), copied(str(a[0], "upper"), b, "upper").toUpperCase()),
  trim: (a, b) => (arity(a, "trim"), copied(str(a[0], "trim"), b, "trim").trim()),
  contains: (a, b) => {
    arity(a, "contains");
    const [h, n] = a;
    // A list compares every item with the needle: charged by the size of both first.
    if (Array.isArray(h)) chargeSize([h, n], b, "`contains` over a list");
    if (typeof h === "string") {
      if (typeof n !== "string") return false;
      // Charged before the native search, which reads each character many times over a copy
      // (~0.8 s for 16 MB): uncharged, a comprehension of searches held the process for hours.
      if (exhausts(b, Math.floor((h.length + n.length) / SEARCH_CHARS_PER_OPERATION))) throw overBudget(`\`contains\` of ${h.length} characters`);
      return h.includes(n);
    }
    if (Array.isArray(h)) return listHas(h, n);
    if (h && typeof h === "object") return typeof n === "string" && Object.prototype.hasOwnProperty.call(h, n);
    return false;
  },
  // The comparison reads the needle: charged by its length first (`starts_with(state.s, state.s)` of 16 MB cost one operation).
  starts_with: (a, b) => (arity(a, "starts_with"), str(a[0], "starts_with").startsWith(copied(str(a[1], "starts_with"), b, "starts_with"))),
  ends_with: (a, b) => (arity(a, "ends_with"), str(a[0], "ends_with").endsWith(copied(str(a[1], "ends_with"), b, "ends_with"))),
  split: (a, b) => {
    arity(a, "split");
    const text = str(a[0], "split");
    const sep = str(a[1], "split");
    // Charged before the list is built: the scan, and with an empty separator one part per character.
    if (exhausts(b, sep === "" ? text.length : Math.floor(text.length / EXPR_CHARS_PER_OPERATION))) throw overBudget(`\`split\` of ${text.length} characters`);
    const parts = text.split(sep);
    if (exhausts(b, parts.length)) throw overBudget(`\`split\` into ${parts.length} parts`);
    return parts;
  },
  // Charged by size before the text is built: the items and their strings (each item's own text).
  join: (a, b) => {
    arity(a, "join");
    const xs = list(a[0], "join");
    const sep = str(a[1], "join");
    // The separator is written between every two items: charged too, before the text is
    // built. Uncharged, `join(state.xs, state.s)` of 3,000 items and a 40 MB separator cost
    // ~3,000 operations and asked V8 for a 120 GB string (red team 13A).
    if (exhausts(b, Math.floor((Math.max(xs.length - 1, 0) * sep.length) / EXPR_CHARS_PER_OPERATION))) throw overBudget(`\`join\` of ${xs.length} items with a separator of ${sep.length} characters`);
    chargeSize(xs, b, "`join` of a list");
    return xs.map(toText).join(sep);
  },
  keys: (a, b) => (arity(a, "keys"), a[0] && typeof a[0] === "object" && !Array.isArray(a[0]) ? entriesCharged(Object.keys(a[0]), b, "keys") : []),
  values: (a, b) => (arity(a, "values"), a[0] && typeof a[0] === "object" && !Array.isArray(a[0]) ? entriesCharged(Object.values(a[0]), b, "values") : []),
  default: (a) => (arity(a, "default"), a[0] === null || a[0] === undefined ? a[1] : a[0]),
  // A loop, not `Math.min(...xs)`: spreading a list of ~120,000 numbers overflows the stack.
  min: (a, b) => {
    const xs = nums(a, "min", b);
    return xs.length ? xs.reduce((x, y) => Math.min(x, y)) : null;
  },
  max: (a, b) => {
    const xs = nums(a, "max", b);
    return xs.length ? xs.reduce((x, y) => Math.max(x, y)) : null;
  },
  sum: (a, b) => (arity(a, "sum"), nums([list(a[0], "sum")], "sum", b).reduce((x, y) => x + y, 0)),
  round: (a, b) => {
    arity(a, "round");
    const [x, d] = nums(a, "round", b);
    const f = 10 ** (d ?? 0);
    return Math.round(x * f) / f;
  },
  // Charged by size before `JSON.stringify` copies it (a value of shared references is charged per visit, as it is written).
  json: (a, b) => (arity(a, "json"), chargeSize(a[0], b, "`json` of a value"), JSON.stringify(a[0] ?? null)),
  count: (a, b) => (arity(a, "count"), charged(a[0], "count", b).filter((x) => truthyCharged(x, b)).length),
  any: (a, b) => (arity(a, "any"), charged(a[0], "any", b).some((x) => truthyCharged(x, b))),
  all: (a, b) => (arity(a, "all"), charged(a[0], "all", b).every((x) => truthyCharged(x, b))),
};

/** Names of the functions this evaluator implements (tests check them against the compiler's table). */
export const IMPLEMENTED_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS);

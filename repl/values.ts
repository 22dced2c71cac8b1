/**
 * The value model of a `.ragsh` session (`repl.md` §1, §3). Script values are
 * primitives, dense arrays, records (objects with a null prototype, so no key reaches
 * `Object.prototype`) and functions (`Closure`, `NativeFunction`); nothing else ever
 * enters the sandbox. Values cross the boundary only as copies of plain data:
 * boundary.ts copies them both ways, bounded in depth and size.
 */
import type { BlockStmt, Expression, Pattern } from "../grammar/ragsh/ast.js";
import { LimitError } from "./errors.js";

export type Value = undefined | null | boolean | number | string | Value[] | ScriptRecord | ScriptFunction | Namespace;

/** A script object: own enumerable data properties only, no prototype. */
export interface ScriptRecord {
  [key: string]: Value;
}

/** Lexical environment of a scope. */
export class Env {
  private map: Map<string, Binding> | undefined;
  constructor(readonly parent: Env | undefined) {}

  /** The scope's own bindings (the map is created on first use: most block scopes bind nothing). */
  get vars(): Map<string, Binding> {
    return (this.map ??= new Map());
  }

  lookup(name: string): Binding | undefined {
    for (let e: Env | undefined = this; e; e = e.parent) {
      const b = e.map?.get(name);
      if (b) return b;
    }
    return undefined;
  }
}

export interface Binding {
  value: Value;
  readonly constant: boolean;
  /** True for the session namespace's bindings (changes are reported per cell). */
  readonly global?: boolean;
}

export abstract class ScriptFunction {
  abstract readonly name: string;
}

/** A function written in the script; captures its defining environment. */
export class Closure extends ScriptFunction {
  constructor(
    readonly name: string,
    readonly params: readonly Pattern[],
    readonly body: BlockStmt | Expression,
    readonly env: Env,
  ) {
    super();
  }
}

/** Calls a native synchronously; returns a value, or a promise for capability calls. */
export type NativeImpl = (args: Value[], self: Value) => Value | Promise<Value>;
/** A native that calls script functions (e.g. `map`): a generator driven by the interpreter. */
export type NativeGen = (args: Value[], self: Value, call: CallBack) => Generator<Promise<unknown>, Value, unknown>;
/**
 * Calls a script function from a native generator. Returns the value when the call
 * completed synchronously (a function whose body cannot suspend), else a generator to
 * delegate to: `const r = call(f, [x, i]); const v = isSuspended(r) ? yield* r : r`.
 */
export type CallBack = (fn: Value, args: Value[]) => Value | Generator<Promise<unknown>, Value, unknown>;

/** True for the generator a `CallBack` returns when the call may suspend (no script value has a `next` function). */
export function isSuspended(r: Value | Generator<Promise<unknown>, Value, unknown>): r is Generator<Promise<unknown>, Value, unknown> {
  return typeof (r as { next?: unknown } | null | undefined)?.next === "function";
}

/** A built-in function or bound method. */
export class NativeFunction extends ScriptFunction {
  constructor(
    readonly name: string,
    readonly impl: NativeImpl | undefined,
    readonly gen: NativeGen | undefined,
    readonly self: Value = undefined,
    /** True for a capability that returns a promise (a model, tool, agent or graph call): it suspends the cell. */
    readonly suspends = false,
  ) {
    super();
  }
}

/** A built-in namespace (`Math`, `JSON`, `Object`, `Array`): read-only members. */
export class Namespace {
  constructor(
    readonly name: string,
    readonly members: ReadonlyMap<string, Value>,
  ) {}
}

export function newRecord(): ScriptRecord {
  return Object.create(null) as ScriptRecord;
}

export function isRecord(v: Value): v is ScriptRecord {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof ScriptFunction) && !(v instanceof Namespace);
}

/** Property names no script may read or write (prototype and constructor routes to the host). */
export function isForbiddenKey(key: string): boolean {
  return key === "constructor" || key === "prototype" || (key.startsWith("__") && key.endsWith("__"));
}

/** `typeof` as in JavaScript. */
export function typeOf(v: Value): string {
  if (v === null) return "object";
  if (v instanceof ScriptFunction) return "function";
  if (v instanceof Namespace) return "object";
  return typeof v;
}

/** A name for a value's type in messages: `a list`, `a string`, `null` … */
export function describeType(v: Value): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return "a list";
  if (v instanceof ScriptFunction) return "a function";
  if (v instanceof Namespace) return `the \`${v.name}\` namespace`;
  if (typeof v === "object") return "an object";
  return `a ${typeof v}`;
}

/**
 * What a conversion charges: `alloc` the bytes it builds (the cell's memory budget),
 * `work` the steps of a long walk (the cell's operations and clock; optional).
 */
export interface StringCharge {
  alloc(units: number): void;
  work?(units: number): void;
}

/** Steps of a walk over a value between two work charges (and clock checks). */
export const WORK_SLICE = 4096;

/**
 * Longest string (UTF-16 code units) `toStr` builds from a list, budget or not: a hard
 * ceiling, so no path — a list sharing one sub-list 2^40 times — can build an unbounded string.
 */
export const MAX_STRING_CHARS = 1 << 24;

/**
 * String conversion as JavaScript's `String(v)` would do, without running host code.
 * A list is measured first and `charge`d (2 bytes per character) before it is built, both
 * with an explicit stack (no recursion); a list inside itself converts to `""`, as in
 * JavaScript.
 *
 * @throws LimitError `E-ragsh-memory-limit` past `MAX_STRING_CHARS`, or what `charge` throws.
 */
export function toStr(v: Value, charge?: StringCharge): string {
  if (typeof v === "string") return v;
  if (v === undefined || v === null || typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return listToString(v, charge);
  if (v instanceof ScriptFunction) return `[function ${v.name || "anonymous"}]`;
  if (v instanceof Namespace) return `[namespace ${v.name}]`;
  return "[object Object]";
}

const SEP = Symbol("sep");
/** The end of a list's items: it leaves the path (a list inside itself converts to `""`). */
class ExitMark {
  constructor(readonly list: Value[]) {}
}

/** Visits the pieces of `root`'s string form in order, with an explicit stack; `step` is called once per visit. */
function walkList(root: Value[], emit: (piece: string) => void, step?: () => void): void {
  const onPath = new Set<Value[]>();
  const stack: (Value | typeof SEP | ExitMark)[] = [root];
  while (stack.length) {
    const j = stack.pop()!;
    step?.();
    if (j === SEP) emit(",");
    else if (j instanceof ExitMark) onPath.delete(j.list);
    else if (Array.isArray(j)) {
      if (onPath.has(j)) continue;
      onPath.add(j);
      stack.push(new ExitMark(j));
      for (let i = j.length - 1; i >= 0; i--) {
        stack.push(j[i]);
        if (i) stack.push(SEP);
      }
    } else emit(j === null || j === undefined ? "" : toStr(j));
  }
}

/**
 * Measures (every visit counts, so lists of empty lists are bounded too), charges, then
 * builds. The walk charges `WORK_SLICE` units of work every `WORK_SLICE` visits (so a
 * wide or deep value stops at the operation budget or the deadline, not after the walk),
 * and the build's visits are charged before it starts.
 */
function listToString(root: Value[], charge?: StringCharge): string {
  let pieces = 0;
  let visits = 0;
  let chars = 0;
  const work = charge?.work?.bind(charge);
  const step = () => {
    if ((++visits & (WORK_SLICE - 1)) === 0) work?.(WORK_SLICE);
  };
  walkList(root, (p) => {
    chars += p.length;
    if (++pieces + chars > MAX_STRING_CHARS) throw new LimitError("E-ragsh-memory-limit", `converting a list to a string would build more than ${MAX_STRING_CHARS} characters`, undefined, { help: "join a slice of the list, or summarise it first" });
  }, step);
  charge?.alloc(chars * 2);
  if (visits > WORK_SLICE) charge?.work?.(visits);
  const parts: string[] = [];
  walkList(root, (p) => parts.push(p));
  return parts.join("");
}

/** Largest magnitude an integer argument (a count, an index, a length, a radix) is clamped to: 2^53. */
export const MAX_INTEGER_ARG = 2 ** 53;

/**
 * A script value as a number, as JavaScript's `Number(v)` gives it, without running any
 * host `valueOf`/`toString`: numbers as they are; strings parsed natively (a long one
 * charged to `charge.work`); booleans 1/0; `null` 0; `undefined` NaN; a list through its
 * string form (`toStr`, measured and charged to `charge` before it is built — a list
 * sharing one sub-list 2^40 times stops at the budget); an object or a function NaN (its
 * string form is `[object Object]` / `[function f]`). `NaN` and ±`Infinity` are kept:
 * `-Infinity` is a common starting value. Sizes go through `toInteger`, which clamps.
 *
 * Every native number conversion of a script value goes through this function (`Number`,
 * `isNaN`, `range`, `Math.*`, unary `+`/`-`, `++`/`--`, sort comparator results, and the
 * integer arguments of string and list methods).
 *
 * @throws LimitError `E-ragsh-memory-limit` / `E-ragsh-operation-limit`, or what `charge` throws.
 */
export function toNum(v: Value, charge?: StringCharge): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v === null) return 0;
  if (v === undefined) return NaN;
  if (typeof v === "string") {
    if (v.length > WORK_SLICE) charge?.work?.(v.length);
    return Number(v);
  }
  if (Array.isArray(v)) return toNum(toStr(v, charge), charge);
  return NaN;
}

/**
 * An integer argument (a count, an index, a length, a digit count): `toNum`, truncated,
 * NaN as 0, clamped to ±`MAX_INTEGER_ARG` (±Infinity too), so no size computed from it
 * overflows to Infinity or NaN before it is charged. `undefined` gives `missing`.
 *
 * @throws what `toNum` throws.
 */
export function toInteger(v: Value, missing: number, charge?: StringCharge): number {
  if (v === undefined) return missing;
  const n = Math.trunc(toNum(v, charge));
  if (Number.isNaN(n)) return 0;
  return Math.max(-MAX_INTEGER_ARG, Math.min(MAX_INTEGER_ARG, n)) || 0;
}

/** JavaScript truthiness. */
export function truthy(v: Value): boolean {
  if (typeof v === "object" || typeof v === "function") return v !== null;
  return Boolean(v);
}

/** A primitive for an operator: objects become their string form (JavaScript's ToPrimitive, minus host calls), charged to `charge`. */
export function primitive(v: Value, charge?: StringCharge): undefined | null | boolean | number | string {
  return typeof v === "object" && v !== null ? toStr(v, charge) : (v as undefined | boolean | number | string);
}

/**
 * Whether `v` is plain data: no `ScriptFunction` or `Namespace` anywhere inside (an
 * explicit stack, each list or record walked once: shared and cyclic references stop).
 */
export function isPlainData(v: Value): boolean {
  const seen = new Set<object>();
  const stack: Value[] = [v];
  while (stack.length) {
    const x = stack.pop();
    if (x === null || typeof x !== "object") continue;
    if (x instanceof ScriptFunction || x instanceof Namespace) return false;
    if (seen.has(x)) continue;
    seen.add(x);
    if (Array.isArray(x)) for (const item of x) stack.push(item);
    else for (const k of Object.keys(x)) stack.push(x[k]);
  }
  return true;
}

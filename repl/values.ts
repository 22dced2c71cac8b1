/**
 * The value model of a `.ragsh` session (`repl.md` §1, §3). Script values are
 * primitives, dense arrays, records (objects with a null prototype, so no key reaches
 * `Object.prototype`) and functions (`Closure`, `NativeFunction`); nothing else ever
 * enters the sandbox. Values cross the boundary only as copies of plain data:
 * `fromHost` copies what a capability returns (refusing getters, functions, class
 * instances and cycles), `toHost` copies what a script passes out.
 */
import type { BlockStmt, Expression, Pattern } from "../grammar/ragsh/ast.js";
import { ScriptError } from "./errors.js";

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

/** String conversion as JavaScript's `String(v)` would do, without running host code. */
export function toStr(v: Value): string {
  if (typeof v === "string") return v;
  if (v === undefined || v === null || typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return v.map((x) => (x === null || x === undefined ? "" : toStr(x))).join(",");
  if (v instanceof ScriptFunction) return `[function ${v.name || "anonymous"}]`;
  if (v instanceof Namespace) return `[namespace ${v.name}]`;
  return "[object Object]";
}

/** JavaScript truthiness. */
export function truthy(v: Value): boolean {
  if (typeof v === "object" || typeof v === "function") return v !== null;
  return Boolean(v);
}

/** A primitive for an operator: objects become their string form (JavaScript's ToPrimitive, minus host calls). */
export function primitive(v: Value): undefined | null | boolean | number | string {
  return typeof v === "object" && v !== null ? toStr(v) : (v as undefined | boolean | number | string);
}

/**
 * Readable rendering for `print`, results and summaries: strings raw at the top level
 * and quoted inside structures; objects as `{k: v}`. Cuts off past `max` characters.
 */
export function formatValue(v: Value, max = 10_000): string {
  const out: string[] = [];
  let size = 0;
  const seen = new Set<unknown>();
  const push = (s: string) => {
    out.push(s);
    size += s.length;
  };
  const walk = (x: Value, top: boolean) => {
    if (size > max) return;
    if (typeof x === "string") push(top ? x : JSON.stringify(x));
    else if (Array.isArray(x)) {
      if (seen.has(x)) return push("[circular]");
      seen.add(x);
      push("[");
      x.forEach((e, i) => (i && push(", "), walk(e, false)));
      push("]");
      seen.delete(x);
    } else if (isRecord(x)) {
      if (seen.has(x)) return push("[circular]");
      seen.add(x);
      push("{");
      Object.keys(x).forEach((k, i) => (i && push(", "), push(/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)), push(": "), walk(x[k], false)));
      push("}");
      seen.delete(x);
    } else push(toStr(x));
  };
  walk(v, true);
  const s = out.join("");
  return s.length > max ? s.slice(0, max) + "…" : s;
}

/** Options for copying script values out to the host. */
export interface ToHostOptions {
  /** What to do with functions: fail (arguments to capabilities) or describe them (results, events). */
  readonly functions: "error" | "describe";
  /** Where the value goes, for messages (`the arguments of tool_call`). */
  readonly what: string;
}

/**
 * Copies a script value to plain host data (normal objects and arrays; `undefined`
 * inside objects is dropped, as JSON does).
 *
 * @throws ScriptError `E-ragsh-invalid-arguments` for a function (when `functions` is
 *   `error`) or a cycle.
 */
export function toHost(v: Value, o: ToHostOptions): unknown {
  const seen = new Set<unknown>();
  const walk = (x: Value, path: string): unknown => {
    if (x === undefined || x === null || typeof x !== "object") return x;
    if (x instanceof ScriptFunction || x instanceof Namespace) {
      if (o.functions === "describe") return toStr(x);
      throw new ScriptError("E-ragsh-invalid-arguments", `${o.what} hold a function at \`${path || "."}\`; only plain data can leave the session`);
    }
    if (seen.has(x)) throw new ScriptError("E-ragsh-invalid-arguments", `${o.what} are circular at \`${path || "."}\`; only plain data can leave the session`);
    seen.add(x);
    let out: unknown;
    if (Array.isArray(x)) out = x.map((e, i) => walk(e, `${path}[${i}]`));
    else {
      const rec: Record<string, unknown> = {};
      for (const k of Object.keys(x)) {
        const val = walk(x[k], path ? `${path}.${k}` : k);
        if (val !== undefined) Object.defineProperty(rec, k, { value: val, enumerable: true, writable: true, configurable: true });
      }
      out = rec;
    }
    seen.delete(x);
    return out;
  };
  return walk(v, "");
}

/**
 * Copies host data into the sandbox: primitives, arrays and plain objects (prototype
 * `Object.prototype` or null) with data properties; a `Date` becomes its ISO string.
 *
 * @throws ScriptError `E-ragsh-host-value` for anything else (a getter, a function, a
 *   class instance, a symbol, a bigint, a cycle), naming where it was found.
 */
export function fromHost(v: unknown, what: string, maxDepth = 64): Value {
  const seen = new Set<unknown>();
  const fail = (path: string, why: string): never => {
    throw new ScriptError("E-ragsh-host-value", `${what} returned ${why} at \`${path || "."}\`; only plain data enters a session`, undefined, {
      help: "a capability must return JSON-like data: strings, numbers, booleans, null, arrays and plain objects",
    });
  };
  const walk = (x: unknown, path: string, depth: number): Value => {
    if (x === null || x === undefined || typeof x === "string" || typeof x === "boolean") return x;
    if (typeof x === "number") return x;
    if (typeof x === "function") return fail(path, "a function");
    if (typeof x !== "object") return fail(path, `a ${typeof x}`);
    if (x instanceof Date) return Number.isFinite(x.getTime()) ? x.toISOString() : null;
    if (depth > maxDepth) return fail(path, `data nested deeper than ${maxDepth} levels`);
    if (seen.has(x)) return fail(path, "a circular structure");
    seen.add(x);
    let out: Value;
    if (Array.isArray(x)) {
      if (Object.getPrototypeOf(x) !== Array.prototype) fail(path, "an array subclass");
      const arr: Value[] = new Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const d = Object.getOwnPropertyDescriptor(x, i);
        if (d && !("value" in d)) fail(`${path}[${i}]`, "a getter");
        arr[i] = walk(d?.value, `${path}[${i}]`, depth + 1);
      }
      out = arr;
    } else {
      const proto = Object.getPrototypeOf(x);
      if (proto !== Object.prototype && proto !== null) fail(path, `an instance of \`${(proto?.constructor as { name?: string } | undefined)?.name ?? "an unknown class"}\``);
      const rec = newRecord();
      for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(x))) {
        if (!d.enumerable) continue;
        const p = path ? `${path}.${k}` : k;
        if (!("value" in d)) fail(p, "a getter");
        if (isForbiddenKey(k)) fail(p, `the reserved key \`${k}\``);
        rec[k] = walk(d.value, p, depth + 1);
      }
      out = rec;
    }
    seen.delete(x);
    return out;
  };
  return walk(v, "", 0);
}

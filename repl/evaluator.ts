/**
 * The synchronous half of the `.ragsh` interpreter (see interpreter.ts): bookkeeping
 * (operations, memory, the clock), scopes, and the evaluator for pure nodes — statements
 * and expressions that can never suspend (purity.ts), so loops over plain data run
 * without a promise or a generator per step. `Interpreter` extends it with the
 * generator path for everything that may call a capability.
 */
import { KEY_WRITE_WORK } from "./costs.js";
import type * as A from "../grammar/ragsh/ast.js";
import type { Span } from "../grammar/span.js";
import { LimitError, ScriptError } from "./errors.js";
import { flattenBytes, headroomOf, heapHeadroomError, REPROBE_OPERATIONS, type HeapProbe } from "./heap-headroom.js";
import { recordKeys } from "./record-keys.js";
import { binaryOp, bindPattern, callMethodSync, getMember, iterate, methodFor, setMember, updateValue, type MemberRuntime } from "./semantics.js";
import { Closure, Env, isForbiddenKey, type Binding, newRecord, ScriptFunction, toNum, toStr, truthy, typeOf, type StringCharge, type Value } from "./values.js";

/** Limits of one cell run (`repl.md` §3). */
export interface RunLimits {
  /** Operations (evaluated nodes) per cell. */
  readonly maxOperations: number;
  /** Memory budget per cell, in approximate bytes of strings and lists built. */
  readonly maxMemoryBytes: number;
  /** Nesting of script function calls. */
  readonly maxCallDepth: number;
  /** Wall-clock budget, ms. */
  readonly timeoutMs: number;
  /**
   * Reads the process's heap before a read that may flatten a long string (a rope `+`
   * built, `heap-headroom.ts`); without it the heap-headroom check is off.
   */
  readonly heapProbe?: HeapProbe;
}

/**
 * A short-circuited optional chain (`a?.b.c` with `a` null) on its way to the chain's
 * outermost link, which turns it into `undefined` (`chainEnd`). Never escapes a chain.
 */
export const SHORT = Object.freeze(Object.create(null)) as Value;

export type Gen = Generator<Promise<unknown>, Value, unknown>;
/**
 * Charged for each list or record a literal builds, besides its slots (8 bytes per list
 * element, 16 per record entry): the container itself (header, backing store) costs about
 * this much, so a loop of empty `[]` or `{}` is not free against `maxMemoryBytes`.
 */
export const CONTAINER_BYTES = 48;

export const NORMAL = 0;
export const BREAK = 1;
export const CONTINUE = 2;
export const RETURN = 3;
export type Completion = typeof NORMAL | typeof BREAK | typeof CONTINUE | typeof RETURN;
export type ExecGen = Generator<Promise<unknown>, Completion, unknown>;


export abstract class Evaluator implements MemberRuntime {
  protected ops = 0;
  protected nextCheck = 1024;
  protected memory = 0;
  protected depth = 0;
  protected deadline = 0;
  protected returnValue: Value = undefined;
  protected signal: AbortSignal | undefined;
  protected limits!: RunLimits;
  /** The span of the native call in progress (read by built-ins for their diagnostics). */
  callSpan: Span | undefined;
  /** Names of the global (session) scope assigned or declared during the run. */
  readonly touched = new Set<string>();
  /** The global binding last added to `touched` (skips re-adding it on every loop iteration). */
  protected lastTouched: Binding | undefined;
  /** Bytes the heap-headroom checks may still spend from the last probe's reading (`headroom`). */
  protected heapAllowance = 0;
  /** `ops` when the heap was last probed. */
  protected heapProbedAt = 0;
  constructor(readonly globals: Env) {}

  /** Calls a script or native function from the synchronous path (a closure reached from a pure call). */
  abstract callSync(fn: Value, args: Value[], span: Span): Value;

  /** The error a cell stops with when its time is up (or the host aborted it). */
  protected abstract timeoutError(): ScriptError;

  // ─────────────────────────────── bookkeeping ───────────────────────────────

  /** One operation; every 1,024 also checks the clock and the abort signal. */
  protected tick(span: Span): void {
    if (++this.ops < this.nextCheck) return;
    if (this.ops > this.limits.maxOperations) {
      throw new LimitError("E-ragsh-operation-limit", `the cell exceeded its limit of ${this.limits.maxOperations} operations`, span, { help: "loop over less data per cell, or raise the session's `maxOperations` policy" });
    }
    this.nextCheck = Math.min(this.ops + 1024, this.limits.maxOperations + 1);
    if (this.signal?.aborted || performance.now() > this.deadline) throw Object.assign(this.timeoutError(), { span });
  }

  /** Operations evaluated so far in the current run. */
  get operations(): number {
    return this.ops;
  }

  /** Work (characters or items) a built-in does per operation charged. */
  static readonly WORK_PER_OPERATION = 256;

  /**
   * Charges `units` of a built-in's native work to the operation budget (one operation
   * per `WORK_PER_OPERATION` units, at least one) and checks the clock — before the work.
   */
  work(units: number): void {
    if (!this.limits) return;
    // NaN or Infinity is over any budget (NaN would otherwise compare false forever); a negative charge is one operation.
    this.ops += Number.isFinite(units) ? Math.max(1, Math.ceil(units / Evaluator.WORK_PER_OPERATION)) : Infinity;
    if (!(this.ops <= this.limits.maxOperations)) {
      throw new LimitError("E-ragsh-operation-limit", `the cell exceeded its limit of ${this.limits.maxOperations} operations`, this.callSpan, { help: "built-ins are charged for the characters and items they scan; work on less data per cell, or raise the session's \`maxOperations\` policy" });
    }
    this.checkClock();
    // Long native work reads a long string (or list) whose characters may be a rope not
    // yet copied: the copy must fit the heap (`readChars`), checked before the work.
    const copy = flattenBytes(units);
    if (copy) this.headroom(copy);
  }

  /**
   * Called before a read of `s`'s characters (an index, a method, a comparison, a key,
   * `print`): when `s` is long (`FLATTEN_CHECK_CHARS` or more) it may be a rope that the
   * read makes V8 copy flat, unseen by `alloc`, so the copy (2 bytes a character) must fit
   * the heap's headroom. The copy is native work no deadline interrupts: the clock is
   * read first, so a loop of such reads overruns by one copy at most, not by 1,024
   * operations of them. Short strings pay one length test.
   *
   * @throws LimitError `E-ragsh-memory-limit` when the process's heap is near its limit;
   *   `E-ragsh-timeout` when the cell's time is up.
   */
  readChars(s: string): void {
    const copy = flattenBytes(s.length);
    if (!copy || !this.limits) return;
    this.checkClock();
    this.headroom(copy);
  }

  /**
   * Checks that `bytes` more stay under `HEAP_HEADROOM_FRACTION` of the heap's limit
   * (`heap-headroom.ts`), before they are allocated. A probe's reading is reused, less
   * the bytes checked since, until that allowance is spent or `REPROBE_OPERATIONS`
   * operations have passed; then the heap is probed again (it may have been collected).
   *
   * @throws LimitError `E-ragsh-memory-limit` when the heap has no room for `bytes`.
   */
  headroom(bytes: number): void {
    const probe = this.limits?.heapProbe;
    if (!probe) return;
    if (bytes <= this.heapAllowance && this.ops - this.heapProbedAt < REPROBE_OPERATIONS) {
      this.heapAllowance -= bytes;
      return;
    }
    const reading = probe();
    this.heapProbedAt = this.ops;
    this.heapAllowance = headroomOf(reading);
    if (!(bytes <= this.heapAllowance)) {
      this.heapAllowance = 0;
      throw Object.assign(heapHeadroomError(bytes, reading), { span: this.callSpan });
    }
    this.heapAllowance -= bytes;
  }

  /** Stops the cell when its time is up or the host aborted it (called around built-ins, whose work is native). */
  checkClock(): void {
    if (this.signal?.aborted || performance.now() > this.deadline) throw Object.assign(this.timeoutError(), { span: this.callSpan });
  }

  /**
   * Charges `units` (≈ bytes) to the cell's memory budget, before the bytes are built.
   * A charge of zero or less is ignored (it never lowers what was charged: a negative
   * `padStart` length would otherwise turn the budget off for the rest of the cell); NaN
   * and Infinity are over any budget.
   *
   * @throws LimitError `E-ragsh-memory-limit` past `maxMemoryBytes`.
   */
  alloc(units: number): void {
    if (!this.limits) return;
    if (units <= 0) return;
    this.memory += Number.isFinite(units) ? units : Infinity;
    if (!(this.memory <= this.limits.maxMemoryBytes)) {
      throw new LimitError("E-ragsh-memory-limit", `the cell built more than ${this.limits.maxMemoryBytes} bytes of strings and lists`, undefined, { help: "work on smaller pieces (chunks) of the data, or raise the session's `maxMemoryBytes` policy" });
    }
  }

  // ─────────────────────────────── scopes ───────────────────────────────

  /** Function declarations are defined before the statements of their block run. */
  protected hoist(body: readonly A.Statement[], env: Env): void {
    for (const s of body) if (s.kind === "FunctionDecl") this.declare(env, s.name.name, new Closure(s.name.name, s.params, s.body, env), false);
  }

  declare(env: Env, name: string, value: Value, constant: boolean): void {
    const global = env === this.globals;
    env.vars.set(name, global ? { value, constant, global } : { value, constant });
    if (global) this.touched.add(name);
  }

  protected lookup(id: A.Identifier, env: Env): Value {
    const b = env.lookup(id.name);
    if (!b) throw new ScriptError("E-ragsh-unknown-name", `\`${id.name}\` is not defined`, id.span, { label: "unknown name" });
    return b.value;
  }

  protected assignName(id: A.Identifier, value: Value, env: Env): void {
    const b = env.lookup(id.name);
    if (!b) return this.declare(this.globals, id.name, value, false);
    if (b.constant) throw new ScriptError("E-ragsh-const-assignment", `\`${id.name}\` is a constant`, id.span, { label: "cannot assign to a `const`", help: `declare it with \`let ${id.name}\` to change it` });
    b.value = value;
    if (b.global && this.lastTouched !== b) {
      this.touched.add(id.name);
      this.lastTouched = b;
    }
  }

  // ─────────────────────────────── statements (synchronous path) ───────────────────────────────

  /** Runs a pure statement (errors without a span get the innermost generator-path statement's span, see Interpreter.exec). */
  protected execSync(s: A.Statement, env: Env): Completion {
    this.tick(s.span);
    switch (s.kind) {
      case "ExprStmt":
        this.evalSync(s.expression, env);
        return NORMAL;
      case "VarDecl":
        for (const d of s.declarations) bindPattern(this, d.target, d.init ? this.evalSync(d.init, env) : undefined, env, s.declKind === "const");
        return NORMAL;
      case "FunctionDecl":
      case "EmptyStmt":
        return NORMAL;
      case "IfStmt":
        if (truthy(this.evalSync(s.test, env))) return this.execSync(s.consequent, env);
        return s.alternate ? this.execSync(s.alternate, env) : NORMAL;
      case "WhileStmt":
        while (truthy(this.evalSync(s.test, env))) {
          const c = this.execSync(s.body, env);
          if (c === BREAK) break;
          if (c === RETURN) return c;
        }
        return NORMAL;
      case "ForOfStmt":
        let scope = new Env(env);
        const fresh = capturesLoop(s);
        for (const item of iterate(this, this.evalSync(s.iterable, env), s.mode, s.iterable.span)) {
          if (fresh) scope = new Env(env);
          const local = s.declKind !== undefined || s.mode === "rhai";
          bindPattern(this, s.target, item, local ? scope : env, s.declKind === "const", !local);
          const c = this.execSync(s.body, scope);
          if (c === BREAK) break;
          if (c === RETURN) return c;
        }
        return NORMAL;
      case "ForStmt": {
        let scope = new Env(env);
        const fresh = capturesLoop(s);
        if (s.init) this.execSync(s.init, scope);
        while (!s.test || truthy(this.evalSync(s.test, scope))) {
          const c = this.execSync(s.body, scope);
          if (c === BREAK) break;
          if (c === RETURN) return c;
          if (fresh) scope = copyScope(scope, env);
          if (s.update) this.evalSync(s.update, scope);
        }
        return NORMAL;
      }
      case "ReturnStmt":
        this.returnValue = s.argument ? this.evalSync(s.argument, env) : undefined;
        return RETURN;
      case "BreakStmt":
        return BREAK;
      case "ContinueStmt":
        return CONTINUE;
      case "BlockStmt": {
        const scope = needsScope(s) ? new Env(env) : env;
        if (scope !== env) this.hoist(s.body, scope);
        for (const x of s.body) {
          const c = this.execSync(x, scope);
          if (c !== NORMAL) return c;
        }
        return NORMAL;
      }
    }
  }

  protected takeReturn(): Value {
    const v = this.returnValue;
    this.returnValue = undefined;
    return v;
  }

  /** Runs a script function to completion synchronously (a closure reached from the fast path). */
  // ─────────────────────────────── expressions (synchronous path) ───────────────────────────────

  evalSync(e: A.Expression, env: Env): Value {
    this.tick(e.span);
    switch (e.kind) {
      case "Number":
      case "String":
      case "Boolean":
        return e.value;
      case "Null":
        return null;
      case "Identifier":
        return this.lookup(e, env);
      case "Template": {
        const parts: string[] = [];
        for (let i = 0; i < e.expressions.length; i++) parts.push(toStr(this.evalSync(e.expressions[i], env), this));
        return this.template(e.quasis, parts);
      }
      case "Array": {
        this.alloc(CONTAINER_BYTES);
        const out: Value[] = [];
        let plain = 0;
        for (const el of e.elements) {
          if (el.kind === "Spread") this.spreadList(out, this.evalSync(el.argument, env), el.span);
          else out.push(this.evalSync(el, env)), plain++;
        }
        this.alloc(plain * 8);
        return out;
      }
      case "Object": {
        this.alloc(CONTAINER_BYTES);
        const out = newRecord();
        for (const p of e.properties) {
          if (p.kind === "Spread") this.spreadInto(out, this.evalSync(p.argument, env), p.span);
          else this.putKey(out, p.computed ? toStr(this.evalSync(p.computed, env), this) : (p.key as string), this.evalSync(p.value, env), p.keySpan);
        }
        this.alloc(Object.keys(out).length * 16);
        return out;
      }
      case "Function":
        return new Closure(e.name ?? "", e.params, e.body, env);
      case "Unary":
        return this.unary(e.operator, this.evalSync(e.argument, env));
      case "Update": {
        const t = e.target;
        if (t.kind === "Identifier") {
          const old = toNum(this.lookup(t, env), this);
          const next = e.operator === "++" ? old + 1 : old - 1;
          this.assignName(t, next, env);
          return e.prefix ? next : old;
        }
        const obj = this.evalSync(t.object, env);
        const key = t.kind === "Member" ? t.property : toStr(this.evalSync(t.index, env), this);
        return updateValue(this, e, getMember(this, obj, key, t.span, false), (v) => setMember(obj, key, v, t.span, this));
      }
      case "Binary":
        return binaryOp(e.operator, this.evalSync(e.left, env), this.evalSync(e.right, env), e.span, this);
      case "Logical": {
        const l = this.evalSync(e.left, env);
        if (e.operator === "&&") return truthy(l) ? this.evalSync(e.right, env) : l;
        if (e.operator === "||") return truthy(l) ? l : this.evalSync(e.right, env);
        return l === null || l === undefined ? this.evalSync(e.right, env) : l;
      }
      case "Conditional":
        return truthy(this.evalSync(e.test, env)) ? this.evalSync(e.consequent, env) : this.evalSync(e.alternate, env);
      case "Assign": {
        const t = e.target;
        if (t.kind === "Identifier") {
          const v = e.operator === "=" ? this.evalSync(e.value, env) : binaryOp(e.operator[0] as "+", this.lookup(t, env), this.evalSync(e.value, env), e.span, this);
          this.assignName(t, v, env);
          return v;
        }
        const obj = this.evalSync(t.object, env);
        const key = t.kind === "Member" ? t.property : toStr(this.evalSync(t.index, env), this);
        const v = e.operator === "=" ? this.evalSync(e.value, env) : binaryOp(e.operator[0] as "+", getMember(this, obj, key, t.span, false), this.evalSync(e.value, env), e.span, this);
        setMember(obj, key, v, t.span, this);
        return v;
      }
      case "Member": {
        const obj = this.evalSync(e.object, env);
        if (obj === SHORT || (e.optional && (obj === null || obj === undefined))) return e.chainEnd ? undefined : SHORT;
        return getMember(this, obj, e.property, e.propertySpan, true);
      }
      case "Index": {
        const obj = this.evalSync(e.object, env);
        if (obj === SHORT || (e.optional && (obj === null || obj === undefined))) return e.chainEnd ? undefined : SHORT;
        return getMember(this, obj, indexKey(this.evalSync(e.index, env), this), e.index.span, false);
      }
      case "Call": {
        const v = this.callSyncExpr(e, env);
        return v === SHORT && e.chainEnd ? undefined : v;
      }
    }
  }

  protected callSyncExpr(e: A.CallExpr, env: Env): Value {
    const c = e.callee;
    const argsOf = () => {
      const out: Value[] = [];
      for (const a of e.arguments) {
        if (a.kind === "Spread") this.spreadList(out, this.evalSync(a.argument, env), a.span);
        else out.push(this.evalSync(a, env));
      }
      return out;
    };
    if (c.kind === "Member") {
      const self = this.evalSync(c.object, env);
      if (self === SHORT || (c.optional && (self === null || self === undefined))) return SHORT;
      const m = methodFor(self, c.property, this);
      if (m?.sync) return callMethodSync(m, self, argsOf(), this, e.span);
      const fn = getMember(this, self, c.property, c.propertySpan, true);
      if (e.optional && (fn === null || fn === undefined)) return SHORT;
      return this.callSync(fn, argsOf(), c.span);
    }
    const fn = this.evalSync(c, env);
    if (fn === SHORT || (e.optional && (fn === null || fn === undefined))) return SHORT;
    return this.callSync(fn, argsOf(), c.span);
  }

  // ─────────────────────────────── helpers ───────────────────────────────

  protected unary(op: A.UnaryExpr["operator"], v: Value): Value {
    switch (op) {
      case "!":
        return !truthy(v);
      case "-":
        return -toNum(v, this);
      case "+":
        return toNum(v, this);
      case "typeof":
        return typeOf(v);
      case "await":
        return v;
    }
  }

  protected putKey(out: Record<string, Value>, key: string, value: Value, span: Span): void {
    // A key is hashed and kept flat: a long one may be a rope copied here.
    this.readChars(key);
    if (isForbiddenKey(key)) throw new ScriptError("E-ragsh-forbidden-property", `\`${key}\` cannot be an object key in a session`, span, { label: "forbidden key" });
    out[key] = value;
  }

  /**
   * `[...v]` and `f(...v)`: the items are charged to the memory budget before they are
   * appended (one by one: no native spread of a long list onto the stack), so a literal
   * spreading one long list many times stops at the budget, not at the heap.
   */
  protected spreadList(out: Value[], v: Value, span: Span): void {
    const items = iterate(this, v, "of", span);
    this.alloc(items.length * 8);
    for (let i = 0; i < items.length; i++) out.push(items[i]);
  }

  /** `{...v}`: the keys copied are charged (work and memory) before they are copied. */
  protected spreadInto(out: Record<string, Value>, v: Value, span: Span): void {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) {
      this.work(v.length * KEY_WRITE_WORK);
      this.alloc(v.length * 16);
      v.forEach((x, i) => (out[String(i)] = x));
    } else if (typeof v === "object" && !(v instanceof ScriptFunction) && !("members" in v)) {
      const keys = recordKeys(this, v);
      this.work(keys.length * KEY_WRITE_WORK);
      this.alloc(keys.length * 16);
      for (const k of keys) out[k] = (v as Record<string, Value>)[k];
    } else throw new ScriptError("E-ragsh-type-error", `cannot spread ${typeOf(v)} into an object`, span);
  }

  /** A template literal's string from its literal parts and converted values: its size is charged before it is joined. */
  protected template(quasis: readonly string[], parts: readonly string[]): string {
    let n = quasis[0].length;
    for (let i = 0; i < parts.length; i++) n += parts[i].length + quasis[i + 1].length;
    this.alloc(n * 2);
    let s = quasis[0];
    for (let i = 0; i < parts.length; i++) s += parts[i] + quasis[i + 1];
    return s;
  }
}

/** An index value as a property key: integers stay numbers (list indexes), anything else becomes its string (charged to `charge`). */
export function indexKey(v: Value, charge: StringCharge): string | number {
  if (typeof v === "number") return v;
  const key = toStr(v, charge);
  // A long key is scanned (list index test) and hashed: charged as work.
  if (key.length > 256) charge.work?.(key.length);
  return key;
}

const scoped = new WeakMap<A.BlockStmt, boolean>();
/** A block needs its own scope only when it declares something directly. */
export function needsScope(b: A.BlockStmt): boolean {
  let v = scoped.get(b);
  if (v === undefined) scoped.set(b, (v = b.body.some((s) => s.kind === "VarDecl" || s.kind === "FunctionDecl")));
  return v;
}

const capturing = new WeakMap<A.Statement, boolean>();
/**
 * True when a loop's body creates functions: then each iteration gets its own copy of
 * the loop variables, so a closure keeps the value of its iteration (JavaScript's
 * per-iteration bindings). Loops without closures share one scope (no copies).
 */
export function capturesLoop(s: A.ForStmt | A.ForOfStmt): boolean {
  let v = capturing.get(s);
  if (v === undefined) {
    v = false;
    const stack: unknown[] = [s.body];
    while (stack.length && !v) {
      const x = stack.pop();
      if (Array.isArray(x)) stack.push(...x);
      else if (x && typeof x === "object") {
        const k = (x as { kind?: string }).kind;
        if (k === "Function" || k === "FunctionDecl") v = true;
        else for (const [key, val] of Object.entries(x)) if (key !== "span" && val && typeof val === "object") stack.push(val);
      }
    }
    capturing.set(s, v);
  }
  return v;
}

/** A fresh scope holding copies of `scope`'s bindings (the next iteration's). */
export function copyScope(scope: Env, parent: Env): Env {
  const next = new Env(parent);
  for (const [k, b] of scope.vars) next.vars.set(k, { ...b });
  return next;
}

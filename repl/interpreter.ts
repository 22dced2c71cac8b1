/**
 * The `.ragsh` tree-walking interpreter (`repl.md` §1, §3). Two evaluators share the
 * value semantics in `semantics.ts` (the synchronous one lives in evaluator.ts):
 *
 * - a synchronous one for pure nodes (see purity.ts), so loops over plain data run
 *   without a promise or generator per step;
 * - a generator one for everything that may suspend: a capability call `yield`s its
 *   promise, and `run` drives the generator, awaiting each promise itself — scripts
 *   read as straight-line code with no `await`.
 *
 * Every evaluated node costs one operation (`E-ragsh-operation-limit`); the clock and
 * the abort signal are checked every 1,024 operations (`E-ragsh-timeout`), and script
 * call depth is bounded (`E-ragsh-depth-limit`). Nothing here can reach the host:
 * property access goes through `getMember`/`setMember`, which know only script values.
 */
import type * as A from "../grammar/ragsh/ast.js";
import type { Span } from "../grammar/span.js";
import { asScriptError, LimitError, ScriptError } from "./errors.js";
import { BREAK, capturesLoop, CONTAINER_BYTES, copyScope, Evaluator, indexKey, needsScope, NORMAL, RETURN, SHORT, type ExecGen, type Gen, type RunLimits } from "./evaluator.js";
import { isPure } from "./purity.js";
import { binaryOp, bindPattern, getMember, iterate, methodFor, setMember, updateValue } from "./semantics.js";
import { Closure, describeType, Env, NativeFunction, newRecord, ScriptFunction, toStr, truthy, type Value } from "./values.js";

export type { RunLimits };

function syncCapabilityError(name: string, span: Span): ScriptError {
  return new ScriptError("E-ragsh-type-error", `a function called as a built-in method name cannot call a capability (\`${name}\` was not called)`, span, { help: "call it through a variable (`const f = obj.method; f(…)`), or rename the property" });
}

export class Interpreter extends Evaluator {
  /**
   * Runs a program in the global scope; resolves with the value of its last expression
   * statement. Rejects with a ScriptError (limits, type errors, failed capabilities).
   */
  async run(program: A.Program, limits: RunLimits, signal: AbortSignal): Promise<Value> {
    this.limits = limits;
    this.signal = signal;
    this.ops = 0;
    this.nextCheck = 1024;
    this.memory = 0;
    this.heapAllowance = 0;
    this.heapProbedAt = 0;
    this.depth = 0;
    this.touched.clear();
    this.lastTouched = undefined;
    this.deadline = performance.now() + limits.timeoutMs;
    const aborted = new Promise<never>((_, reject) => {
      const fire = () => reject(this.timeoutError());
      if (signal.aborted) fire();
      else signal.addEventListener("abort", fire, { once: true });
    });
    aborted.catch(() => {});
    const gen = this.programGen(program);
    let r = gen.next();
    while (!r.done) {
      let value: unknown;
      let error: unknown;
      let failed = false;
      try {
        value = await Promise.race([r.value, aborted]);
      } catch (e) {
        failed = true;
        error = e;
      }
      if (!failed && signal.aborted) (failed = true), (error = this.timeoutError());
      r = failed ? gen.throw(error) : gen.next(value);
    }
    return r.value;
  }

  protected timeoutError(): ScriptError {
    const reason: unknown = this.signal?.reason;
    if (reason instanceof ScriptError) return reason;
    return new LimitError("E-ragsh-timeout", `the cell ran longer than its ${this.limits.timeoutMs} ms limit`, undefined, { help: "do less per cell, or raise the session's `timeoutMs` policy" });
  }

  private *programGen(p: A.Program): Gen {
    let last: Value = undefined;
    this.hoist(p.body, this.globals);
    for (const s of p.body) {
      if (s.kind === "ExprStmt") last = yield* this.eval(s.expression, this.globals, s.span);
      else {
        const c = yield* this.exec(s, this.globals);
        if (c !== NORMAL) throw new ScriptError("E-ragsh-type-error", c === RETURN ? "`return` outside a function" : "`break` or `continue` outside a loop", s.span);
        if (s.kind !== "FunctionDecl" && s.kind !== "EmptyStmt") last = undefined;
      }
    }
    return last;
  }

  // ─────────────────────────────── statements (generator path) ───────────────────────────────

  private *exec(s: A.Statement, env: Env): ExecGen {
    if (isPure(s)) {
      try {
        return this.execSync(s, env);
      } catch (e) {
        if (e instanceof ScriptError && !e.span) e.span = s.span;
        throw e;
      }
    }
    this.tick(s.span);
    switch (s.kind) {
      case "ExprStmt":
        yield* this.eval(s.expression, env, s.span);
        return NORMAL;
      case "VarDecl":
        for (const d of s.declarations) bindPattern(this, d.target, d.init ? yield* this.eval(d.init, env, d.span) : undefined, env, s.declKind === "const");
        return NORMAL;
      case "IfStmt":
        if (truthy(yield* this.eval(s.test, env, s.span))) return yield* this.exec(s.consequent, env);
        return s.alternate ? yield* this.exec(s.alternate, env) : NORMAL;
      case "WhileStmt":
        while (truthy(yield* this.eval(s.test, env, s.span))) {
          const c = yield* this.exec(s.body, env);
          if (c === BREAK) break;
          if (c === RETURN) return c;
        }
        return NORMAL;
      case "ForOfStmt": {
        const items = iterate(this, yield* this.eval(s.iterable, env, s.span), s.mode, s.iterable.span);
        let scope = new Env(env);
        const fresh = capturesLoop(s);
        for (const item of items) {
          if (fresh) scope = new Env(env);
          const local = s.declKind !== undefined || s.mode === "rhai";
          bindPattern(this, s.target, item, local ? scope : env, s.declKind === "const", !local);
          const c = yield* this.exec(s.body, scope);
          if (c === BREAK) break;
          if (c === RETURN) return c;
        }
        return NORMAL;
      }
      case "ForStmt": {
        let scope = new Env(env);
        const fresh = capturesLoop(s);
        if (s.init) yield* this.exec(s.init, scope);
        while (!s.test || truthy(yield* this.eval(s.test, scope, s.span))) {
          const c = yield* this.exec(s.body, scope);
          if (c === BREAK) break;
          if (c === RETURN) return c;
          if (fresh) scope = copyScope(scope, env);
          if (s.update) yield* this.eval(s.update, scope, s.span);
        }
        return NORMAL;
      }
      case "ReturnStmt":
        this.returnValue = s.argument ? yield* this.eval(s.argument, env, s.span) : undefined;
        return RETURN;
      case "BlockStmt": {
        const scope = needsScope(s) ? new Env(env) : env;
        if (scope !== env) this.hoist(s.body, scope);
        for (const x of s.body) {
          const c = yield* this.exec(x, scope);
          if (c !== NORMAL) return c;
        }
        return NORMAL;
      }
      default:
        return this.execSync(s, env);
    }
  }

  // ─────────────────────────────── expressions (generator path) ───────────────────────────────

  /** Evaluates `e`; errors without a span get `fallback` (the enclosing statement). */
  *eval(e: A.Expression, env: Env, fallback?: Span): Gen {
    try {
      if (isPure(e)) return this.evalSync(e, env);
      return yield* this.evalGen(e, env);
    } catch (err) {
      throw asScriptError(err, fallback ?? e.span);
    }
  }

  private *evalGen(e: A.Expression, env: Env): Gen {
    this.tick(e.span);
    switch (e.kind) {
      case "Call": {
        const v = yield* this.call(e, env);
        return v === SHORT && e.chainEnd ? undefined : v;
      }
      case "Template": {
        const parts: string[] = [];
        for (let i = 0; i < e.expressions.length; i++) parts.push(toStr((isPure(e.expressions[i]) ? this.evalSync(e.expressions[i], env) : yield* this.evalGen(e.expressions[i], env)), this));
        return this.template(e.quasis, parts);
      }
      case "Array": {
        this.alloc(CONTAINER_BYTES);
        const out: Value[] = [];
        let plain = 0;
        for (const el of e.elements) {
          if (el.kind === "Spread") this.spreadList(out, (isPure(el.argument) ? this.evalSync(el.argument, env) : yield* this.evalGen(el.argument, env)), el.span);
          else out.push((isPure(el) ? this.evalSync(el, env) : yield* this.evalGen(el, env))), plain++;
        }
        this.alloc(plain * 8);
        return out;
      }
      case "Object": {
        this.alloc(CONTAINER_BYTES);
        const out = newRecord();
        for (const p of e.properties) {
          if (p.kind === "Spread") this.spreadInto(out, (isPure(p.argument) ? this.evalSync(p.argument, env) : yield* this.evalGen(p.argument, env)), p.span);
          else this.putKey(out, p.computed ? toStr((isPure(p.computed) ? this.evalSync(p.computed, env) : yield* this.evalGen(p.computed, env)), this) : (p.key as string), (isPure(p.value) ? this.evalSync(p.value, env) : yield* this.evalGen(p.value, env)), p.keySpan);
        }
        this.alloc(Object.keys(out).length * 16);
        return out;
      }
      case "Unary": {
        const v = (isPure(e.argument) ? this.evalSync(e.argument, env) : yield* this.evalGen(e.argument, env));
        return this.unary(e.operator, v);
      }
      case "Update": {
        const t = e.target;
        if (t.kind === "Identifier") return updateValue(this, e, this.lookup(t, env), (v) => this.assignName(t, v, env));
        const obj = (isPure(t.object) ? this.evalSync(t.object, env) : yield* this.evalGen(t.object, env));
        const key = t.kind === "Member" ? t.property : toStr((isPure(t.index) ? this.evalSync(t.index, env) : yield* this.evalGen(t.index, env)), this);
        return updateValue(this, e, getMember(this, obj, key, t.span, false), (v) => setMember(obj, key, v, t.span, this));
      }
      case "Binary":
        return binaryOp(e.operator, (isPure(e.left) ? this.evalSync(e.left, env) : yield* this.evalGen(e.left, env)), (isPure(e.right) ? this.evalSync(e.right, env) : yield* this.evalGen(e.right, env)), e.span, this);
      case "Logical": {
        const l = (isPure(e.left) ? this.evalSync(e.left, env) : yield* this.evalGen(e.left, env));
        if (e.operator === "&&") return truthy(l) ? (isPure(e.right) ? this.evalSync(e.right, env) : yield* this.evalGen(e.right, env)) : l;
        if (e.operator === "||") return truthy(l) ? l : (isPure(e.right) ? this.evalSync(e.right, env) : yield* this.evalGen(e.right, env));
        return l === null || l === undefined ? (isPure(e.right) ? this.evalSync(e.right, env) : yield* this.evalGen(e.right, env)) : l;
      }
      case "Conditional":
        return truthy((isPure(e.test) ? this.evalSync(e.test, env) : yield* this.evalGen(e.test, env))) ? (isPure(e.consequent) ? this.evalSync(e.consequent, env) : yield* this.evalGen(e.consequent, env)) : (isPure(e.alternate) ? this.evalSync(e.alternate, env) : yield* this.evalGen(e.alternate, env));
      case "Assign": {
        const t = e.target;
        if (t.kind === "Identifier") {
          const v = e.operator === "=" ? (isPure(e.value) ? this.evalSync(e.value, env) : yield* this.evalGen(e.value, env)) : binaryOp(e.operator[0] as "+", this.lookup(t, env), (isPure(e.value) ? this.evalSync(e.value, env) : yield* this.evalGen(e.value, env)), e.span, this);
          this.assignName(t, v, env);
          return v;
        }
        const obj = (isPure(t.object) ? this.evalSync(t.object, env) : yield* this.evalGen(t.object, env));
        const key = t.kind === "Member" ? t.property : toStr((isPure(t.index) ? this.evalSync(t.index, env) : yield* this.evalGen(t.index, env)), this);
        const v = e.operator === "=" ? (isPure(e.value) ? this.evalSync(e.value, env) : yield* this.evalGen(e.value, env)) : binaryOp(e.operator[0] as "+", getMember(this, obj, key, t.span, false), (isPure(e.value) ? this.evalSync(e.value, env) : yield* this.evalGen(e.value, env)), e.span, this);
        setMember(obj, key, v, t.span, this);
        return v;
      }
      case "Member": {
        const obj = isPure(e.object) ? this.evalSync(e.object, env) : yield* this.evalGen(e.object, env);
        if (obj === SHORT || (e.optional && (obj === null || obj === undefined))) return e.chainEnd ? undefined : SHORT;
        return getMember(this, obj, e.property, e.propertySpan, true);
      }
      case "Index": {
        const obj = isPure(e.object) ? this.evalSync(e.object, env) : yield* this.evalGen(e.object, env);
        if (obj === SHORT || (e.optional && (obj === null || obj === undefined))) return e.chainEnd ? undefined : SHORT;
        return getMember(this, obj, indexKey(isPure(e.index) ? this.evalSync(e.index, env) : yield* this.evalGen(e.index, env), this), e.index.span, false);
      }
      default:
        return this.evalSync(e, env);
    }
  }

  /** A call: methods are looked up on their receiver without building a bound function. */
  private *call(e: A.CallExpr, env: Env): Gen {
    let self: Value = undefined;
    let fn: Value;
    const c = e.callee;
    if (c.kind === "Member" || c.kind === "Index") {
      self = isPure(c.object) ? this.evalSync(c.object, env) : yield* this.evalGen(c.object, env);
      if (self === SHORT || (c.optional && (self === null || self === undefined))) return SHORT;
      const key = c.kind === "Member" ? c.property : indexKey((isPure(c.index) ? this.evalSync(c.index, env) : yield* this.evalGen(c.index, env)), this);
      const m = methodFor(self, key, this);
      if (m) {
        const args = yield* this.args(e.arguments, env);
        if (m.gen) return yield* m.gen(self as never, args, this, (f, a) => this.callValue(f, a, e.span));
        return m.sync!(self as never, args, this);
      }
      fn = getMember(this, self, key, c.kind === "Member" ? c.propertySpan : c.span, true);
    } else fn = isPure(c) ? this.evalSync(c, env) : yield* this.evalGen(c, env);
    if (fn === SHORT || (e.optional && (fn === null || fn === undefined))) return SHORT;
    const args = yield* this.args(e.arguments, env);
    return yield* this.callFunction(fn, args, c.span);
  }

  private *args(xs: readonly (A.Expression | A.Spread)[], env: Env): Generator<Promise<unknown>, Value[], unknown> {
    const out: Value[] = [];
    for (const a of xs) {
      if (a.kind === "Spread") this.spreadList(out, (isPure(a.argument) ? this.evalSync(a.argument, env) : yield* this.evalGen(a.argument, env)), a.span);
      else out.push((isPure(a) ? this.evalSync(a, env) : yield* this.evalGen(a, env)));
    }
    return out;
  }

  /** Calls a script or native function with `args` (used by callbacks of `map` etc. too). */
  *callFunction(fn: Value, args: Value[], span: Span): Gen {
    if (fn instanceof NativeFunction) {
      this.callSpan = span;
      // A capability reached from the synchronous path (a closure stored under a built-in
      // method name, `o.trim()`) would be started and then abandoned: refuse it before it runs.
      if (fn.suspends && this.syncCalls > 0) throw syncCapabilityError(fn.name, span);
      try {
        if (fn.gen) return yield* fn.gen(args, fn.self, (f, a) => this.callValue(f, a, span));
        const r = fn.impl!(args, fn.self);
        return r instanceof Promise ? ((yield r) as Value) : r;
      } catch (err) {
        throw asScriptError(err, span);
      }
    }
    if (!(fn instanceof Closure)) throw new ScriptError("E-ragsh-type-error", `${describeType(fn)} is not a function`, span, { label: "not callable" });
    if (++this.depth > this.limits.maxCallDepth) {
      this.depth = 0;
      throw new LimitError("E-ragsh-depth-limit", `function calls nested deeper than ${this.limits.maxCallDepth} levels`, span, { help: "use a loop instead of deep recursion, or raise the session's `maxCallDepth` policy" });
    }
    try {
      const scope = new Env(fn.env);
      fn.params.forEach((p, i) => bindPattern(this, p, args[i], scope, false));
      if (fn.body.kind !== "BlockStmt") return yield* this.eval(fn.body, scope);
      this.hoist(fn.body.body, scope);
      for (const s of fn.body.body) {
        const c = yield* this.exec(s, scope);
        if (c === RETURN) return this.takeReturn();
        if (c !== NORMAL) throw new ScriptError("E-ragsh-type-error", "`break` or `continue` outside a loop", s.span);
      }
      return undefined;
    } finally {
      this.depth--;
    }
  }

  /**
   * A call from a native (a `map` callback …): completes synchronously when it cannot
   * suspend — a closure whose body is pure, or a synchronous native — else returns the
   * generator to delegate to (see `CallBack`).
   */
  callValue(fn: Value, args: Value[], span: Span): Value | Gen {
    if (fn instanceof Closure && isPure(fn.body as A.Expression)) {
      if (++this.depth > this.limits.maxCallDepth) {
        this.depth = 0;
        throw new LimitError("E-ragsh-depth-limit", `function calls nested deeper than ${this.limits.maxCallDepth} levels`, span, { help: "use a loop instead of deep recursion, or raise the session's `maxCallDepth` policy" });
      }
      try {
        const scope = new Env(fn.env);
        for (let i = 0; i < fn.params.length; i++) bindPattern(this, fn.params[i], args[i], scope, false);
        if (fn.body.kind !== "BlockStmt") return this.evalSync(fn.body, scope);
        this.hoist(fn.body.body, scope);
        for (const s of fn.body.body) {
          const c = this.execSync(s, scope);
          if (c === RETURN) return this.takeReturn();
          if (c !== NORMAL) throw new ScriptError("E-ragsh-type-error", "`break` or `continue` outside a loop", s.span);
        }
        return undefined;
      } catch (err) {
        throw asScriptError(err, span);
      } finally {
        this.depth--;
      }
    }
    return this.callFunction(fn, args, span);
  }

  /** Synchronous calls in progress: capabilities (which suspend) are refused under one. */
  private syncCalls = 0;

  callSync(fn: Value, args: Value[], span: Span): Value {
    this.syncCalls++;
    try {
      const gen = this.callFunction(fn, args, span);
      const r = gen.next();
      if (r.done) return r.value;
      // Unreachable for capabilities (refused in callFunction); kept as a guard.
      r.value.catch(() => {});
      throw syncCapabilityError(fn instanceof ScriptFunction ? fn.name : "function", span);
    } finally {
      this.syncCalls--;
    }
  }

}

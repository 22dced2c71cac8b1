/**
 * What a `.ragsh` session holds between cells. A cell is bounded by its own memory budget
 * (`maxMemoryBytes`), but its variables outlive it: without a bound on what the session
 * keeps, cell after cell (or a CodeAct reply of many blocks) each keeping 60 MB ran the host
 * out of heap and aborted the process (exit 134). After every cell the session measures
 * what its variables reach and holds it to `maxSessionMemoryBytes` (`session.ts`).
 *
 * The measure is an estimate in the units of the per-cell budget (2 bytes per character, 8
 * per list slot) plus a fixed overhead per list, record, binding and function, so a
 * structure of many empty lists is not free. Lists, records, closures and scopes are
 * counted once however often they are referenced (cycles included); a string is counted at
 * each place that holds it (a string value has no identity to compare), which can only
 * over-count. The walk uses an explicit stack and stops as soon as the count passes the
 * limit, so its work is bounded by the limit, not by the value.
 */
import { Closure, Env, Namespace, NativeFunction, ScriptFunction, type Value } from "./values.js";

/** Overhead counted per list, record, closure or scope, bytes. */
const OBJECT_BYTES = 32;
/** Counted per binding or record entry, besides its key's characters and its value. */
const ENTRY_BYTES = 16;
/** Counted per list slot, and for a number, boolean, null or undefined held in a binding or entry. */
const SLOT_BYTES = 8;

/**
 * Bytes the bindings of `root` reach (see the module comment), not counting `stopAt` and
 * its parents (the session's built-ins: their inputs are bounded when they are made).
 * Returns as soon as the count passes `limit` (the result is then over `limit`, not exact).
 */
export function retainedBytes(root: Env, stopAt: Env | undefined, limit: number): number {
  let total = 0;
  const seen = new Set<object>();
  const envs: Env[] = [root];
  const values: Value[] = [];
  const object = (o: object): boolean => {
    if (seen.has(o)) return false;
    seen.add(o);
    total += OBJECT_BYTES;
    return true;
  };
  while (envs.length || values.length) {
    if (total > limit) return total;
    const env = envs.pop();
    if (env) {
      if (env === stopAt || !object(env)) continue;
      for (const [name, b] of env.vars) {
        total += ENTRY_BYTES + name.length * 2;
        values.push(b.value);
      }
      if (env.parent) envs.push(env.parent);
      continue;
    }
    const v = values.pop();
    if (typeof v === "string") total += v.length * 2;
    else if (typeof v !== "object" || v === null) total += SLOT_BYTES;
    else if (v instanceof Namespace) continue;
    else if (v instanceof Closure) {
      if (object(v)) envs.push(v.env);
    } else if (v instanceof NativeFunction) {
      if (object(v) && v.self !== undefined) values.push(v.self);
    } else if (Array.isArray(v)) {
      if (!object(v)) continue;
      total += v.length * SLOT_BYTES;
      // Strings and scalars are counted in place; only lists, records and functions go on the stack.
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (typeof x === "object" && x !== null) values.push(x);
        else if (typeof x === "string") total += x.length * 2;
        if (total > limit) return total;
      }
    } else if (v instanceof ScriptFunction) object(v);
    else {
      if (!object(v)) continue;
      for (const k in v) {
        total += ENTRY_BYTES + k.length * 2;
        values.push(v[k]);
        if (total > limit) return total;
      }
    }
  }
  return total;
}

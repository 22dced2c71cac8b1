/**
 * Helpers of `Session` over its variables (split out of `session.ts`): completing a
 * variable's property names along a path (for `name.<Tab>`), and holding the variables a
 * session keeps between cells to its `maxSessionMemoryBytes` policy.
 */
import { diagnostic, type Diagnostic } from "../grammar/diagnostic.js";
import { methodNames } from "./methods.js";
import { retainedBytes } from "./retained.js";
import { isRecord, Namespace, type Env, type Value } from "./values.js";

/**
 * The property names of `value` after following `path` (record keys, or the methods of a
 * list or string; a namespace's members), for completion. Only own keys and list indexes
 * are followed — no code runs, nothing is inherited — at most 16 steps; a step that leads
 * nowhere gives no names.
 */
export function propertyNamesAt(value: Value, path: readonly (string | number)[]): string[] {
  let v = value;
  if (path.length > 16) return [];
  for (const step of path) {
    if (typeof step === "number" && Array.isArray(v) && step < v.length) v = v[step] as Value;
    else if (typeof step === "string" && isRecord(v) && Object.hasOwn(v, step)) v = (v as Record<string, Value>)[step]!;
    else if (typeof step === "string" && v instanceof Namespace && v.members.has(step)) v = v.members.get(step) as Value;
    else return [];
  }
  if (v instanceof Namespace) return [...v.members.keys()];
  const keys = isRecord(v) ? Object.keys(v) : Array.isArray(v) || typeof v === "string" ? ["length"] : [];
  return [...new Set([...keys, ...methodNames(v)])];
}

/**
 * Holds a session's variables (`globals`, over `builtins`) to `limit` bytes
 * (`maxSessionMemoryBytes`) after a cell: when they reach more, the cell's assignments
 * (`touched`; `before`: their values before it) are undone — its new variables removed,
 * reassigned ones restored — and when that is not enough (a list grown in place) every
 * variable is cleared with `reset`. Returns the `E-ragsh-memory-limit` diagnostic (of
 * `file` at `span`) saying which, or undefined when within the limit.
 */
export function boundRetained(
  globals: Env,
  builtins: Env,
  limit: number,
  reset: () => void,
  touched: Iterable<string>,
  before: ReadonlyMap<string, Value>,
  file: string,
  span: Diagnostic["span"],
): Diagnostic | undefined {
  if (retainedBytes(globals, builtins, limit) <= limit) return undefined;
  const undone: string[] = [];
  for (const k of touched) {
    const b = globals.vars.get(k);
    if (!b) continue;
    if (!before.has(k)) globals.vars.delete(k);
    else if (b.value !== before.get(k)) b.value = before.get(k);
    else continue;
    undone.push(k);
  }
  const cleared = retainedBytes(globals, builtins, limit) > limit;
  if (cleared) reset();
  const what = cleared ? "every variable was cleared (values changed in place cannot be undone)" : `the cell's assignments were undone (${undone.map((k) => `\`${k}\``).join(", ")})`;
  return diagnostic("E-ragsh-memory-limit", `after this cell the session would keep more than ${limit} bytes of variables (\`maxSessionMemoryBytes\`); ${what}`, span, {
    file,
    help: "keep less between cells — a summary or a slice, or set variables you no longer need to `null` — or raise the session's `maxSessionMemoryBytes` policy",
  });
}

/**
 * A write that replaces a field's value instead of going through its reducer (LangGraph's
 * `Overwrite`, wire form `{ __overwrite__: value }`). Node kinds return it as a write's
 * value (`writes: [["items", overwrite([])]]`); `updateState` takes it as a field's value.
 */

/** The key of the wire form, `{ __overwrite__: value }` (LangGraph's `OVERWRITE`). */
export const OVERWRITE = "__overwrite__";

/** A write value that replaces the field's value, bypassing its reducer. */
export interface OverwriteValue<T = unknown> {
  readonly [OVERWRITE]: T;
}

/**
 * Wraps `value` so that writing it replaces the field instead of reducing into it (an
 * `append` list, a `sum`, `messages` …). At most one overwrite per field per superstep;
 * other writes to that field in the same step are discarded.
 */
export function overwrite<T>(value: T): OverwriteValue<T> {
  const o = Object.create(null) as { [OVERWRITE]: T; [MADE]?: true };
  o[OVERWRITE] = value;
  o[MADE] = true;
  return o;
}

/**
 * Marks a value `overwrite()` made. A symbol key: no JSON text (a tool's fetched body, a
 * model's arguments) can carry it, so code can tell an overwrite a program asked for from
 * data shaped like one (`isMadeOverwrite`). `Symbol.for`, so that two copies of this module
 * (a config bundled apart from the CLI) agree.
 */
const MADE: unique symbol = Symbol.for("ragraph.overwrite") as never;

/** True when `value` was made by `overwrite()` (not merely shaped like an overwrite). */
export function isMadeOverwrite(value: unknown): boolean {
  return typeof value === "object" && value !== null && Object.hasOwn(value, MADE);
}

/**
 * The replacing value when `value` is an overwrite (`{ __overwrite__: v }`, or LangGraph's
 * serialised `{ type: "__overwrite__", value: v }`), as `[true, v]`; `[false]` otherwise.
 * Own keys only: a key on a prototype is not an overwrite.
 */
export function overwriteOf(value: unknown): [true, unknown] | [false] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [false];
  if (Object.hasOwn(value, OVERWRITE)) return [true, (value as Record<string, unknown>)[OVERWRITE]];
  const r = value as Record<string, unknown>;
  if (Object.hasOwn(r, "type") && r.type === OVERWRITE && Object.hasOwn(r, "value")) return [true, r.value];
  return [false];
}

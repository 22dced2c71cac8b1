/**
 * Static values → JSON: literals, words, lists and blocks (`defaults`, `retry`,
 * `metadata`, `cache`). Durations become milliseconds (numbers).
 */
import type * as A from "../../grammar/rag/ast.js";
import type { Json } from "../blueprint.js";

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a duration written as text (`"30s"`, `"250ms"`, `"30"` = seconds), or undefined. */
export function parseDurationText(text: string): number | undefined {
  const m = /^\s*(\d+)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2] ?? "s"];
}

/**
 * Milliseconds of a duration value: a duration literal, a string such as `"30s"`, or a
 * bare number of seconds (`language.md` §1).
 */
export function durationMs(v: A.Value | A.TimeoutItem["value"]): number | undefined {
  if (v.kind === "Duration") return v.ms;
  if (v.kind === "Number") return v.value * 1000;
  if (v.kind === "String") return parseDurationText(v.value);
  return undefined;
}

/** Keys whose bare numbers are seconds and whose values are stored in ms. */
const DURATION_KEYS = new Set(["timeout", "initial", "max", "ttl", "max_delay", "initial_delay"]);

export function valueToJson(v: A.Value, key?: string): Json {
  switch (v.kind) {
    case "String":
      return key && DURATION_KEYS.has(key) ? (parseDurationText(v.value) ?? v.value) : v.value;
    case "Number":
      return key && DURATION_KEYS.has(key) ? v.value * 1000 : v.value;
    case "Boolean":
      return v.value;
    case "Null":
      return null;
    case "Duration":
      return v.ms;
    case "Word":
      return v.arg ? Object.fromEntries([[v.name, valueToJson(v.arg)]]) : v.name;
    case "List":
      return v.items.map((i) => valueToJson(i));
    case "Block":
      return blockToJson(v);
  }
}

/**
 * A block as a JSON object. Keys are defined as own data properties, never assigned: a
 * key such as `__proto__` (rejected with `E-rag-reserved-name` anyway) stays data in the
 * object and in the blueprint hash, and cannot set the object's prototype.
 */
export function blockToJson(b: A.Block): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const e of b.entries) defineOwn(out, e.key.name, valueToJson(e.value, e.key.name));
  return out;
}

/** `o[key] = value` as an own, enumerable data property (safe for any key, `__proto__` included). */
export function defineOwn<T>(o: { [key: string]: T }, key: string, value: T): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

const NO_STRINGS: readonly string[] = Object.freeze([]);

/** Strings and bare words of a list, in order (a shared empty list when there is no list). */
export function listStrings(l: A.ListValue | undefined): readonly string[] {
  // no list: one shared empty list (lowerNode asks for nine lists per node, most absent)
  if (!l) return NO_STRINGS;
  const out: string[] = [];
  for (const v of l.items) {
    if (v.kind === "String") out.push(v.value);
    else if (v.kind === "Word" && v.name) out.push(v.name);
  }
  return out;
}

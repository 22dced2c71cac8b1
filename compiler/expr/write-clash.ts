/**
 * Whether a write of a known type is certain to fail the runtime's check of a state
 * field (`language.md` §2.2, §4.1; runtime/schema.ts and runtime/channels/): shared by
 * the expression rule (`set`, `writes`, `command update`, `writes FIELD`) and the
 * default rule (`state { n: number = … }`). Unknown (`any`) and null values are never
 * reported, so only certain failures are.
 */
import type { FieldType } from "./scope.js";
import { describe, type ExprType } from "./types.js";

/** The runtime's kind of a value: a scalar's own, `list`, `object` (map or record), or undefined when unknown. */
type Kind = "string" | "number" | "boolean" | "list" | "object";

function kindOf(t: ExprType): Kind | undefined {
  switch (t.t) {
    case "string":
    case "number":
    case "boolean":
    case "list":
      return t.t;
    case "map":
    case "record":
      return "object";
    default:
      return undefined;
  }
}

/** `describe`, but a string literal is shown as itself: `"done"`. */
export function shown(v: ExprType): string {
  return v.t === "string" && v.values?.length === 1 ? JSON.stringify(v.values[0]) : describe(v);
}

function scalar(t: ExprType): boolean {
  return t.t === "string" || t.t === "number" || t.t === "boolean";
}

/**
 * Why a value of type `v` written whole into a field of type `t` is certain to fail:
 * its kind differs (a string into a number, a record into a string, a scalar into a
 * map…), or it is a string none of whose known values is one of the field's
 * (`"a" | "b"`), or undefined. The reason reads `holds a number, but VERB "x"`.
 */
export function valueClash(t: ExprType, v: ExprType, verb = "this writes"): string | undefined {
  const kt = kindOf(t);
  const kv = kindOf(v);
  if (!kt || !kv) return undefined;
  if (kt !== kv) return `holds ${describe(t)}, but ${verb} ${shown(v)}`;
  if (t.t === "string" && v.t === "string" && t.values && v.values && !v.values.some((x) => t.values!.includes(x))) {
    return `holds ${describe(t)}, but ${verb} ${shown(v)}`;
  }
  return undefined;
}

/**
 * Why a write of type `v` into field `f` is certain to fail at run time, or undefined. An
 * `overwrite` field must get a value of its type's kind; `sum`/`min`/`max` fold numbers
 * (any field, typed or not: runtime/channels/numeric.ts); `append`/`union` add an item of
 * the list's item type or a list of them; `merge` merges objects. Unknown (`any`) and null
 * writes are never reported.
 */
export function writeClash(f: FieldType, v: ExprType): string | undefined {
  const t = f.type;
  if (v.t === "any" || v.t === "null") return undefined;
  if (f.overwrite) return valueClash(t, v);
  switch (f.reducer) {
    case "sum":
    case "min":
    case "max":
      return v.t === "number" ? undefined : `folds numbers (\`${f.reducer}\`), but this writes ${describe(v)}`;
    case "append":
    case "union": {
      if (t.t !== "list") return undefined;
      const want = kindOf(t.items);
      // A list of lists: a written list may be one item or several; either way unknown here.
      if (!want || want === "list") return undefined;
      const item = v.t === "list" ? v.items : v;
      const got = kindOf(item);
      if (!got || got === want) return undefined;
      const what = want === "object" ? "objects" : `${want}s`;
      const adds = want === "object" ? "an object" : `a ${want}`;
      return `is a list of ${what} (\`${f.reducer}\` adds ${adds} or a list of them), but this writes ${v.t === "list" ? `a list of ${got === "object" ? "objects" : `${got}s`}` : describe(v)}`;
    }
    case "merge":
      return scalar(v) || v.t === "list" ? `merges objects (\`merge\`), but this writes ${describe(v)}` : undefined;
    default:
      return undefined;
  }
}

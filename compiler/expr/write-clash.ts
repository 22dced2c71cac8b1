/**
 * Whether a write of a known type is certain to fail the runtime's check of a state
 * field (`language.md` §2.2, §4.1; runtime/schema.ts and runtime/channels/): shared by
 * the expression rule (`set`, `writes`, `command update`, `writes FIELD`), the
 * default rule (`state { n: number = … }`) and, for kinds and enums, the shape check of
 * call arguments (`rules/shape-check.ts`). Unknown (`any`) and null values are never
 * reported, so only certain failures are.
 */
import type { FieldType } from "./scope.js";
import { describe, isScalar, valueKind, type ExprType } from "./types.js";

/** `describe`, but a string literal is shown as itself: `"done"`. */
export function shown(v: ExprType): string {
  return v.t === "string" && v.values?.length === 1 ? JSON.stringify(v.values[0]) : describe(v);
}

/** Whether `v` is a string whose known values (a literal's, an enum's) are all outside string type `t`'s enum. */
export function outsideEnum(t: ExprType, v: ExprType): boolean {
  return t.t === "string" && v.t === "string" && t.values !== undefined && v.values !== undefined && !v.values.some((x) => t.values!.includes(x));
}

/**
 * Why a value of type `v` written whole into a field of type `t` is certain to fail:
 * its kind differs (a string into a number, a record into a string, a scalar into a
 * map…), or it is a string none of whose known values is one of the field's
 * (`"a" | "b"`), or undefined. The reason reads `HOLDS a number, but VERB "x"`.
 */
export function valueClash(t: ExprType, v: ExprType, verb = "this writes", holds = "holds"): string | undefined {
  const kt = valueKind(t);
  const kv = valueKind(v);
  if (!kt || !kv) return undefined;
  return kt !== kv || outsideEnum(t, v) ? `${holds} ${describe(t)}, but ${verb} ${shown(v)}` : undefined;
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
  if (f.reducer === "overwrite") return valueClash(t, v);
  switch (f.reducer) {
    case "sum":
    case "min":
    case "max":
      return v.t === "number" ? undefined : `folds numbers (\`${f.reducer}\`), but this writes ${describe(v)}`;
    case "append":
    case "union": {
      if (t.t !== "list") return undefined;
      const want = valueKind(t.items);
      // A list of lists: a written list may be one item or several; either way unknown here.
      if (!want || want === "list") return undefined;
      const item = v.t === "list" ? v.items : v;
      const got = valueKind(item);
      if (!got || got === want) return undefined;
      const what = want === "object" ? "objects" : `${want}s`;
      const adds = want === "object" ? "an object" : `a ${want}`;
      return `is a list of ${what} (\`${f.reducer}\` adds ${adds} or a list of them), but this writes ${v.t === "list" ? `a list of ${got === "object" ? "objects" : `${got}s`}` : describe(v)}`;
    }
    case "merge":
      return isScalar(v) || v.t === "list" ? `merges objects (\`merge\`), but this writes ${describe(v)}` : undefined;
    default:
      return undefined;
  }
}

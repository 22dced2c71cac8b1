/**
 * The built-in functions of the expression language (`language.md` §3): one table for
 * the compiler's checks (names, arity, argument and result types) and the runtime's
 * evaluator (`runtime/expr.ts` imports `FUNCTION_ARITY` from here, so the two cannot
 * drift apart).
 */

/** What an argument must be: `text` = string, `seq` = string or list, `coll` = string, list or map. */
export type ParamKind = "any" | "string" | "number" | "list" | "numbers" | "map" | "seq" | "coll";
/** What a call returns; `arg0` = the type of its first argument (`default`). */
export type ReturnKind = "any" | "string" | "number" | "boolean" | "list<string>" | "list<any>" | "arg0";

export interface FunctionSignature {
  /** `[min, max]` number of arguments; `max` may be Infinity. */
  readonly arity: readonly [number, number];
  /** Kind of each parameter; the last one repeats for variadic functions. */
  readonly params: readonly ParamKind[];
  readonly returns: ReturnKind;
  /** One line for docs and hovers. */
  readonly doc: string;
}

export const FUNCTIONS: Readonly<Record<string, FunctionSignature>> = {
  len: { arity: [1, 1], params: ["coll"], returns: "number", doc: "length of a string, list or map (0 for null)" },
  lower: { arity: [1, 1], params: ["string"], returns: "string", doc: "lower-case a string" },
  upper: { arity: [1, 1], params: ["string"], returns: "string", doc: "upper-case a string" },
  trim: { arity: [1, 1], params: ["string"], returns: "string", doc: "strip leading and trailing white space" },
  contains: { arity: [2, 2], params: ["coll", "any"], returns: "boolean", doc: "substring, list element or map key test" },
  starts_with: { arity: [2, 2], params: ["string", "string"], returns: "boolean", doc: "prefix test" },
  ends_with: { arity: [2, 2], params: ["string", "string"], returns: "boolean", doc: "suffix test" },
  split: { arity: [2, 2], params: ["string", "string"], returns: "list<string>", doc: "split a string on a separator" },
  join: { arity: [2, 2], params: ["list", "string"], returns: "string", doc: "join list items with a separator" },
  keys: { arity: [1, 1], params: ["map"], returns: "list<string>", doc: "keys of a map" },
  values: { arity: [1, 1], params: ["map"], returns: "list<any>", doc: "values of a map" },
  default: { arity: [2, 2], params: ["any", "any"], returns: "arg0", doc: "the first argument, or the second when the first is null" },
  min: { arity: [1, Infinity], params: ["numbers"], returns: "number", doc: "smallest of numbers (or of one list of numbers)" },
  max: { arity: [1, Infinity], params: ["numbers"], returns: "number", doc: "largest of numbers (or of one list of numbers)" },
  sum: { arity: [1, 1], params: ["list"], returns: "number", doc: "sum of a list of numbers" },
  round: { arity: [1, 2], params: ["number", "number"], returns: "number", doc: "round to a number of decimals (default 0)" },
  json: { arity: [1, 1], params: ["any"], returns: "string", doc: "JSON text of a value" },
  count: { arity: [1, 1], params: ["list"], returns: "number", doc: "how many items of a list are truthy: `count(x.ok for x in state.items)`" },
  any: { arity: [1, 1], params: ["list"], returns: "boolean", doc: "whether some item of a list is truthy (false for an empty list)" },
  all: { arity: [1, 1], params: ["list"], returns: "boolean", doc: "whether every item of a list is truthy (true for an empty list)" },
};

/** The arity of every built-in function, `[min, max]` (for the runtime's checks). */
export const FUNCTION_ARITY: Readonly<Record<string, readonly [number, number]>> = Object.fromEntries(Object.entries(FUNCTIONS).map(([k, v]) => [k, v.arity]));

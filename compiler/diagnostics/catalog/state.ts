/** State, types and item values (`language.md` §2.2). */
import type { CatalogEntry } from "./entry.js";

export const STATE: readonly CatalogEntry[] = [
  { code: "E-rag-unknown-type", title: "unknown type", meaning: "A type is neither built in nor a schema of the file.", example: "graph g { start a state { x: strng } node a {} }" },
  { code: "E-rag-invalid-type", title: "invalid type", meaning: "`list` and `map` take exactly one type argument; other types take none.", example: "graph g { start a state { x: list } node a {} }" },
  { code: "E-rag-unknown-field", title: "unknown field", meaning: "A write (`writes`, `set`, a send's `-> channel`) or a read (`state.x`, `input.x`, or a field of a known record) names no field. A fix applies when one name is close.", example: "graph g { start a channel results append node a { writes resluts } }" },
  { code: "E-rag-invalid-policy", title: "invalid policy", meaning: "A `checkpoint` or `interrupt` policy word is unknown.", example: "graph g { start a checkpoint sometimes node a {} }" },
  { code: "E-rag-invalid-value", title: "invalid value", meaning: "An item's value is out of range (e.g. `max_steps 0`).", example: "graph g { start a node a { max_steps 0 } }" },
  { code: "E-rag-internal", title: "internal error", meaning: "A validation rule crashed. This is a bug in ragraph; the other rules still ran.", example: "" },
  { code: "E-rag-invalid-type-constraint", title: "invalid range or pattern", meaning: "A range (`number(0..1)`, `integer(1..)`, `number(..100)`: inclusive, at least one bound) constrains `number` or `integer` only, a pattern (`string(/^[A-Z]{3}$/)`) `string` only; a range's minimum may not exceed its maximum (a fix swaps them) and an `integer` range has whole-number bounds.", example: 'graph g { start a state { score: number(1..0) } node a { kind set next END } }' },
  { code: "E-rag-invalid-pattern", title: "invalid pattern", meaning: "A `string(/…/)` pattern is JavaScript regular-expression syntax matched in linear time (no backtracking): backreferences, lookaround, `\\b`, named groups and flags are not supported, and a pattern has at most 1,000 characters and 5,000 states once `{n,m}` is expanded. The span points at the offending character.", example: 'graph g { start a state { code: string(/^(a)\\1$/) } node a { kind set next END } }' },
  { code: "E-rag-constraint-violation", title: "literal outside its type", meaning: "A literal written to a field with a range or pattern does not meet it: a default, or a `set`, `writes { … }` or `command update` entry (the runtime checks every other write: model and agent outputs, reducers' results, inputs, resume answers).", example: 'graph g { start a state { score: number(0..1) } node a { kind set set { score: 2 } next END } }' },
];

/** State, types and item values (`language.md` §2.2). */
import type { CatalogEntry } from "./entry.js";

export const STATE: readonly CatalogEntry[] = [
  { code: "E-rag-unknown-type", title: "unknown type", meaning: "A type is neither built in nor a schema of the file.", example: "graph g { start a state { x: strng } node a {} }" },
  { code: "E-rag-invalid-type", title: "invalid type", meaning: "`list` and `map` take exactly one type argument; other types take none.", example: "graph g { start a state { x: list } node a {} }" },
  { code: "E-rag-unknown-field", title: "unknown field", meaning: "A write (`writes`, `set`, a send's `-> channel`) or a read (`state.x`, `input.x`, or a field of a known record) names no field. A fix applies when one name is close.", example: "graph g { start a channel results append node a { writes resluts } }" },
  { code: "E-rag-invalid-policy", title: "invalid policy", meaning: "A `checkpoint` or `interrupt` policy word is unknown.", example: "graph g { start a checkpoint sometimes node a {} }" },
  { code: "E-rag-invalid-value", title: "invalid value", meaning: "An item's value is out of range (e.g. `max_steps 0`).", example: "graph g { start a node a { max_steps 0 } }" },
  { code: "E-rag-internal", title: "internal error", meaning: "A validation rule crashed. This is a bug in ragraph; the other rules still ran.", example: "" },
];

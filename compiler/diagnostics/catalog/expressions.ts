/** Static checks on expressions and templates (`language.md` §3). */
import type { CatalogEntry } from "./entry.js";

export const EXPRESSIONS: readonly CatalogEntry[] = [
  { code: "E-rag-unknown-name", title: "unknown name", meaning: "An expression uses a name that is not in scope. Roots are `state`, `input`, `args`, `run`, `result` (only once the node has run: in `writes`, `set`, `command update`, `when` routes and send arguments) and a send comprehension's variable. A fix applies when one root is close.", example: 'graph g { start a node a { prompt "Hi {{ stat.name }}" next END } }' },
  { code: "E-rag-unknown-function", title: "unknown function", meaning: "A call names no built-in function (`len lower upper trim contains starts_with ends_with split join keys values default min max sum round json`). A fix applies when one name is close.", example: 'graph g { start a node a { prompt "{{ lenght(input.items) }}" next END } }' },
  { code: "E-rag-wrong-arity", title: "wrong number of arguments", meaning: "A built-in function is called with too few or too many arguments.", example: 'graph g { start a node a { prompt "{{ split(input.text) }}" next END } }' },
  { code: "E-rag-type-mismatch", title: "type mismatch", meaning: "Where both types are known from the state, input or literals: a function argument of the wrong type (`len(state.count)` on a number), a comparison that mixes strings and numbers or is always false (an enum value that does not exist — a fix applies when one value is close), a field read on a scalar, or a write of one scalar type into an `overwrite` field of another.", example: 'graph g { start a state { count: number } node a { prompt "{{ len(state.count) }}" next END } }' },
];

/** Duplicate declarations (`language.md` §5). */
import type { CatalogEntry } from "./entry.js";

export const DECLARATIONS: readonly CatalogEntry[] = [
  { code: "E-rag-duplicate-graph", title: "duplicate graph", meaning: "Two graphs of a file share a name.", example: "graph g { start a node a {} } graph g { start b node b {} }" },
  { code: "E-rag-duplicate-agent", title: "duplicate agent", meaning: "Two inline agents of a file share a name.", example: 'agent r { model "m" } agent r { model "m" } graph g { start a node a {} }' },
  { code: "E-rag-duplicate-schema", title: "duplicate schema", meaning: "Two schemas of a file share a name.", example: "schema S { a: string } schema S { b: string } graph g { start a node a {} }" },
  { code: "E-rag-duplicate-node", title: "duplicate node", meaning: "Two nodes of a graph share a name; the diagnostic points at both.", example: "graph g { start a node a {} node a {} }" },
  { code: "E-rag-duplicate-field", title: "duplicate field", meaning: "Two state fields or channels share a name (a channel is a state field), or a record repeats a field.", example: "graph g { start a channel x append channel x overwrite node a {} }" },
  { code: "E-rag-duplicate-route", title: "duplicate route", meaning: "A route label appears twice on one node, or a node has two `else` routes.", example: "graph g { start a node a { routes { ok -> END ok -> END } } }" },
  { code: "E-rag-duplicate-item", title: "duplicate item", meaning: "A node or agent gives the same item twice (e.g. two `model` items).", example: 'graph g { start a node a { model "x" model "y" } }' },
  { code: "E-rag-duplicate-start", title: "duplicate start", meaning: "A graph has more than one `start` item; use `START -> a` edges for several entries.", example: "graph g { start a start b node a {} node b {} }" },
  { code: "E-rag-reserved-field", title: "reserved field name", meaning: "A state field or channel named `__name__` (two underscores at both ends): the runtime keeps its own records (`__task__`, `__interrupt__`, `__spend__`, …) among a task's pending writes under such names, so a field of that form would be mistaken for one after a crash. Rename the field.", example: "graph g { start a state { __spend__: number } node a { next END } }" },
  { code: "E-rag-reserved-name", title: "reserved name", meaning: "`__proto__`, `constructor` and `prototype` cannot name a node, graph, agent, schema, field, channel, route label or the key of a block or object (`defaults { budget: { __proto__: … } }`): such keys would reach the prototype of the objects built from the file instead of the file's data, changing behaviour without changing the blueprint hash. Rename the key.", example: "graph g { start a defaults { budget: { __proto__: { tokens: 10 } } } node a { next END } }" },
];

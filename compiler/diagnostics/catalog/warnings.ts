/** Warnings that do not fit another area. */
import type { CatalogEntry } from "./entry.js";

export const WARNINGS: readonly CatalogEntry[] = [
  { code: "W-rag-unknown-node-kind", title: "not a built-in node kind", meaning: "Without a registry's kind list, a `kind` that is no built-in kind may still be a custom kind; check the spelling.", example: "graph g { start a node a { kind agnet } }" },
  { code: "W-rag-unknown-reducer", title: "not a built-in reducer", meaning: "Without a registry's reducer list, a reducer that is not built in may still be registered; check the spelling.", example: "graph g { start a channel x apend node a {} }" },
  { code: "W-rag-unknown-field", title: "update of an undeclared field", meaning: "A reference `command { update {…} }` key names no declared state field.", example: "graph g { start a node a { command { update { status \"x\" } } } }" },
  { code: "W-rag-unknown-key", title: "unknown setting", meaning: "A `retry` or `cache` block holds a key that is ignored.", example: "graph g { start a node a { retry { attempts 3 } } }" },
  { code: "W-rag-subgraph-result-undeclared", title: "subgraph result without an output", meaning: "A subgraph node reads `result.x`, but the graph it runs (of the same file) declares no `output { … }`: its `result` is whatever the child's last task returned (null after a `set` node), so the read may write null into a typed field at run time. The fix declares the fields read as the child's `output`, typed like its state fields.", example: 'graph p { start s state { t: number } node s { kind subgraph graph "c" writes { t: result.total } next END } } graph c { start a state { total: number } node a { set { total: 1 } next END } }' },
];

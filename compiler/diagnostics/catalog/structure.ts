/** Graph structure (`language.md` §2.1, §2.3). */
import type { CatalogEntry } from "./entry.js";
import { EXAMPLE_REGISTRY as REG } from "./entry.js";

export const STRUCTURE: readonly CatalogEntry[] = [
  { code: "E-rag-missing-start", title: "missing start", meaning: "A graph has no `start` item and no `START -> x` edge. When it has one node, a fix adds `start` for it.", example: "graph g { node a {} }" },
  { code: "E-rag-unknown-start", title: "unknown start", meaning: "The `start` item names no node of the graph.", example: "graph g { start missing node a {} }" },
  { code: "E-rag-unknown-node", title: "unknown node", meaning: "A `next`, route, `goto`, edge, join, `sources`, `on_error` or interrupt reference names no node. A fix applies when one name is close.", example: "graph g { start a node a { routes { done -> revew } } node review { next END } }" },
  { code: "E-rag-start-as-target", title: "START as a target", meaning: "`START` can only begin an edge; it is never the target of a route, edge or join.", example: "graph g { start a node a { next START } }" },
  { code: "E-rag-unknown-send-target", title: "unknown send target", meaning: "A send target is not a node, an inline or registered agent, or a graph.", example: "graph g { start a node a { send [ghost] } }" },
  { code: "E-rag-conflicting-routing", title: "conflicting routing", meaning: "A node is routed two ways (`next`, `routes`, `command goto`, top-level edges). Keep one.", example: "graph g { start a node a { next b routes { x -> b } } node b {} }" },
  { code: "E-rag-join-without-send", title: "join without send", meaning: "`join X` waits for the node's fan-out, so the node needs a `send`.", example: "graph g { start a node a { join b } node b {} }" },
  { code: "E-rag-unknown-graph", title: "unknown graph", meaning: "A subgraph (`graph \"x\"`, or `model \"x\"` on a subgraph node) is not a graph of the file or the registry; or `--graph` names no graph of the file.", example: 'graph g { start a node a { kind subgraph graph "nope" } }', exampleRegistry: REG },
  { code: "E-rag-interrupt-option-unrouted", title: "interrupt option without a route", meaning: "An `interrupt` node routes by label (`routes { label -> node }`, no `when` or `else`), but one of its `options` has no route: a person could pick an answer the run cannot follow. Add the route, an `else` route, or remove the option.", example: 'graph g { start ask state { d: any } node ask { kind interrupt options ["yes", "no"] writes d routes { yes -> END } } }' },
  { code: "W-rag-interrupt-route-unused", title: "interrupt route no option takes", meaning: "An `interrupt` node with `options` has a route label that is none of them; the answer must be one of the options, so the route is never taken.", example: 'graph g { start ask state { d: any } node ask { kind interrupt options ["yes"] writes d routes { yes -> END  maybe -> END } } }' },
  { code: "E-rag-no-graph", title: "no graph", meaning: "A command that runs or compiles one graph was given a file that declares none.", example: "// only a comment" },
];

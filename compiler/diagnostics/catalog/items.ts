/** Node items, channels and their inputs (`language.md` §2.1–2.4, §5). */
import { EXAMPLE_REGISTRY, type CatalogEntry } from "./entry.js";

export const ITEMS: readonly CatalogEntry[] = [
  { code: "W-rag-item-unused", title: "item not used by the node's kind", meaning: "The node's kind ignores the item (e.g. `tools` on a `model` node, `prompt` on a `set` node). Change `kind` or remove the item. A warning, never an error: the reference dialect allowed any item on any kind.", example: 'graph g { start a node a { kind set tools ["search"] next END } }' },
  { code: "E-rag-missing-reducer", title: "channel missing reducer", meaning: "`channel NAME` needs a reducer saying how writes combine (`append`, `overwrite`, `messages`, …). A fix adds `messages` to a channel named `messages`.", example: "graph g { start a channel messages node a { next END } }" },
  { code: "E-rag-missing-input", title: "send target missing input mapping", meaning: "A send target (or a `subgraph`/`subagent` node) cannot get the input it needs: a node that reads `args.K` is sent no `K`; a graph of the file with required `input` fields, or an inline agent whose prompt reads `input.K`, gets neither a mapping for the field nor a same-named field of the sender's state. Registered tools, agents and graphs are checked against their signatures (`rag registry export`): a required parameter that no key supplies is this error too.", example: 'graph g { start a node a { send [w] join d } node w { prompt "Do {{ args.item }}" } node d { next END } }' },
  {
    code: "E-rag-unknown-argument",
    title: "argument the callee does not take",
    meaning: "An `input { … }` map or a send packet passes a key that the registered tool, agent or graph it calls does not list in its signature (`rag registry export`; `rag spec --config` shows `tool \"search\"(query: string)`). A fix replaces a close misspelling with the parameter's name.",
    example: 'graph g { start t channel hits append node t { kind tool tool "search" input { qurey: "joins" } writes hits next END } }',
    exampleRegistry: { ...EXAMPLE_REGISTRY, signatures: { tools: { search: { args: { type: "object", properties: { query: { type: "string" } }, required: ["query"] }, read_only: true, approval: "auto" } } } },
  },
  { code: "E-rag-interrupt-without-checkpointer", title: "interrupts without a checkpointer", meaning: "The graph pauses for a human (an `interrupt` node, `interrupt before/after`, `interrupt manual`) but turns checkpoints off (`checkpoint none`/`never`), or the registry has no checkpointer: an interrupted run could not resume.", example: "graph g { start a checkpoint none interrupt before [a] node a { next END } }" },
  { code: "E-rag-approve-unbound-tool", title: "approval of a tool the node does not call", meaning: "`approve [..]` names a tool outside the node's `tools` list (or `tool` binding). Approval is a gate on calls the node may already make, never a grant: add the tool to `tools` first, or fix the name (did-you-mean fix).", example: 'graph g { start a channel messages messages node a { kind agent model "default" tools ["search"] approve ["serch"] next END } }', exampleRegistry: EXAMPLE_REGISTRY },
  { code: "E-rag-invalid-budget", title: "invalid budget", meaning: "A `budget` block (graph or node) has a limit that is not a positive number (`tokens` a positive integer such as `50k`, `usd` a positive amount such as `2.00`), or is not a block. A bad limit would leave spending unlimited, so it is an error.", example: "graph g { start a budget { tokens: -5 } node a { next END } }" },
];

/**
 * The LLM grammar card (`rag spec`, issue 3 §5): a compact reference of the `.rag`
 * language from which a model can write a valid program of every construct. Kept in
 * sync with the grammar by test/grammar/card.test.ts: every ```rag block compiles, every
 * item keyword, kind, reducer and expression function is mentioned, and the card stays
 * under its token budget (`CARD_TOKEN_BUDGET`, counted by `approxTokens`).
 */

/** Most tokens the card may take (issue 3 §5; 3,000 since issue 15 §3 added Semantics). */
export const CARD_TOKEN_BUDGET = 3000;

/**
 * A tokenizer approximation for budgets, in tokens: a run of letters or digits counts
 * one token per 4 characters (rounded up), every other non-space character one token,
 * every line break one token, and spaces nothing. On prose and `.rag` source this
 * over-counts what BPE tokenizers of current models (o200k, cl100k) report, so a
 * text within budget here is within budget for them.
 */
export function approxTokens(text: string): number {
  let n = 0;
  for (const m of text.matchAll(/[A-Za-z0-9]+|\n|[^\sA-Za-z0-9]/g)) n += /^[A-Za-z0-9]/.test(m[0]) ? Math.ceil(m[0].length / 4) : 1;
  return n;
}

export const GRAMMAR_CARD = `# .rag grammar card

A .rag file declares LLM workflows as graphs.

## Lexical
- Comments \`// line\`, \`/* block */\` (never \`#\`). Items need no separators.
- Names \`[A-Za-z_]\w*\`; keywords may be names. Reserved: START END true false null.
- Strings "…" or '…' (JSON escapes). \`"""…"""\`: multi-line, common indent removed.
- Templates (system, prompt): \`"Hi {{ input.name }}"\`; \`\\{{\` is a literal \`{{\`.
- Durations 250ms 30s 5m 2h. Numbers 42 -3 0.75 1e-3 50k 2M.

## File
\`graph NAME { … }\`, \`agent NAME { node items }\` (inline sub-agent), \`schema NAME { fields }\`.
The first graph is the entry; others may be its subgraphs.

## Graph items
- \`start NODE\` (or \`START -> NODE\`); \`start routes { when input.x -> a  else -> b }\` (conditional entry)
- \`state { field* }\`, \`channel NAME REDUCER\` (field of type any)
- \`input { field* }\`, \`output { field* }\`: run input and result shapes
- \`defaults { recursion_limit: 25, timeout: 60s, concurrency: 4 }\`
- \`metadata { key: value }\`, \`tags ["x"]\`, \`allow tools ["s"]\` (models tools agents graphs scripts reducers routers validators nodeKinds)
- \`node NAME { node items }\`
- \`a -> b -> END\`: edges; two from one node run in parallel
- \`join [a, b] -> c\`: c runs once after a and b
- \`interrupt before [a]\`, \`interrupt after [b]\`: wait for a human
- \`checkpoint inherit|none|sync|async|exit\`
- \`budget { tokens: 50k, usd: 2.00 }\`: cap on the run's model spending

## Fields and types
\`NAME: TYPE REDUCER? (= DEFAULT)?\`
Types: string number integer boolean any messages list<T> T[] map<T> { fields } "a" | "b" SchemaName T? (optional)
Ranges, patterns: \`number(0..1)\` \`integer(1..)\` \`string(/^[A-Z]{3}$/)\`; checked on every write
Reducers: overwrite (default; messages for type messages), append, messages, merge, sum, min, max,
union, topic, ephemeral, untracked, barrier N, named_barrier [..], aggregate "registered_fn"

## Node items
- \`kind K\`: model (default) | agent | tool_executor | tool | router | set | subgraph | subagent | interrupt | join | repl_agent
- \`model "m"\`, \`system "…"\`, \`prompt "…"\`, \`tools ["t"]\`, \`max_steps 8\`
- bindings: \`agent "a"\` (subagent), \`graph "g"\` (subgraph), \`tool "t"\` (tool), \`script "s"\` (repl_agent), \`route "fn"\` (router)
- \`input { q: state.x }\` or \`input "path"\`; \`output { answer: string }\` or \`output SchemaName\`
- \`writes channel\` or \`writes { ch: result.answer }\`; \`set { status: "done" }\` (pure update)
- routing, one per node: \`next b\` | \`next [b, c]\` | \`routes { … }\` | \`command { goto b update { k: v } }\`
- \`routes { tool_call -> tools  final -> END }\`: labels (other labels: the model picks one)
- \`routes { when state.n > 3 -> big  else -> small }\`: first true condition wins
- \`command { goto parent.X }\`: from a subgraph, continue at its parent's node X
- \`send [worker { item: x } for x in input.items -> results, critic { d: state.d }]\`: fan-out
  to nodes, agents or graphs; may accompany routing
- \`send [w { x: i } for i in state.items] concurrency 4\`: at most 4 run at once
- \`join NODE wait all|first|N\`: after a send, NODE runs once when the branches have ended
- \`sources [a, b]\` (join), \`options ["approve", "reject"]\` (interrupt; the answer picks the route)
- \`blocking true\`, \`optional false\`, \`defer true\` (run once nothing else is pending), \`retry { max_attempts: 3, initial: 500ms }\`
- \`timeout 30s\`, \`cache { ttl: 10m }\`, \`validate ["v"]\`, \`on_error -> b\`, \`checkpoint async\`
- \`approve ["refund"]\`: each call of these tools waits for a person (may edit args); grants nothing
- \`attach { image: state.photo, file: state.pdf }\` (model/agent): URL, data: URL or { data, media_type }
- \`budget { tokens: 4k }\`: node's model spending; \`resume { text: string }\` (interrupt): typed answer as \`result\`
- \`metadata\`, \`tags\`; \`steering { human allow ["pause"] }\`
A node without \`kind\` is a model node (agent/graph/script/tool/sources/options imply their kind).

## Expressions
Roots: state input args (send packet) result (in writes/set) run (id thread step), loop variable.
Operators: or and not == != < <= > >= in + - * / % ( ) [ ] . calls; literals, [lists], { k: v }.
Functions: len lower upper trim contains starts_with ends_with split join keys values default min max sum round json
count any all (truthy items): \`count(x.ok for x in state.items)\`; \`[x.label for x in state.items if x.ok]\`

## Rules
Every route target exists or is END; START is never a target. A node with no route ends its branch.
The node item \`join X\` needs a \`send\` in that node; the graph item \`join [a, b] -> c\` does not.
Models, tools, agents, scripts, route functions: registry names (in-file \`agent\` blocks need not be).

## Semantics
- Kinds use: model: model system prompt tools approve output writes attach cache budget; agent: those + max_steps;
  tool_executor: tools approve; tool: tool input approve; router: route; subgraph: graph input persistent;
  subagent: agent input; interrupt: prompt options resume; join: sources;
  repl_agent: model script tools. Any kind: routing send join set writes retry timeout on_error blocking optional.
- \`result\`: model/agent: \`output\` record or reply; subagent/subgraph: child's output;
  tool: its return; interrupt: the answer; router: the label.
- \`writes\`/\`set\` apply after the node; its \`when\` routes see them applied.
- A write to a \`sum\` field adds (\`set { n: 1 }\` increments); \`append\` adds items; overwrite replaces.
- \`recursion_limit\` counts supersteps (default 100). \`next [a, b]\` runs both in parallel.
- \`wait N\` counts succeeded branches; a failure fails the run unless \`optional true\`; \`wait first|N\` cancels the rest.
- \`max_attempts\` counts tries (first included) of \`retry_on\` errors (a plain error: one try); \`max_steps\`: agent model turns.
- An agent without \`tool_call\` routes runs its own tool loop; else, as a model node, one turn whose calls the \`tool_call\` target runs.

## Examples
\`\`\`rag
graph refunds {
  start agent
  channel messages messages
  state { draft: string }
  node agent {
    kind agent
    model "default"
    tools ["lookup_order", "refund"]
    approve ["refund"]
    routes { tool_call -> tools  final -> edit }
  }
  node tools { kind tool_executor tools ["lookup_order", "refund"] next agent }
  node edit {
    kind interrupt
    prompt "Edit the reply"
    resume { text: string  ok: boolean }
    writes { draft: result.text }
    routes { when result.ok -> END  else -> edit }
  }
}
\`\`\`

\`\`\`rag
schema Verdict { ok: boolean, score: number(0..1), reason: string? }

agent critic {
  model "default"
  system "Check the draft: {{ args.draft }}"
  output Verdict
  writes verdicts
}

graph review {
  start split
  input { items: list<string> }
  output { report: string }
  state {
    drafts: list<string> append
    verdicts: Verdict[] append
    report: string
    rounds: integer sum = 0
  }

  node split {
    kind set
    set { rounds: 1 }
    send [writer { item: x } for x in input.items -> drafts]
    join gather wait all
  }
  node writer {
    model "default"
    prompt "Write one paragraph about {{ args.item }}."
  }
  node gather {
    kind router
    routes { when len(state.drafts) == 0 -> END  else -> check }
  }
  node check {
    kind set
    send [critic { draft: join(state.drafts, "\\n") }]
    join summarize
  }
  node summarize {
    model "default"
    prompt "Summarize {{ json(state.drafts) }}, fix {{ [v.reason for v in state.verdicts if not v.ok] }}"
    output { report: string }
    writes { report: result.report }
    next approve
  }
  node approve {
    kind interrupt
    prompt "Publish the report?"
    options ["yes", "no"]
    routes { yes -> END  no -> split }
  }
}
\`\`\`
`;

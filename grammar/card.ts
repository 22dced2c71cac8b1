/**
 * The LLM grammar card (`rag spec`, issue 3 §5): a compact reference of the `.rag`
 * language from which a model can write a valid program of every construct. Kept in
 * sync with the grammar by test/grammar/card.test.ts: every ```rag block compiles, every
 * item keyword, kind, reducer and expression function is mentioned, and the card stays
 * under its token budget (`CARD_TOKEN_BUDGET`, counted by `approxTokens`).
 */

/** Most tokens the card may take (issue 3 §5). */
export const CARD_TOKEN_BUDGET = 2500;

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

A .rag file declares LLM agent workflows as graphs. It holds no code: models, tools,
agents, scripts and route functions are names granted by the registry. Write only .rag.

## Lexical
- Comments \`// line\` and \`/* block */\` (never \`#\`). Items need no separators.
- Names \`[A-Za-z_][A-Za-z0-9_]*\`; keywords may be names. Reserved: START END true false null.
- Strings "…" or '…' (JSON escapes). \`"""…"""\`: multi-line, common indent removed.
- Templates (system, prompt): \`"Hi {{ input.name }}"\`; \`\\{{\` is a literal \`{{\`.
- Durations 250ms 30s 5m 2h. Numbers 42 -3 0.75 1e-3.

## File
\`graph NAME { … }\`, \`agent NAME { node items }\` (inline sub-agent), \`schema NAME { fields }\`.
The first graph is the entry; a graph may call another as a subgraph.

## Graph items
- \`start NODE\` (or \`START -> NODE\`); \`start routes { when input.x -> a  else -> b }\` (conditional entry)
- \`state { field* }\`, \`channel NAME REDUCER\` (field of type any)
- \`input { field* }\`, \`output { field* }\`: run input and result shapes
- \`defaults { recursion_limit: 25, timeout: 60s, concurrency: 4, retry: { max_attempts: 2 } }\`
- \`metadata { key: value }\`, \`tags ["x"]\`, \`allow tools ["search"]\` (models tools agents graphs scripts reducers routers stores validators)
- \`node NAME { node items }\`
- \`a -> b -> END\`: static edges; two edges from one node run both in parallel
- \`join [a, b] -> c\`: c runs once after a and b
- \`interrupt before [a]\`, \`interrupt after [b]\`: pause for a human
- \`checkpoint inherit|none|sync|async|exit\`

## Fields and types
\`NAME: TYPE REDUCER? (= DEFAULT)?\`
Types: string number integer boolean any messages list<T> T[] map<T> { fields } "a" | "b" SchemaName T? (optional)
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
- \`command { goto parent.X update { k: v } }\`: from a subgraph, continue at node X of the graph running it
- \`send [worker { item: x } for x in input.items -> results, critic { d: state.d }]\`: fan-out
  to nodes, agents or graphs; may accompany routing
- \`join NODE wait all|first|N\`: after a send, NODE runs once when the branches have ended
- \`sources [a, b]\` (join), \`options ["approve", "reject"]\` (interrupt; resume value picks the route)
- \`blocking true\`, \`optional false\`, \`defer true\` (run once nothing else is pending), \`retry { max_attempts: 3, backoff: "exponential", initial: 500ms }\`
- \`timeout 30s\`, \`cache { ttl: 10m }\`, \`validate ["v"]\`, \`on_error -> fallback\`, \`checkpoint async\`
- \`metadata { … }\`, \`tags [ … ]\`, \`steering { parent allow ["cancel"] human allow ["pause"] delivery "safe_boundary" }\`
A node without \`kind\` is a model node (agent/graph/script/tool/sources/options imply their kind).

## Expressions
Roots: state input args (send packet) result (in writes/set) run (id thread step), loop variable.
Operators: or and not == != < <= > >= in + - * / % ( ) [ ] . calls; literals, [lists], { k: v }.
Functions: len lower upper trim contains starts_with ends_with split join keys values default min max sum round json

## Rules
Every route target exists or is END; START is never a target. A node with no route ends its branch.
Use \`join\` only with \`send\`. Names of models, tools and agents must be registered.

## Examples
\`\`\`rag
graph support {
  start agent
  state { messages: messages }
  node agent {
    kind agent
    model "default"
    system "You are a concise support agent."
    tools ["lookup_user"]
    routes { tool_call -> tools  final -> END }
  }
  node tools { kind tool_executor tools ["lookup_user"] next agent }
}
\`\`\`

\`\`\`rag
schema Verdict { ok: boolean, reason: string? }

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
  defaults { recursion_limit: 40, timeout: 2m }
  interrupt before [approve]
  checkpoint sync

  node split {
    kind set
    set { rounds: 1 }
    send [writer { item: x } for x in input.items -> drafts]
    join gather wait all
  }
  node writer {
    model "default"
    prompt """
      Write one paragraph about {{ args.item }}.
      """
    retry { max_attempts: 2 }
    timeout 30s
  }
  node gather {
    kind router
    routes {
      when len(state.drafts) == 0 -> END
      else -> check
    }
  }
  node check {
    kind set
    send [critic { draft: join(state.drafts, "\\n") }]
    join summarize
  }
  node summarize {
    kind agent
    model "default"
    prompt "Summarize {{ json(state.drafts) }}"
    output { report: string }
    writes { report: result.report }
    max_steps 4
    on_error -> approve
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

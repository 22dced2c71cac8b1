/**
 * One-line documentation of the language's words, for hovers and completion details.
 * Sources: `language.md` §2.1 (graph items), §2.2 (reducers), §2.3 (node items), §2.4
 * (node kinds), §3 (expression roots). Snippets use LSP snippet syntax (`${1:x}`).
 */

export interface WordDoc {
  readonly doc: string;
  /** What completion inserts after the word (a snippet), when more than the word. */
  readonly snippet?: string;
}

/** Node kinds (§2.4): what each does. */
export const KIND_DOCS: Readonly<Record<string, string>> = {
  model: "one model call; its `tools` are offered to the model, and run by the `tool_executor` its `tool_call` route reaches (`approve` gating them)",
  agent: "model + tools: with `routes { tool_call -> X, final -> Y }` one turn that routes; without, its own tool loop to a final answer (bounded by `max_steps`)",
  tool_executor: "executes the tool calls pending in state (read-only tools in parallel, mutating ones in order, approval policy applied)",
  tool: "calls one tool with mapped arguments",
  router: "routes by `when` conditions, or by a registered route function",
  set: "a pure, deterministic state update",
  subgraph: "runs another graph; its state is namespaced; input/output mapped",
  subagent: "runs a registered or inline agent as a child run",
  interrupt: "pauses for a human; the resume value picks a route label among `options`",
  join: "an explicit barrier over `sources`",
  repl_agent: "runs a registered `.ragsh` script and/or a model-driven CodeAct loop",
};

/** Node items (§2.3). */
export const NODE_ITEM_DOCS: Readonly<Record<string, WordDoc>> = {
  kind: { doc: "the node's kind (default: inferred from its items)", snippet: "kind ${1:model}" },
  model: { doc: "the registry model to call (on a subgraph node: the graph; on a router: the route function)", snippet: 'model "${1}"' },
  system: { doc: "the system prompt (a template: `{{ expr }}` interpolates)", snippet: 'system "${1}"' },
  prompt: { doc: "the user prompt (a template: `{{ expr }}` interpolates)", snippet: 'prompt "${1}"' },
  tools: { doc: "registry tools the model may call", snippet: 'tools ["${1}"]' },
  agent: { doc: "the registered or inline agent a subagent node runs", snippet: 'agent "${1}"' },
  graph: { doc: "the graph a subgraph node runs (this file's or the registry's)", snippet: 'graph "${1}"' },
  script: { doc: "the registered `.ragsh` script a repl_agent node runs", snippet: 'script "${1}"' },
  tool: { doc: "the one tool a tool node calls", snippet: 'tool "${1}"' },
  route: { doc: "a registered route function that picks the route label", snippet: 'route "${1}"' },
  input: { doc: "input mapping for a subagent, subgraph or tool: `{ key: expr }` or a string", snippet: "input { ${1:key}: ${2:state.x} }" },
  output: { doc: "structured output the model must return: `{ field* }` or a schema name", snippet: "output { ${1:answer} ${2:string} }" },
  writes: { doc: "where the node's result goes: a state field, or `{ field: expr }`", snippet: "writes ${1}" },
  set: { doc: "a pure state update applied after the node: `{ field: expr }`", snippet: "set { ${1}: ${2} }" },
  next: { doc: "the successor: a node, `END`, or `[a, b]` (static fan-out)", snippet: "next ${1:END}" },
  routes: { doc: "conditional routing: `label -> node`, `when expr -> node`, `else -> node`", snippet: "routes {\n\t${1:when} ${2} -> ${3}\n\telse -> ${4:END}\n}" },
  send: { doc: "fan-out: one Send packet per target (`target { args } for x in expr -> channel`)", snippet: "send [${1}]" },
  sends: { doc: "reference spelling of fan-out: `sends [ send worker \"input\" ]`", snippet: "sends [send ${1}]" },
  join: { doc: "continue at this node once every branch of this node's fan-out has ended (`wait all|first|N`)", snippet: "join ${1}" },
  command: { doc: "`command { goto node update { … } }`: route and update together", snippet: "command { goto ${1} }" },
  sources: { doc: "the nodes a join node waits for", snippet: "sources [${1}]" },
  options: { doc: "the choices of an interrupt node (route labels)", snippet: 'options ["${1:approve}", "${2:reject}"]' },
  blocking: { doc: "whether the parent waits for a subagent (default true)", snippet: "blocking ${1:true}" },
  optional: { doc: "a subagent whose failure does not fail the run", snippet: "optional ${1:true}" },
  defer: { doc: "run once no other work is pending (LangGraph's `defer`)", snippet: "defer ${1:true}" },
  persistent: { doc: "a subgraph node whose child state outlives one call: each call in the thread continues where the previous call left it (LangGraph's `checkpointer: true`)", snippet: "persistent ${1:true}" },
  retry: { doc: "retry policy: `{ max_attempts 3 backoff 1s }`", snippet: "retry { max_attempts ${1:3} }" },
  timeout: { doc: "wall-time limit of one attempt: `30s`, `\"30s\"` or seconds", snippet: "timeout ${1:30s}" },
  max_steps: { doc: "bound on an agent's model turns", snippet: "max_steps ${1:8}" },
  cache: { doc: "cache the node's result: `true` or `{ ttl 5m }`", snippet: "cache ${1:true}" },
  validate: { doc: "registered output validators", snippet: 'validate ["${1}"]' },
  on_error: { doc: "where to go when the node fails after its retries", snippet: "on_error -> ${1}" },
  checkpoint: { doc: "durability of this node's checkpoints: inherit | none | sync | async | exit", snippet: "checkpoint ${1:inherit}" },
  metadata: { doc: "free-form metadata: `{ key value }`", snippet: "metadata { ${1} }" },
  tags: { doc: "tags for tracing and filtering", snippet: 'tags ["${1}"]' },
  steering: { doc: "who may steer this node: `parent allow [..] human allow [..] delivery \"…\"`", snippet: "steering { human allow [${1}] }" },
  models: { doc: "models a repl_agent's script may call", snippet: 'models ["${1}"]' },
  agents: { doc: "agents a repl_agent's script may run", snippet: 'agents ["${1}"]' },
  graphs: { doc: "graphs a repl_agent's script may run", snippet: 'graphs ["${1}"]' },
};

/** Graph items (§2.1). */
export const GRAPH_ITEM_DOCS: Readonly<Record<string, WordDoc>> = {
  start: { doc: "the entry node (`START -> node`)", snippet: "start ${1}" },
  state: { doc: "typed state fields: `state { name type reducer? (= default)? }`", snippet: "state {\n\t${1:name} ${2:string}\n}" },
  channel: { doc: "an untyped channel with a reducer: `channel findings append`", snippet: "channel ${1:name} ${2:append}" },
  input: { doc: "the run input's shape", snippet: "input {\n\t${1:question} ${2:string}\n}" },
  output: { doc: "the run result's shape", snippet: "output {\n\t${1:answer} ${2:string}\n}" },
  defaults: { doc: "graph defaults: recursion_limit, timeout, concurrency, retry, checkpoint, budget, cache", snippet: "defaults { ${1:recursion_limit} ${2:25} }" },
  metadata: { doc: "free-form metadata", snippet: "metadata { ${1} }" },
  tags: { doc: "tags for tracing and filtering", snippet: 'tags ["${1}"]' },
  allow: { doc: "what this graph may bind: `allow tools [\"search\"]`", snippet: 'allow ${1:tools} ["${2}"]' },
  node: { doc: "a node: `node name { item* }`", snippet: "node ${1:name} {\n\tkind ${2:model}\n\t$0\n}" },
  join: { doc: "a barrier edge: `join [a, b] -> c` runs c once after a and b", snippet: "join [${1}] -> ${2}" },
  interrupt: { doc: "pause for a human `before`/`after` named nodes", snippet: "interrupt ${1:before} [${2}]" },
  checkpoint: { doc: "durability: inherit | none | sync | async | exit", snippet: "checkpoint ${1:sync}" },
};

/** Top-level declarations (§2). */
export const TOP_DOCS: Readonly<Record<string, WordDoc>> = {
  graph: { doc: "a graph blueprint: state, nodes and how control flows between them", snippet: "graph ${1:name} {\n\tstart ${2:first}\n\t$0\n}" },
  agent: { doc: "an inline sub-agent: node items (model, system, tools, writes…)", snippet: 'agent ${1:name} {\n\tmodel "${2}"\n\t$0\n}' },
  schema: { doc: "a named record type for state and output", snippet: "schema ${1:Name} {\n\t$0\n}" },
};

/** Reducers (§2.2). */
export const REDUCER_DOCS: Readonly<Record<string, string>> = {
  overwrite: "the last write wins (two writes in one superstep are an error)",
  last_value: "alias of `overwrite`",
  last_write: "alias of `overwrite`",
  append: "appends one item or a list per write",
  messages: "merges chat messages by `id` (update in place, append new)",
  merge: "shallow-merges objects",
  sum: "adds numbers",
  min: "keeps the smallest number",
  max: "keeps the largest number",
  union: "set-append, first-seen order kept",
  topic: "a pub/sub topic: values of one superstep, then cleared",
  ephemeral: "cleared after the superstep that read it",
  untracked: "kept out of checkpoints",
  barrier: "counts arrivals (`barrier N`) for join semantics",
  named_barrier: "names the arrivals it waits for (`named_barrier [a, b]`)",
  aggregate: 'a registered reducer function: `aggregate "fn"`',
  reducer: 'alias of `aggregate`: `reducer "fn"`',
};

/** Expression roots (§3). */
export const ROOT_DOCS: Readonly<Record<string, string>> = {
  state: "the committed state of the graph",
  input: "the run input",
  args: "the Send packet of this task",
  result: "the node's result (inside `writes` and `set`)",
  run: "the run: `id`, `thread`, `step`",
};

/** Built-in field types (§2.2). */
export const TYPE_DOCS: Readonly<Record<string, string>> = {
  string: "text",
  number: "a number",
  integer: "a whole number",
  boolean: "`true` or `false`",
  any: "any JSON value",
  messages: "a list of chat messages (default reducer `messages`)",
  list: "`list<T>`: a list",
  map: "`map<T>`: an object with values of type T",
};

/** Capability kinds of `allow` (§2.1). */
export const CAPABILITY_WORDS = ["models", "tools", "agents", "graphs", "scripts", "reducers", "routers", "validators", "nodeKinds"] as const;
/** Durability words of `checkpoint`. */
export const DURABILITY_WORDS = ["inherit", "none", "sync", "async", "exit"] as const;

/**
 * Diagnostics of `.ragsh` sessions (`repl.md` §1–3): the parser, the static check a
 * cell passes before it runs, and the interpreter, its sandbox and its limits.
 *
 * Unlike the other areas, each `example` here is a `.ragsh` cell: the catalog test
 * (test/repl/catalog.test.ts) runs it in a session over the catalog registry — model
 * `default` (scripted), tools `search` ({query: string}), `wait` ({ms}), `broken`
 * (always throws) and `leaky` (returns an object with a getter), agent `researcher`,
 * graph `hello` — under `examplePolicy`, written by `exampleAuthor`.
 */
import type { CatalogEntry } from "./entry.js";

export interface RagshCatalogEntry extends CatalogEntry {
  /** Session policy overrides the example runs under. */
  readonly examplePolicy?: Readonly<Record<string, number | boolean>>;
  /** Who writes the example cell (graphs a `model` generates need review). */
  readonly exampleAuthor?: "human" | "model";
  /** The host cancels the example cell after this many ms (Ctrl-C at the prompt). */
  readonly exampleCancelAfterMs?: number;
}

export const RAGSH: readonly RagshCatalogEntry[] = [
  // ─────────────── syntax ───────────────
  { code: "E-ragsh-invalid-token", title: "invalid token", meaning: "A character that starts no token of `.ragsh` (e.g. `@`, or `#` not followed by `{`).", example: "let x = 1 @ 2" },
  { code: "E-ragsh-unterminated-string", title: "unterminated string", meaning: "A quoted string ends at the end of its line, or a template string is never closed.", example: 'let s = "abc' },
  { code: "E-ragsh-unterminated-comment", title: "unterminated comment", meaning: "A `/*` comment is never closed with `*/`.", example: "let x = 1 /* never closed" },
  { code: "E-ragsh-unexpected-token", title: "syntax error", meaning: "The parser expected something else here; the message says what. Parsing recovers and reports every error of the cell.", example: "let x = (1 + 2" },
  { code: "E-ragsh-unsupported-syntax", title: "unsupported syntax", meaning: "A JavaScript word `.ragsh` leaves out on purpose (`import`, `new`, `class`, `this`, `try`, `var` …); the help says what to write instead (`var` comes with a fix to `let`).", example: 'import fs from "fs"' },
  { code: "E-ragsh-invalid-assignment", title: "invalid assignment target", meaning: "Only a variable, `obj.key` or `obj[index]` can be assigned or incremented.", example: "1 = 2" },
  { code: "E-ragsh-nesting-limit", title: "nesting too deep", meaning: "Brackets nest deeper than 64 levels, or the code nests deeper than 400 syntax levels; the limit protects the parser and the interpreter.", example: `let x = ${"[".repeat(70)}${"]".repeat(70)}` },
  { code: "E-ragsh-script-too-large", title: "script too large", meaning: "The cell's source is longer than the session's `maxScriptBytes` policy.", example: 'let x = "0123456789"', examplePolicy: { maxScriptBytes: 10 } },
  // ─────────────── static check ───────────────
  { code: "E-ragsh-unknown-name", title: "unknown name", meaning: "The cell reads a name that is neither declared (in the cell or an earlier one) nor built in; reported before the cell runs, with did-you-mean. Host globals (`process`, `require`, `eval` …) do not exist in a session.", example: "let total = 1\nprint(totl)" },
  { code: "E-ragsh-reserved-name", title: "reserved name", meaning: "A built-in name (`print`, `model_query`, `context`, `Math` …) cannot be declared, assigned or shadowed; built-ins are restored after every cell.", example: "let print = 1" },
  { code: "E-ragsh-unknown-model", title: "unknown model", meaning: "A model name is not registered: checked before the cell runs when written as a literal, at the call otherwise.", example: 'model_query({model: "defualt", prompt: "hi"})' },
  { code: "E-ragsh-capability-denied", title: "capability not granted", meaning: "The session may not use this model, tool, agent or graph: a `repl_agent` node's scripts use only what the node binds (its `model`, `tools`, `models`, `agents`, `graphs`), within the graph's `allow` lists; every session is bound by the registry's policy (narrower for cells a model writes). Nothing was called.", example: 'tool_call({tool: "admin", arguments: {}})', exampleAuthor: "model" },
  { code: "E-ragsh-unknown-tool", title: "unknown tool", meaning: "A tool name is not registered (static check for literals, else at the call).", example: 'tool_call({tool: "serch", arguments: {query: "x"}})' },
  { code: "E-ragsh-unknown-agent", title: "unknown agent", meaning: "An agent name is not registered (static check for literals, else at the call).", example: 'agent_query({agent: "reseacher", input: "x"})' },
  { code: "E-ragsh-unknown-graph", title: "unknown graph", meaning: "A graph name is neither in the registry nor registered in the session (static check for literals, else at the call).", example: 'graph_run({graph: "helo", input: {}})' },
  // ─────────────── run time ───────────────
  { code: "E-ragsh-const-assignment", title: "assignment to a constant", meaning: "A `const` cannot be reassigned; declare it with `let`.", example: "const x = 1\nx = 2" },
  { code: "E-ragsh-type-error", title: "type error", meaning: "An operation does not apply to the value it got: calling a non-function, reading a property of `null`, iterating a number, writing past the end of a list …", example: "let f = null\nf()" },
  { code: "E-ragsh-unknown-method", title: "unknown method or property", meaning: "Strings, lists, numbers and namespaces have a fixed safe list of methods; the help suggests the closest one.", example: '"abc".lenght' },
  { code: "E-ragsh-forbidden-property", title: "forbidden property", meaning: "`constructor`, `prototype` and `__*__` names lead to host internals; a session can never read or write them.", example: '({}).constructor.constructor("return process")()' },
  { code: "E-ragsh-operation-limit", title: "operation limit", meaning: "The cell evaluated more syntax nodes than the `maxOperations` policy allows (an endless loop stops here).", example: "while (true) {}" },
  { code: "E-ragsh-memory-limit", title: "memory limit", meaning: "The cell built more strings and lists than the `maxMemoryBytes` policy allows, or after it the session's variables would keep more than `maxSessionMemoryBytes` (the cell's assignments are then undone, or every variable cleared when a value grew in place), or a read of a long string (65,536 characters or more: an index, a method, a comparison, a key, `print`) could copy it past the process's heap headroom (85% of the heap's limit): a string `+` built shares its operands until its first read copies it whole.", example: 'let s = "x"\nwhile (true) s = s + s' },
  { code: "E-ragsh-output-limit", title: "output limit", meaning: "The cell printed more than the `maxOutputBytes` policy allows.", example: 'while (true) print("spam")' },
  { code: "E-ragsh-call-limit", title: "call limit", meaning: "The session used up its budget of model, tool, agent or graph calls, or graph definitions.", example: 'tool_call({tool: "search", arguments: {query: "a"}})\ntool_call({tool: "search", arguments: {query: "b"}})', examplePolicy: { maxToolCalls: 1 } },
  { code: "E-ragsh-depth-limit", title: "depth limit", meaning: "Script functions recursed deeper than `maxCallDepth`, or runs nest deeper than `maxDepth` (a script that runs a graph whose node runs a script …).", example: "fn f(n) { return f(n + 1) }\nf(0)" },
  { code: "E-ragsh-timeout", title: "timeout", meaning: "The cell ran longer than the `timeoutMs` policy; the capability call in flight is cancelled.", example: 'tool_call({tool: "wait", arguments: {ms: 5000}})', examplePolicy: { timeoutMs: 50 } },
  { code: "E-ragsh-cancelled", title: "cancelled", meaning: "The host cancelled the running cell (Ctrl-C at the prompt); the capability call in flight is cancelled too. Variables the cell set before keep their values.", example: 'tool_call({tool: "wait", arguments: {ms: 5000}})', exampleCancelAfterMs: 50 },
  { code: "E-ragsh-cell-limit", title: "cell limit", meaning: "The session ran as many cells (or CodeAct steps) as the `maxCells` policy allows.", example: "1 + 1", examplePolicy: { maxCells: 0 } },
  { code: "E-ragsh-invalid-arguments", title: "invalid arguments", meaning: "A built-in got arguments of the wrong shape, or a tool's arguments fail its zod schema; the message names the field.", example: 'tool_call({tool: "search", arguments: {query: 42}})' },
  { code: "E-ragsh-capability-failed", title: "capability call failed", meaning: "A model, tool, agent or graph call failed; the message carries its error. The session and its variables are intact.", example: 'tool_call({tool: "broken", arguments: {}})' },
  { code: "E-ragsh-host-value", title: "non-plain value from the host", meaning: "A capability returned something other than plain data (a getter, a function, a class instance, a cycle); nothing but copies of plain data enters a session.", example: 'tool_call({tool: "leaky", arguments: {}})' },
  { code: "E-ragsh-value-limit", title: "value too deep or too large to leave the session", meaning: "A value passed out of the session (a capability's arguments, `JSON.stringify`) nests deeper than 64 levels or is larger than the `maxValueBytes` policy; values crossing the boundary are bounded and copied without recursion.", example: 'let d = {}\nfor (let i = 0; i < 70; i++) d = {d}\ntool_call({tool: "search", arguments: {query: "x", d}})' },
  { code: "E-ragsh-graph-invalid", title: "draft does not compile", meaning: "`graph_compile` got a draft with errors; `graph_validate` lists them with spans and fixes.", example: 'graph_compile(graph_define({name: "g", source: "graph g { start nope }"}))' },
  { code: "E-ragsh-review-required", title: "generated graph requires review", meaning: "A graph a model generated can be registered only with a review token for its hash (`reviewGeneratedGraphs` policy).", example: 'let c = graph_compile(graph_define({name: "g", source: "graph g { start a node a { kind set next END } }"}))\ngraph_register({graph: c})', exampleAuthor: "model" },
  { code: "E-ragsh-internal", title: "internal error", meaning: "A bug in the interpreter; the cell stops and the session stays usable. Please report it with the cell.", example: "" },
  { code: "W-ragsh-batch-item-failed", title: "batch item failed", meaning: "One item of a batched call failed; its result is `null` and the other items completed.", example: 'tool_call_batched([{tool: "search", arguments: {query: "a"}}, {tool: "broken", arguments: {}}])' },
  { code: "W-ragsh-value-truncated", title: "value cut at the session boundary", meaning: "The cell's value, its answer or event data was cyclic, nested deeper than 64 levels or larger than `maxValueBytes`: it is reported cut (`[circular]`, `[… deeper]`, `[… cut]`); the cell's variables are intact.", example: "let a = {}\na.self = a\na" },
];

/**
 * The diagnostics catalog: the one source of truth for every diagnostic code the
 * front end emits (after TypeScript's `diagnosticMessages.json`: keyed by a stable code,
 * not by message text). `docs/diagnostics.md` is generated from it, and the tests fail
 * when a code is emitted that the catalog lacks, or when an entry has no test.
 *
 * `example` is a complete `.rag` program that triggers the code (checked by a test),
 * compiled against `exampleRegistry` when given.
 */
import type { RegistrySnapshot } from "../registry-view.js";
import { severityOf, type Severity } from "../../grammar/diagnostic.js";

export interface CatalogEntry {
  readonly code: string;
  /** Short title. */
  readonly title: string;
  /** What it means and how to fix it. */
  readonly meaning: string;
  readonly example: string;
  readonly exampleRegistry?: RegistrySnapshot;
}

const REG: RegistrySnapshot = { models: ["default"], tools: ["search"], agents: ["researcher"], graphs: [], scripts: [], routers: [], reducers: ["append", "messages", "overwrite"], node_kinds: ["model", "agent", "tool_executor", "router", "subagent", "subgraph"], validators: [] };

export const CATALOG: readonly CatalogEntry[] = [
  // ── lexical ──
  { code: "E-rag-invalid-token", title: "invalid token", meaning: "A character that starts no token of the language (e.g. `@`). Remove it.", example: "graph @g { start a node a {} }" },
  { code: "E-rag-unterminated-string", title: "unterminated string", meaning: 'A quoted string runs to the end of its line (or a `"""` string to the end of the file). Close it; use `"""…"""` for text over several lines.', example: 'graph g { start a node a { prompt "hello } }' },
  { code: "E-rag-unterminated-comment", title: "unterminated block comment", meaning: "A `/*` comment is never closed by `*/`.", example: "graph g { start a node a {} } /* trailing" },
  { code: "E-rag-invalid-escape", title: "invalid escape", meaning: "A string holds an escape that is neither a JSON escape nor `\\u{…}` or `\\{`.", example: 'graph g { start a node a { prompt "bad \\q" } }' },
  { code: "E-rag-hash-comment", title: "`#` comment", meaning: "`#` does not start a comment in `.rag`; use `//`. A machine fix replaces it.", example: "# comment\ngraph g { start a node a {} }" },
  { code: "E-rag-invalid-duration", title: "invalid duration", meaning: "A duration is an integer and a unit (`250ms`, `30s`, `5m`, `2h`), a string such as `\"30s\"`, or a bare number of seconds.", example: 'graph g { start a node a { timeout "soon" } }' },
  { code: "E-rag-invalid-template", title: "invalid template", meaning: "A `{{` in a template is never closed, or holds no expression. Write `\\{{` for literal braces.", example: 'graph g { start a node a { prompt "Hi {{ state.name" } }' },
  { code: "E-rag-limit-exceeded", title: "limit exceeded", meaning: "The source exceeds a front-end limit (size, nesting, string length, nodes per graph, expression length). The limits protect the compiler; split the input or raise the limit.", example: "graph g { start a node a { prompt " + "[".repeat(70) + " } }" },
  // ── syntax ──
  { code: "E-rag-unexpected-token", title: "unexpected token", meaning: "The parser found a token where the grammar allows another: an unknown item, a missing name or brace, or a truncated file. Recovery continues, so every syntax error of a file is reported.", example: "graph g { start a node a { bogus 1 } }" },
  // ── declarations ──
  { code: "E-rag-duplicate-graph", title: "duplicate graph", meaning: "Two graphs of a file share a name.", example: "graph g { start a node a {} } graph g { start b node b {} }" },
  { code: "E-rag-duplicate-agent", title: "duplicate agent", meaning: "Two inline agents of a file share a name.", example: 'agent r { model "m" } agent r { model "m" } graph g { start a node a {} }' },
  { code: "E-rag-duplicate-schema", title: "duplicate schema", meaning: "Two schemas of a file share a name.", example: "schema S { a: string } schema S { b: string } graph g { start a node a {} }" },
  { code: "E-rag-duplicate-node", title: "duplicate node", meaning: "Two nodes of a graph share a name; the diagnostic points at both.", example: "graph g { start a node a {} node a {} }" },
  { code: "E-rag-duplicate-field", title: "duplicate field", meaning: "Two state fields or channels share a name (a channel is a state field), or a record repeats a field.", example: "graph g { start a channel x append channel x overwrite node a {} }" },
  { code: "E-rag-duplicate-route", title: "duplicate route", meaning: "A route label appears twice on one node, or a node has two `else` routes.", example: "graph g { start a node a { routes { ok -> END ok -> END } } }" },
  { code: "E-rag-duplicate-item", title: "duplicate item", meaning: "A node or agent gives the same item twice (e.g. two `model` items).", example: 'graph g { start a node a { model "x" model "y" } }' },
  { code: "E-rag-duplicate-start", title: "duplicate start", meaning: "A graph has more than one `start` item; use `START -> a` edges for several entries.", example: "graph g { start a start b node a {} node b {} }" },
  // ── graph structure ──
  { code: "E-rag-missing-start", title: "missing start", meaning: "A graph has no `start` item and no `START -> x` edge. When it has one node, a fix adds `start` for it.", example: "graph g { node a {} }" },
  { code: "E-rag-unknown-start", title: "unknown start", meaning: "The `start` item names no node of the graph.", example: "graph g { start missing node a {} }" },
  { code: "E-rag-unknown-node", title: "unknown node", meaning: "A `next`, route, `goto`, edge, join, `sources`, `on_error` or interrupt reference names no node. A fix applies when one name is close.", example: "graph g { start a node a { routes { go -> ghost } } }" },
  { code: "E-rag-start-as-target", title: "START as a target", meaning: "`START` can only begin an edge; it is never the target of a route, edge or join.", example: "graph g { start a node a { next START } }" },
  { code: "E-rag-unknown-send-target", title: "unknown send target", meaning: "A send target is not a node, an inline or registered agent, or a graph.", example: "graph g { start a node a { send [ghost] } }" },
  { code: "E-rag-conflicting-routing", title: "conflicting routing", meaning: "A node is routed two ways (`next`, `routes`, `command goto`, top-level edges). Keep one.", example: "graph g { start a node a { next b routes { x -> b } } node b {} }" },
  { code: "E-rag-join-without-send", title: "join without send", meaning: "`join X` waits for the node's fan-out, so the node needs a `send`.", example: "graph g { start a node a { join b } node b {} }" },
  { code: "E-rag-unknown-graph", title: "unknown graph", meaning: "A subgraph (`graph \"x\"`, or `model \"x\"` on a subgraph node) is not a graph of the file or the registry; or `--graph` names no graph of the file.", example: 'graph g { start a node a { kind subgraph graph "nope" } }', exampleRegistry: REG },
  { code: "E-rag-no-graph", title: "no graph", meaning: "A command that runs or compiles one graph was given a file that declares none.", example: "// only a comment" },
  // ── capabilities ──
  { code: "E-rag-invalid-node-kind", title: "invalid node kind", meaning: "`kind` names no node kind the registry grants.", example: "graph g { start a node a { kind wizard } }", exampleRegistry: REG },
  { code: "E-rag-unknown-model", title: "unknown model", meaning: "A model name is not registered.", example: 'graph g { start a node a { model "nope" } }', exampleRegistry: REG },
  { code: "E-rag-unknown-tool", title: "unknown tool", meaning: "A tool name is not registered (one diagnostic per tool).", example: 'graph g { start a node a { kind agent model "default" tools ["nope"] } }', exampleRegistry: REG },
  { code: "E-rag-unknown-agent", title: "unknown agent", meaning: "An agent name is neither an inline agent of the file nor registered.", example: 'graph g { start a node a { kind subagent agent "nope" } }', exampleRegistry: REG },
  { code: "E-rag-unknown-script", title: "unknown script", meaning: "A `.ragsh` script name is not registered.", example: 'graph g { start a node a { kind repl_agent script "nope" } }', exampleRegistry: REG },
  { code: "E-rag-unknown-route-function", title: "unknown route function", meaning: "A router's route function (`route \"fn\"`, or `model \"fn\"` on a router node) is not registered.", example: 'graph g { start a node a { kind router route "nope" } }', exampleRegistry: REG },
  { code: "E-rag-unknown-reducer", title: "unknown reducer", meaning: "A reducer (or the function of `aggregate \"fn\"`) is not granted by the registry.", example: "graph g { start a channel x nope node a {} }", exampleRegistry: REG },
  { code: "E-rag-unknown-validator", title: "unknown validator", meaning: "An output validator named by `validate [..]` is not registered.", example: 'graph g { start a node a { validate ["nope"] } }', exampleRegistry: REG },
  // ── state and types ──
  { code: "E-rag-unknown-type", title: "unknown type", meaning: "A type is neither built in nor a schema of the file.", example: "graph g { start a state { x: strng } node a {} }" },
  { code: "E-rag-invalid-type", title: "invalid type", meaning: "`list` and `map` take exactly one type argument; other types take none.", example: "graph g { start a state { x: list } node a {} }" },
  { code: "E-rag-unknown-field", title: "unknown field", meaning: "A write (`writes`, `set`, a send's `-> channel`) names no state field of the graph.", example: "graph g { start a channel results append node a { writes resluts } }" },
  { code: "E-rag-invalid-policy", title: "invalid policy", meaning: "A `checkpoint` or `interrupt` policy word is unknown.", example: "graph g { start a checkpoint sometimes node a {} }" },
  { code: "E-rag-invalid-value", title: "invalid value", meaning: "An item's value is out of range (e.g. `max_steps 0`).", example: "graph g { start a node a { max_steps 0 } }" },
  { code: "E-rag-internal", title: "internal error", meaning: "A validation rule crashed. This is a bug in ragraph; the other rules still ran.", example: "" },
  // ── warnings ──
  { code: "W-rag-unknown-node-kind", title: "not a built-in node kind", meaning: "Without a registry's kind list, a `kind` that is no built-in kind may still be a custom kind; check the spelling.", example: "graph g { start a node a { kind agnet } }" },
  { code: "W-rag-unknown-reducer", title: "not a built-in reducer", meaning: "Without a registry's reducer list, a reducer that is not built in may still be registered; check the spelling.", example: "graph g { start a channel x apend node a {} }" },
  { code: "W-rag-unknown-field", title: "update of an undeclared field", meaning: "A reference `command { update {…} }` key names no declared state field.", example: "graph g { start a node a { command { update { status \"x\" } } } }" },
  { code: "W-rag-unknown-key", title: "unknown setting", meaning: "A `retry` or `cache` block holds a key that is ignored.", example: "graph g { start a node a { retry { attempts 3 } } }" },
];

const BY_CODE = new Map(CATALOG.map((e) => [e.code, e]));

export function catalogEntry(code: string): CatalogEntry | undefined {
  return BY_CODE.get(code);
}

export function catalogSeverity(code: string): Severity {
  return severityOf(code);
}

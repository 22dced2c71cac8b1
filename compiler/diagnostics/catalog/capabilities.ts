/** Capability binding against the registry (`language.md` intro, §5). */
import type { CatalogEntry } from "./entry.js";
import { EXAMPLE_REGISTRY as REG } from "./entry.js";

export const CAPABILITIES: readonly CatalogEntry[] = [
  { code: "E-rag-invalid-node-kind", title: "invalid node kind", meaning: "`kind` names no node kind the registry grants.", example: "graph g { start a node a { kind wizard } }", exampleRegistry: REG },
  { code: "E-rag-unknown-model", title: "unknown model", meaning: "A model name is not registered.", example: 'graph g { start a node a { model "defualt" next END } }', exampleRegistry: REG },
  { code: "E-rag-unknown-tool", title: "unknown tool", meaning: "A tool name is not registered (one diagnostic per tool).", example: 'graph g { start a node a { kind agent model "default" tools ["nope"] } }', exampleRegistry: REG },
  { code: "E-rag-unknown-agent", title: "unknown agent", meaning: "An agent name is neither an inline agent of the file nor registered.", example: 'graph g { start a node a { kind subagent agent "nope" } }', exampleRegistry: REG },
  { code: "E-rag-unknown-script", title: "unknown script", meaning: "A `.ragsh` script name is not registered.", example: 'graph g { start a node a { kind repl_agent script "nope" } }', exampleRegistry: REG },
  { code: "E-rag-unknown-route-function", title: "unknown route function", meaning: "A router's route function (`route \"fn\"`, or `model \"fn\"` on a router node) is not registered.", example: 'graph g { start a node a { kind router route "nope" } }', exampleRegistry: REG },
  { code: "E-rag-unknown-reducer", title: "unknown reducer", meaning: "A reducer (or the function of `aggregate \"fn\"`) is not granted by the registry.", example: "graph g { start a channel x nope node a {} }", exampleRegistry: REG },
  { code: "E-rag-unknown-validator", title: "unknown validator", meaning: "An output validator named by `validate [..]` is not registered.", example: 'graph g { start a node a { validate ["nope"] } }', exampleRegistry: REG },
  { code: "E-rag-missing-binding", title: "node binds nothing to run", meaning: "A `subagent` node needs `agent \"NAME\"`, a `subgraph` node `graph \"NAME\"`, a `tool` node `tool \"NAME\"`. The node's own name binds nothing: a node is never bound to an agent, graph or tool because it shares its name, so what runs is always what the file names, checks and hashes. When the node's name is an agent (graph, tool) of the file or the registry, a fix adds the item.", example: "graph g { start researcher node researcher { kind subagent next END } }", exampleRegistry: REG },
];

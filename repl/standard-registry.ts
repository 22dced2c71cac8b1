/**
 * The registry users get from the public API and the CLI: the standard library's
 * (node kinds, providers) plus the REPL's `repl_agent` kind. It is built here because
 * `stdlib/` comes before `repl/` in the pipeline and cannot import it. The interpreter
 * is loaded on the first `repl_agent` task, so commands that never run one do not pay
 * for it at startup.
 */
import type { Blueprint } from "../compiler/index.js";
import type { NodeKindImplementation, RagConfig, Registry } from "../registry/index.js";
import { registryFromConfig as stdlibFromConfig, standardRegistry as stdlibRegistry } from "../stdlib/index.js";

const lazyReplAgent: NodeKindImplementation = async (task) => (await import("./codeact.js")).replAgentKind(task);

/** Every standard node kind, `repl_agent` included, and the provider factories. */
export function standardRegistry(): Registry {
  return stdlibRegistry().registerNodeKind("repl_agent", lazyReplAgent);
}

/** The standard registry with `config` applied and its middleware installed (a `repl_agent` of `config.nodeKinds` wins). */
export function registryFromConfig(config: RagConfig, loadGraph?: (path: string, name: string) => Blueprint): Registry {
  const r = stdlibFromConfig(config, loadGraph);
  if (!config.nodeKinds?.repl_agent) r.registerNodeKind("repl_agent", lazyReplAgent);
  return r;
}

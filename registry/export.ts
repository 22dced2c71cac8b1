/**
 * `rag registry export`: a JSON snapshot of a registry with names *and* shapes
 * (issue 15 §1), the file `rag check --registry` and `rag spec --registry` read.
 * Nothing executable and no secrets: provider objects, tool implementations and
 * prompts' model ids stay out; model capabilities, tool schemas, approval policies,
 * agents' and graphs' input/output, route labels and script descriptions go in.
 */
import type { RegistrySnapshot } from "../compiler/index.js";
import { BUILTIN_REDUCERS } from "../compiler/resolve/reducers.js";
import type { Registry } from "./registry.js";
import { registrySignatures } from "./signatures.js";

/** Format version of the snapshot. */
export const REGISTRY_SNAPSHOT_VERSION = 1;

const sorted = (xs: Iterable<string>) => [...xs].sort();

/** The snapshot of `registry` (names sorted, so the file diffs cleanly). */
export function exportRegistry(registry: Registry): RegistrySnapshot {
  const view = registry.view();
  const caps: NonNullable<RegistrySnapshot["model_capabilities"]> = {};
  const prices: NonNullable<RegistrySnapshot["model_prices"]> = {};
  for (const name of sorted(registry.models.keys())) {
    const m = registry.model(name);
    caps[name] = { ...m.capabilities };
    if (m.price) prices[name] = { ...m.price };
  }
  const sig = registrySignatures(registry);
  const pick = <T>(m: Readonly<Record<string, T>> | undefined) => Object.fromEntries(sorted(Object.keys(m ?? {})).map((k) => [k, m![k]]));
  return {
    version: REGISTRY_SNAPSHOT_VERSION,
    models: sorted(registry.models.keys()),
    tools: sorted(registry.tools.keys()),
    agents: sorted(registry.agents.keys()),
    graphs: sorted(registry.graphs.keys()),
    scripts: sorted(registry.scripts.keys()),
    routers: sorted(registry.routers.keys()),
    reducers: sorted([...BUILTIN_REDUCERS, ...registry.reducers.keys()].filter((r, i, a) => a.indexOf(r) === i)),
    node_kinds: sorted(view.nodeKinds ?? []),
    validators: sorted(registry.validators.keys()),
    model_capabilities: caps,
    model_prices: prices,
    ...(registry.policy ? { policy: registry.policy } : {}),
    signatures: { tools: pick(sig.tools), agents: pick(sig.agents), graphs: pick(sig.graphs), routers: pick(sig.routers), scripts: pick(sig.scripts) },
  };
}

/**
 * The registry's policy (`overview.md`: "policies and review gates"; `language.md` §5):
 * per capability kind (`CAPABILITY_KINDS`: models, tools, agents, graphs, scripts,
 * reducers, routers, validators, and `nodeKinds`, the registry's own node kinds), the
 * names any blueprint may bind; what untrusted blueprints may
 * bind, and whether they (or all blueprints) run only after a person approves their
 * hash. Which blueprints are untrusted is one rule (`isUntrusted`,
 * compiler/policy-view.ts): every `generatedBy` but `human` and `builder`; `untrusted`
 * only adds names to it. Declared in `rag.config.ts`:
 *
 *     defineConfig({
 *       policy: {
 *         name: "team",
 *         allow: { tools: ["search", "read_repo"] },
 *         untrusted: ["builder"],                // more generatedBy values to distrust (optional)
 *         untrustedAllow: { tools: ["search"], nodeKinds: [] },  // generated graphs: read-only tools, no custom node kind
 *         requireReview: "untrusted",            // or "all", or "none"
 *       },
 *     })
 *
 * The compiler sees it as a `PolicyView` (compiler/policy-view.ts) and reports
 * `E-rag-disallowed-capability` and `W-rag-review-required`; the runtime refuses to bind
 * an unapproved blueprint that requires review (`ReviewRequiredError`).
 */
import type { CapabilityAllowlist, PolicyView } from "../compiler/index.js";
import { CAPABILITY_KINDS } from "../compiler/policy-view.js";
import { RegistryError } from "./registry.js";

export interface PolicyConfig {
  /** Name shown in diagnostics and errors. Default `"policy"`. */
  readonly name?: string;
  /** Per capability kind, the names any blueprint may bind; kinds left out are unrestricted. */
  readonly allow?: CapabilityAllowlist;
  /**
   * More `provenance.generatedBy` values to treat as untrusted, on top of the rule that
   * distrusts every name but `human` and `builder` (`isUntrusted`): it can only add, so a
   * name left out of it is not trusted for that. Default none.
   */
  readonly untrusted?: readonly string[];
  /** Further limits for untrusted blueprints (intersected with `allow`). */
  readonly untrustedAllow?: CapabilityAllowlist;
  /** Which blueprints run only once their hash is approved. Default `"none"`. */
  readonly requireReview?: "none" | "untrusted" | "all";
}

/**
 * The names a policy adds to the untrusted ones when it does not say: none. (It was
 * `["model", "repl"]` when the list was the whole rule; every name but `human` and
 * `builder` is untrusted now whatever it holds.)
 */
export const DEFAULT_UNTRUSTED: readonly string[] = [];

/**
 * A validated `PolicyView` from a config.
 * @throws RegistryError for an unknown capability kind or review mode.
 */
export function resolvePolicy(config: PolicyConfig): PolicyView {
  const name = config.name ?? "policy";
  const check = (list: CapabilityAllowlist | undefined, where: string) => {
    for (const k of Object.keys(list ?? {})) {
      if (!(CAPABILITY_KINDS as readonly string[]).includes(k)) throw new RegistryError(`policy \`${name}\`: \`${where}.${k}\` is not a capability kind (${CAPABILITY_KINDS.join(", ")})`);
    }
  };
  check(config.allow, "allow");
  check(config.untrustedAllow, "untrustedAllow");
  const review = config.requireReview ?? "none";
  if (!["none", "untrusted", "all"].includes(review)) throw new RegistryError(`policy \`${name}\`: \`requireReview\` must be "none", "untrusted" or "all", not ${JSON.stringify(review)}`);
  return { name, allow: config.allow ?? {}, untrustedAllow: config.untrustedAllow ?? {}, untrusted: config.untrusted ?? DEFAULT_UNTRUSTED, review };
}

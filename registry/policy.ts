/**
 * The registry's policy (`overview.md`: "policies and review gates"; `language.md` §5):
 * per capability kind, the names any blueprint may bind; which generators' blueprints
 * are untrusted, what those may bind, and whether they (or all blueprints) run only
 * after a person approves their hash. Declared in `rag.config.ts`:
 *
 *     defineConfig({
 *       policy: {
 *         name: "team",
 *         allow: { tools: ["search", "read_repo"] },
 *         untrusted: ["model", "repl"],          // provenance.generatedBy values
 *         untrustedAllow: { tools: ["search"] },  // generated graphs: read-only tools only
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
  /** `provenance.generatedBy` values whose blueprints are untrusted. Default `["model", "repl"]`. */
  readonly untrusted?: readonly string[];
  /** Further limits for untrusted blueprints (intersected with `allow`). */
  readonly untrustedAllow?: CapabilityAllowlist;
  /** Which blueprints run only once their hash is approved. Default `"none"`. */
  readonly requireReview?: "none" | "untrusted" | "all";
}

/** The generators treated as untrusted when a policy does not say. */
export const DEFAULT_UNTRUSTED: readonly string[] = ["model", "repl"];

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

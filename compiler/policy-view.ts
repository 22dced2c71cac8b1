/**
 * What the compiler knows of a registry's policy (`language.md` §2.1 `allow`, §5
 * "disallowed capability under policy", "generated graph requires review";
 * `overview.md`: "generated source is untrusted until validated, policy-checked and
 * reviewed"). Plain data, so a JSON registry snapshot can carry it; `registry/policy.ts`
 * builds it from `defineConfig({ policy })`.
 *
 * Trust follows provenance, deny by default (`isUntrusted`, the one rule the compiler, the
 * review gate, the runtime's bind check and the REPL's session trust all use): a blueprint
 * or script whose `provenance.generatedBy` names anything but a person's own work
 * (`PERSON_AUTHORS`) is untrusted; the policy's `untrusted` list can only add names to
 * that. Untrusted blueprints bind only names that both `allow` and `untrustedAllow`
 * permit, and (with `review: "untrusted"`) run only once their hash is approved;
 * `review: "all"` gates every blueprint.
 */
import type { Provenance } from "./blueprint.js";

/**
 * Capability kinds of `allow` declarations and policies (`language.md` §2.1 CAP_KIND).
 * `nodeKinds` are the registry's own node kinds (`defineConfig({ nodeKinds })`): host code
 * a node runs by naming it (`kind send_email`); the built-in kinds (`NODE_KINDS`) are the
 * language's and no capability. There is no `stores` kind: nothing a blueprint names binds
 * a store (the checkpointer is the host's), so a `stores` list restricted nothing.
 */
export type CapabilityKind = "models" | "tools" | "agents" | "graphs" | "scripts" | "reducers" | "routers" | "validators" | "nodeKinds";

export const CAPABILITY_KINDS: readonly CapabilityKind[] = ["models", "tools", "agents", "graphs", "scripts", "reducers", "routers", "validators", "nodeKinds"];

/** Per capability kind, the names that may be bound; a kind left out is not restricted. */
export type CapabilityAllowlist = Partial<Record<CapabilityKind, readonly string[]>>;

export interface PolicyView {
  /** Shown in diagnostics: "disallowed by policy `team-default`". */
  readonly name: string;
  readonly allow: CapabilityAllowlist;
  /** Further limits for untrusted blueprints (intersected with `allow`). */
  readonly untrustedAllow: CapabilityAllowlist;
  /**
   * Further `provenance.generatedBy` values to distrust: only ever adds to `isUntrusted`'s
   * rule (every name but `PERSON_AUTHORS` is untrusted already), e.g. `builder` for a
   * project whose host code builds graphs from a model's output.
   */
  readonly untrusted: readonly string[];
  /** Which blueprints run only after their hash is approved. */
  readonly review: "none" | "untrusted" | "all";
}

/**
 * The `generatedBy` values that name a person's own work, compared without case: `human`
 * (a person wrote it; also what a file without a pragma is, the loading person's) and
 * `builder` (`GraphBuilder`'s default: the project's own TypeScript built it — host code,
 * as trusted as `rag.config.ts`, which could write any provenance it likes anyway).
 */
export const PERSON_AUTHORS: readonly string[] = ["human", "builder"];

/**
 * Whether a blueprint, or a `.ragsh` script, with this provenance is untrusted — the one
 * trust rule, used by the compiler (`allowedNames`, `reviewRequired`), the review gate
 * (`registry/review.ts`, the runtime's bind check) and the REPL (`isModelWritten`: a
 * script that lowers its session). Deny by default (`overview.md`: "generated source is
 * untrusted until validated, policy-checked and reviewed"):
 *
 * - no provenance: trusted, the work of the person who runs or loads it;
 * - `generatedBy` one of `PERSON_AUTHORS`: trusted, unless `policy.untrusted` lists it;
 * - anything else (`model`, `repl`, `gpt-5`, a name no one has seen before, a value that
 *   is not a string): untrusted, whatever `policy.untrusted` says — the list only adds.
 *
 * Names are compared without case (`Model` is `model`, `HUMAN` is `human`). The pragma is
 * self-declared, so the rule can only lower trust: a file that says `human` is trusted as
 * one without it is (docs/security.md).
 * `policy` undefined (no policy configured) applies the rule alone. Before, the compiler
 * distrusted only the names listed (default `model`, `repl`) while the REPL distrusted
 * every name but `human`: a `.rag` file saying `// rag:generated-by some-new-model`
 * compiled and ran as a person's while the same author's `.ragsh` lowered its session.
 */
export function isUntrusted(policy: Pick<PolicyView, "untrusted"> | undefined, provenance: Provenance | undefined): boolean {
  if (provenance === undefined) return false;
  const by: unknown = (provenance as { readonly generatedBy?: unknown } | null)?.generatedBy;
  if (typeof by !== "string") return true;
  const who = by.toLowerCase();
  if (!PERSON_AUTHORS.includes(who)) return true;
  const listed: unknown = policy?.untrusted;
  return Array.isArray(listed) && listed.some((u) => typeof u === "string" && u.toLowerCase() === who);
}

/** Whether a blueprint with this provenance needs an approved hash before it runs. */
export function reviewRequired(policy: PolicyView | undefined, provenance: Provenance | undefined): boolean {
  if (!policy) return false;
  return policy.review === "all" || (policy.review === "untrusted" && isUntrusted(policy, provenance));
}

/**
 * The names of `kind` a blueprint with this provenance may bind, or null when the
 * policy does not restrict the kind. `source` says which list decided.
 */
export function allowedNames(policy: PolicyView, kind: CapabilityKind, provenance: Provenance | undefined): { names: ReadonlySet<string>; untrusted: boolean } | null {
  const base = policy.allow[kind];
  const extra = isUntrusted(policy, provenance) ? policy.untrustedAllow[kind] : undefined;
  if (!base && !extra) return null;
  if (base && extra) return { names: new Set(base.filter((n) => extra.includes(n))), untrusted: true };
  return { names: new Set(base ?? extra), untrusted: Boolean(extra) };
}

/** Something that knows which blueprint hashes are approved (an approval store). */
export interface ApprovalView {
  isApproved(hash: string): boolean;
}

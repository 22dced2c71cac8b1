/**
 * What the compiler knows of a registry's policy (`language.md` §2.1 `allow`, §5
 * "disallowed capability under policy", "generated graph requires review";
 * `overview.md`: "generated source is untrusted until validated, policy-checked and
 * reviewed"). Plain data, so a JSON registry snapshot can carry it; `registry/policy.ts`
 * builds it from `defineConfig({ policy })`.
 *
 * Trust follows provenance: a blueprint whose `provenance.generatedBy` is listed in
 * `untrusted` is untrusted. Untrusted blueprints bind only names that both `allow` and
 * `untrustedAllow` permit, and (with `review: "untrusted"`) run only once their hash is
 * approved; `review: "all"` gates every blueprint.
 */
import type { Provenance } from "./blueprint.js";

/** Capability kinds of `allow` declarations and policies (`language.md` §2.1 CAP_KIND). */
export type CapabilityKind = "models" | "tools" | "agents" | "graphs" | "scripts" | "reducers" | "routers" | "stores" | "validators";

export const CAPABILITY_KINDS: readonly CapabilityKind[] = ["models", "tools", "agents", "graphs", "scripts", "reducers", "routers", "stores", "validators"];

/** Per capability kind, the names that may be bound; a kind left out is not restricted. */
export type CapabilityAllowlist = Partial<Record<CapabilityKind, readonly string[]>>;

export interface PolicyView {
  /** Shown in diagnostics: "disallowed by policy `team-default`". */
  readonly name: string;
  readonly allow: CapabilityAllowlist;
  /** Further limits for untrusted blueprints (intersected with `allow`). */
  readonly untrustedAllow: CapabilityAllowlist;
  /** `provenance.generatedBy` values whose blueprints are untrusted (e.g. `model`, `repl`). */
  readonly untrusted: readonly string[];
  /** Which blueprints run only after their hash is approved. */
  readonly review: "none" | "untrusted" | "all";
}

/**
 * Whether a blueprint with this provenance is untrusted under `policy`. Compared without
 * case: a model that wrote `// rag:generated-by Model` is a model (the pragma is the
 * author's own word; `requireReview: "all"` covers a file that leaves it out).
 */
export function isUntrusted(policy: PolicyView, provenance: Provenance | undefined): boolean {
  if (provenance === undefined) return false;
  const who = provenance.generatedBy.toLowerCase();
  return policy.untrusted.some((u) => u.toLowerCase() === who);
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

/**
 * Review gates, as one API for the CLI (`rag approve`), the runtime's bind check and the
 * REPL (`graph_register` review tokens): is a blueprint required to be reviewed under
 * the registry's policy, is its hash approved, and approving it.
 */
import type { Blueprint } from "../compiler/index.js";
import { isUntrusted, reviewRequired } from "../compiler/policy-view.js";
import type { Approval } from "./approvals.js";
import type { Registry } from "./registry.js";

export interface ReviewStatus {
  /** True when the policy gates this blueprint. */
  readonly required: boolean;
  /** True when its hash is approved (or no review is required). */
  readonly approved: boolean;
  /** True when its provenance makes it untrusted (`isUntrusted`: with or without a policy). */
  readonly untrusted: boolean;
  readonly hash: string;
  /** Policy name, when there is a policy. */
  readonly policy?: string;
}

/** The review status of `blueprint` under `registry.policy` and `registry.approvals`. */
export function reviewStatus(registry: Registry, blueprint: Pick<Blueprint, "hash" | "provenance">): ReviewStatus {
  const policy = registry.policy;
  const required = reviewRequired(policy, blueprint.provenance);
  return {
    required,
    approved: !required || registry.approvals.isApproved(blueprint.hash),
    untrusted: isUntrusted(policy, blueprint.provenance),
    hash: blueprint.hash,
    ...(policy ? { policy: policy.name } : {}),
  };
}

/** Approves exactly this blueprint version in `registry.approvals`. */
export function approveBlueprint(registry: Registry, blueprint: Pick<Blueprint, "id" | "hash" | "provenance">, by: { readonly approvedBy?: string; readonly note?: string; readonly source?: string } = {}): Approval {
  return registry.approvals.approve(blueprint, by);
}

/**
 * Review approvals: which blueprint hashes a person has approved to run (`language.md`
 * §7: "what review gates approve by hash"). An approval names one exact blueprint
 * version — the content hash covers every semantic detail and nothing else — so any
 * semantic change needs a new approval, and reformatting or comments never do.
 *
 * `ApprovalStore` is the contract (the CLI keeps approvals in `.rag/approvals.json`, see
 * approvals-file.ts; the REPL and the API can keep them in memory). The runtime asks
 * `registry.approvals` before it binds a blueprint that requires review.
 */
import type { ApprovalView, Blueprint } from "../compiler/index.js";

export interface Approval {
  /** `sha256:…` of the approved blueprint. */
  readonly hash: string;
  /** Graph id, for people reading the list. */
  readonly graph: string;
  /** Who approved it (a user name, a reviewer id). */
  readonly approvedBy?: string;
  /** ISO-8601 time of the approval. */
  readonly approvedAt: string;
  readonly note?: string;
  /** Who generated the blueprint, copied from its provenance. */
  readonly generatedBy?: string;
  /**
   * The `.rag` text that was approved (the whole file; the graph is `graph` in it), so a
   * reviewer of a later version sees the text and semantic diff against it. Optional:
   * records written before it existed, and sources over {@link APPROVED_SOURCE_MAX_CHARS},
   * have none.
   */
  readonly source?: string;
}

/** Largest approved source kept in an approval record (characters; 262,144). Larger sources are not kept. */
export const APPROVED_SOURCE_MAX_CHARS = 256 * 1024;

/** What an approval records besides the blueprint: who, why, and the approved source text. */
export interface ApprovalBy {
  readonly approvedBy?: string;
  readonly note?: string;
  readonly now?: Date;
  /** The approved `.rag` source (kept when at most {@link APPROVED_SOURCE_MAX_CHARS} long). */
  readonly source?: string;
}

export interface ApprovalStore extends ApprovalView {
  isApproved(hash: string): boolean;
  /** Records approval of exactly this blueprint version; approving again replaces the record. */
  approve(blueprint: Pick<Blueprint, "id" | "hash" | "provenance">, by?: ApprovalBy): Approval;
  /** Withdraws an approval; true when there was one. */
  revoke(hash: string): boolean;
  list(): Approval[];
}

/** Approvals held in memory (tests, the API, a REPL session). */
export class MemoryApprovalStore implements ApprovalStore {
  protected readonly byHash = new Map<string, Approval>();

  constructor(initial: readonly Approval[] = []) {
    for (const a of initial) this.byHash.set(a.hash, a);
  }

  isApproved(hash: string): boolean {
    return this.byHash.has(hash);
  }

  approve(blueprint: Pick<Blueprint, "id" | "hash" | "provenance">, by: ApprovalBy = {}): Approval {
    const a: Approval = {
      hash: blueprint.hash,
      graph: blueprint.id,
      ...(by.approvedBy ? { approvedBy: by.approvedBy } : {}),
      approvedAt: (by.now ?? new Date()).toISOString(),
      ...(by.note ? { note: by.note } : {}),
      ...(blueprint.provenance ? { generatedBy: blueprint.provenance.generatedBy } : {}),
      ...(typeof by.source === "string" && by.source.length <= APPROVED_SOURCE_MAX_CHARS ? { source: by.source } : {}),
    };
    this.byHash.set(a.hash, a);
    return a;
  }

  revoke(hash: string): boolean {
    return this.byHash.delete(hash);
  }

  list(): Approval[] {
    return [...this.byHash.values()];
  }
}

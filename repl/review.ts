/**
 * Review tokens for graphs a session generates (`repl.md` §3, `language.md` §5 "generated
 * graph requires review"): a reviewer approves a blueprint *hash* and gets a token; a
 * script passes the token to `graph_register({…, review})`. A token is bound to one hash,
 * so any semantic change to the graph (a new hash) needs a new review. The session never
 * issues tokens to the script itself: only the host (a person at the prompt, `:approve`,
 * or the embedding application) can call `approve`.
 */
export interface ApprovalStore {
  /** Records that `reviewer` approved `hash`; returns the token to pass to `graph_register`. */
  approve(hash: string, reviewer: string): string;
  /** The approval a token stands for, when it is valid for `hash`. */
  check(token: string, hash: string): { readonly reviewer: string } | undefined;
}

/** Approvals kept in memory for the life of the process. */
export class InMemoryApprovals implements ApprovalStore {
  private readonly tokens = new Map<string, { hash: string; reviewer: string }>();

  approve(hash: string, reviewer: string): string {
    const token = `review-${globalThis.crypto.randomUUID()}`;
    this.tokens.set(token, { hash, reviewer });
    return token;
  }

  check(token: string, hash: string): { readonly reviewer: string } | undefined {
    const a = this.tokens.get(token);
    return a && a.hash === hash ? { reviewer: a.reviewer } : undefined;
  }
}

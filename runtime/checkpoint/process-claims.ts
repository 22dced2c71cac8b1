/**
 * The claims (`Checkpointer.claim`) one process holds on the threads of a store: one run
 * or thread edit (`thread-hold.ts`) of a thread at a time within the process. The memory
 * store needs nothing more (it lives in one process); the Postgres store adds the thread's
 * advisory lock across processes (`lock`), which belongs to the process and so cannot tell
 * two runs of one process apart.
 */
import { ThreadBusyError } from "../errors.js";
import type { ThreadClaim } from "./types.js";

export class ProcessClaims {
  private readonly held = new Set<string>();

  /** The threads a run or edit of this process holds now: a copy, the caller's to change. */
  threads(): Set<string> {
    return new Set(this.held);
  }

  /**
   * Claims `threadId` for this process, then runs `lock` when given (e.g. take the thread's
   * lock in another store; when it throws, the claim is not kept).
   *
   * @throws ThreadBusyError when a run or edit of this process holds the thread, or what `lock` throws.
   */
  async claim(threadId: string, lock?: () => Promise<unknown>): Promise<ThreadClaim> {
    if (this.held.has(threadId)) throw new ThreadBusyError(threadId, `thread ${threadId} is busy: another run or edit of this process holds it; retry when it has ended`);
    this.held.add(threadId);
    if (lock) {
      try {
        await lock();
      } catch (e) {
        this.held.delete(threadId);
        throw e;
      }
    }
    let held = true;
    return {
      release: async () => {
        if (held) this.held.delete(threadId);
        held = false;
      },
    };
  }
}

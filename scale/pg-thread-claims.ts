/**
 * Claims of the Postgres store (`PostgresCheckpointer.claim`, `Checkpointer.claim`): one
 * run or thread edit (`runtime/thread-hold.ts`) of a thread at a time. Across processes
 * the thread's advisory lock decides (`pg-thread-locks.ts`), taken as the claim is made;
 * but that lock belongs to the process, which may run and edit a thread at once (a host
 * calling `updateState` during a run, two runs of one thread) — so the claims of this
 * process are kept here too, and a second one is refused while the first is held.
 */
import { ThreadBusyError } from "./errors.js";
import type { ThreadClaim } from "../runtime/index.js";

export class ThreadClaims {
  private readonly held = new Set<string>();

  /**
   * Claims `threadId` for this process, then runs `lock` (take the thread's advisory lock;
   * it throws ThreadBusyError when another process holds it, and the claim is then not kept).
   *
   * @throws ThreadBusyError when a run or edit of this process holds the thread, or `lock`'s.
   */
  async claim(threadId: string, lock: () => Promise<unknown>): Promise<ThreadClaim> {
    if (this.held.has(threadId)) throw new ThreadBusyError(threadId, `thread ${threadId} is busy: another run or edit of this process holds it; retry when it has ended`);
    this.held.add(threadId);
    try {
      await lock();
    } catch (e) {
      this.held.delete(threadId);
      throw e;
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

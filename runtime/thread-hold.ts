/**
 * Thread edits made outside a run — `updateState` (`rag runs update`, the server's
 * `POST …/state`), a fork (`rag runs fork`, `POST …/fork`), a branch at a child run's
 * checkpoint (`travelToSubgraph`) — hold the threads they read and write with the claim a
 * run takes (`Checkpointer.claim`: a lease row in SQLite, a row of this process plus the
 * thread's advisory lock in Postgres, a mark in memory). An edit racing a live run of the
 * thread is refused with `ThreadBusyError` naming the thread, and a run started while an
 * edit holds it is refused the same way. Before, an edit read the thread's head while a
 * run was writing past it: the run's next checkpoint then hid the edit (or the edit the
 * run's step), and the edit copied spend records the run was still writing.
 *
 * The run's own edits (a resume's `update`, a time travel before it resumes) are made
 * under the run's claim, with the `…Held` forms.
 */
import type { Checkpointer, ThreadClaim } from "./checkpoint/types.js";

/**
 * Runs `work` while holding each of `threadIds` (a store without `claim` holds nothing),
 * releasing them when it settles.
 *
 * @throws ThreadBusyError when a run (or another edit) holds one of them; nothing is read or written then.
 */
export async function holdingThreads<T>(saver: Checkpointer, threadIds: readonly string[], work: () => Promise<T>): Promise<T> {
  const claims: ThreadClaim[] = [];
  try {
    // An edit is over in milliseconds, far within a SQLite lease (renewed every 10 s):
    // a lease lost meanwhile would only matter to a run, which `onLost` cancels.
    if (saver.claim) for (const id of new Set(threadIds)) claims.push(await saver.claim(id, () => undefined));
    return await work();
  } finally {
    for (const c of claims.reverse()) await c.release();
  }
}

/**
 * The budgets a built-in method (`methods.ts`) or search helper (`search.ts`) charges
 * while it runs: what they need from the running cell, and nothing else.
 */

/** What methods need from the running cell. */
export interface MethodRuntime {
  /** Charges `units` (≈ bytes) to the cell's memory budget; throws E-ragsh-memory-limit past it. */
  alloc(units: number): void;
  /**
   * Charges native work (`units` ≈ characters or items scanned) to the operation budget
   * and checks the clock: a built-in calls it before (and, for long work, during) the work.
   * Throws E-ragsh-operation-limit or E-ragsh-timeout.
   */
  work(units: number): void;
  /**
   * Called before a read of a string's characters that may make V8 copy a rope flat
   * (`heap-headroom.ts`): a long string's copy must fit the process's heap headroom.
   * Throws E-ragsh-memory-limit when it would not. Absent: no check.
   */
  readChars?(s: string): void;
}

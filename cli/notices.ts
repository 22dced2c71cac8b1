/**
 * One printer for the notices of the scale-out stage (split out of `commands/worker.ts`):
 * `rag worker` prints its `RunWorker` notices with it, `rag run|resume|serve --queue`
 * the run log's (`unsealed_entry`).
 */
import { printableId } from "../stdlib/printable.js";

/** Longest notice message printed, characters (the rest is cut with `…`). */
const NOTICE_CHARS = 300;
/** At most this many notices are printed per second; the rest are counted and reported with the next one printed. */
const NOTICES_PER_SECOND = 5;

/**
 * Prints notices of what was refused from Redis (a worker's forged or replayed
 * cancellation, a run-log entry that does not open: text whoever can write to Redis chose)
 * one line each, `<label>: <code>: <message>`, control characters escaped (no terminal
 * escapes), cut at `NOTICE_CHARS`, and at most `NOTICES_PER_SECOND` a second, so a flood
 * of forged messages cannot flood the log.
 *
 * @param label what prints them (`worker`, `queue`).
 */
export function noticePrinter(write: (line: string) => void, now: () => number = Date.now, label = "worker"): (n: { readonly code: string; readonly message: string; readonly target?: string }) => void {
  let second = -1;
  let printed = 0;
  let dropped = 0;
  return (n) => {
    const s = Math.floor(now() / 1000);
    if (s !== second) {
      second = s;
      printed = 0;
    }
    if (printed >= NOTICES_PER_SECOND) {
      dropped++;
      return;
    }
    printed++;
    const text = n.message.length > NOTICE_CHARS ? `${n.message.slice(0, NOTICE_CHARS)}…` : n.message;
    const more = dropped ? ` (${dropped} more notice${dropped === 1 ? "" : "s"} not shown)` : "";
    dropped = 0;
    write(`${label}: ${printableId(n.code)}: ${printableId(text)}${more}\n`);
  };
}

/**
 * Files a long-lived command watches for edits (`rag lsp`, `rag studio`: a config, the
 * project files it imports, an approvals file, where a config may appear), grouped by
 * owner so that what one config watched stops with it. Polling: an editor's save that
 * replaces the file (a new inode) is seen too, where `fs.watch` would lose it. Each file's
 * status is read once when the watch starts, synchronously, and every poll compares with
 * the last status read: with `fs.watchFile` the first status was read later, on the
 * thread pool, so a file created or saved in between (a loaded machine) became its
 * starting point and was never reported. Never keeps the process alive.
 */
import { stat, statSync, type Stats } from "node:fs";

/** How often a watched file's status is read, ms. */
export const WATCH_INTERVAL_MS = 300;

/** What a poll compares: absent, or the file's modification time, size and inode. */
type Seen = { readonly mtimeMs: number; readonly size: number; readonly ino: number } | null;

const seenOf = (s: Stats | undefined): Seen => (s ? { mtimeMs: s.mtimeMs, size: s.size, ino: s.ino } : null);
const same = (a: Seen, b: Seen): boolean => (a === null || b === null ? a === b : a.mtimeMs === b.mtimeMs && a.size === b.size && a.ino === b.ino);

function statNow(file: string): Seen {
  try {
    return seenOf(statSync(file));
  } catch {
    return null;
  }
}

export class FileWatches {
  private readonly byOwner = new Map<string, Map<string, () => void>>();

  constructor(private readonly intervalMs = WATCH_INTERVAL_MS) {}

  /** Calls `onChange` when `file` changes from how it is now (created, removed, content, size, or the file replaced); once per owner and file. */
  watch(owner: string, file: string, onChange: () => void): void {
    let files = this.byOwner.get(owner);
    if (!files) this.byOwner.set(owner, (files = new Map()));
    if (files.has(file)) return;
    let last = statNow(file);
    let busy = false;
    let stopped = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      stat(file, (err, s) => {
        busy = false;
        if (stopped) return;
        const now = err ? null : seenOf(s);
        if (same(now, last)) return;
        last = now;
        onChange();
      });
    }, this.intervalMs);
    timer.unref();
    files.set(file, () => {
      stopped = true;
      clearInterval(timer);
    });
  }

  /** Stops watching every file of `owner`. */
  unwatch(owner: string): void {
    for (const stop of this.byOwner.get(owner)?.values() ?? []) stop();
    this.byOwner.delete(owner);
  }

  /** Stops everything. */
  close(): void {
    for (const owner of [...this.byOwner.keys()]) this.unwatch(owner);
  }
}

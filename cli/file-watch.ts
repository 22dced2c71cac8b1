/**
 * Files a long-lived command watches for edits (`rag lsp`, `rag studio`: a config, the
 * project files it imports, an approvals file), grouped by owner so that what one config
 * watched stops with it. Polling (`fs.watchFile`): an editor's save that replaces the file
 * (a new inode) is seen too, where `fs.watch` would lose it. Never keeps the process alive.
 */
import { unwatchFile, watchFile, type Stats } from "node:fs";

/** How often a watched file's status is read, ms. */
export const WATCH_INTERVAL_MS = 300;

export class FileWatches {
  private readonly byOwner = new Map<string, Map<string, () => void>>();

  constructor(private readonly intervalMs = WATCH_INTERVAL_MS) {}

  /** Calls `onChange` when `file` changes (content, size, or the file replaced); once per owner and file. */
  watch(owner: string, file: string, onChange: () => void): void {
    let files = this.byOwner.get(owner);
    if (!files) this.byOwner.set(owner, (files = new Map()));
    if (files.has(file)) return;
    const listener = (cur: Stats, prev: Stats) => {
      if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size || cur.ino !== prev.ino) onChange();
    };
    watchFile(file, { interval: this.intervalMs, persistent: false }, listener);
    files.set(file, () => unwatchFile(file, listener));
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

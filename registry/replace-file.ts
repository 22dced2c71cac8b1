/**
 * Replacing a file's content in a folder that may come with a cloned repository
 * (`.rag/approvals.json`, a studio save, a kept blueprint, the REPL history, the config
 * transpile cache): written to `PATH.<pid>.tmp`, then renamed over `PATH`. The temporary
 * name is guessable, so whatever is there is removed first (unlink removes a link, not its
 * target) and the file is created exclusively (O_EXCL fails on any existing path, links
 * included); the rename replaces a link planted at `PATH` instead of writing through it.
 */
import { renameSync, rmSync, writeFileSync } from "node:fs";

/**
 * Replaces `path` with `text` (its folder must exist); `mode` for a new file (e.g. 0o600).
 * @throws the file system's error; the temporary file is removed.
 */
export function replaceFile(path: string, text: string, mode?: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  try {
    writeFileSync(tmp, text, mode !== undefined ? { flag: "wx", mode } : { flag: "wx" });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

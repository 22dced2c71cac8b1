/**
 * `mkdir -p` one level at a time, in place of Node's `mkdirSync(dir, { recursive: true })`
 * (and `fs.promises.mkdir`'s), which never returns under /proc: its walk takes ENOENT
 * from `mkdir(child)` to mean "the parent is missing", makes the parent (EEXIST: fine)
 * and tries the child again — but procfs answers ENOENT for any new name, so the walk
 * spins at full CPU for good (`rag init /proc/x` hung; the same walk was reached from
 * `--checkpoints`, `--history` and the studio). Here the folders that are missing are
 * found first (walking up to the nearest entry that exists), then made top-down with a
 * plain `mkdir`, and once a folder's parent exists an ENOENT for it is final. The same
 * loop is known elsewhere (Bun's recursive mkdir, oven-sh/bun#36162).
 */
import { mkdirSync, statSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * Makes `dir` and the folders missing above it; nothing when it is a folder already
 * (links followed, as `mkdir -p` does). `mode` applies to the folders made (default
 * 0o777 less the umask).
 * @throws an ErrnoException (`code`, `path`) naming the folder that could not be made:
 *   ENOTDIR when an entry on the way is not a folder, EEXIST when `dir` is a file,
 *   ENOENT when the file system refuses a new folder under one that exists (/proc, /sys),
 *   EACCES, EROFS, ENOSPC, …
 */
export function makeFolders(dir: string, mode?: number): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    const st = statOrMissing(at);
    if (st === "missing") {
      missing.push(at);
      at = dirname(at);
      continue;
    }
    if (!st.isDirectory()) throw errno(missing.length ? "ENOTDIR" : "EEXIST", at, missing.length ? `${at} is not a folder` : `${at} exists and is not a folder`);
    break;
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder, mode === undefined ? undefined : { mode });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EEXIST") {
        const st = statOrMissing(folder);
        if (st !== "missing" && st.isDirectory()) continue; // made meanwhile
      }
      if (code === "ENOENT") throw errno("ENOENT", folder, `cannot create folder ${folder}: ${dirname(folder)} exists but takes no new folders (a kernel file system such as /proc or /sys?)`);
      throw e;
    }
  }
}

/** `statSync`, or "missing" for ENOENT (a dangling link included); other errors (EACCES, ELOOP, …) thrown. */
function statOrMissing(path: string): Stats | "missing" {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" && dirname(path) !== path) return "missing";
    throw e;
  }
}

function errno(code: string, path: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code, path, syscall: "mkdir" });
}

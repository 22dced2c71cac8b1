/**
 * Writing a file into a folder a cloned repository may fill (`.rag/repl_history`,
 * `.rag/approved/<hash>.json`). The REPL history and the studio's kept blueprints had
 * near-copies of this with different guards: the history followed a `.rag` that was a
 * link (every typed cell went wherever the link pointed), and the kept blueprints checked
 * only their last folder, so a `.rag` link still led elsewhere. One rule for both: the
 * folders from `root` down to the file's own are made one at a time and each must be a
 * real folder (lstat, never followed), or nothing is written; the file is replaced by a
 * temporary file and a rename (replace-file.ts), so a link at its name is replaced, never
 * written through; `mode` (0o600 for what may hold secrets) applies on every write, the
 * temporary file being always new. The layout is checked when written: a folder swapped
 * for a link between the check and the rename (a process racing this one, not a cloned
 * repository) is outside what this guards.
 */
import { lstatSync, mkdirSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { makeFolders } from "./make-folders.js";
import { replaceFile } from "./replace-file.js";

export interface ProjectFileOptions {
  /**
   * The folder taken as it is (the project's, or the one a user named): the folders below
   * it down to the file's folder are made as needed and must be real folders, not links.
   * Folders above it are not checked (a home reached through a link is common).
   */
  readonly root: string;
  /** Permission bits of the file (0o600 when it may hold secrets); default 0o666 less the umask. */
  readonly mode?: number;
}

/**
 * Replaces the file at `path` with `text`. Returns false, writing nothing, when a folder
 * between `o.root` and the file is a link or not a folder.
 * @throws Error when `path` is not inside `o.root` (a caller's mistake); the file system's
 *   error otherwise (EACCES, ENOSPC, …), no temporary file left behind.
 */
export function writeProjectFile(path: string, text: string, o: ProjectFileOptions): boolean {
  const root = resolve(o.root);
  const rel = relative(root, resolve(dirname(path)));
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw new Error(`writeProjectFile: ${path} is not inside ${o.root}`);
  makeFolders(root);
  let dir = root;
  for (const part of rel ? rel.split(sep) : []) {
    dir = join(dir, part);
    try {
      mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    if (!lstatSync(dir).isDirectory()) return false;
  }
  replaceFile(path, text, o.mode);
  return true;
}

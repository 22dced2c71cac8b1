/**
 * The prompt's history file (`rag repl`: `.rag/repl_history` of the project). The folder
 * is the project's, which a cloned repository may fill: the file is read only when it is
 * a regular file of bounded size (a link to /dev/zero, or a FIFO, hung the prompt at
 * start), and written by `writeProjectFile` (registry/project-file.ts): a link planted at
 * its name is replaced rather than written through (a link to `~/.bashrc` took every
 * typed cell there at exit), nothing is written when `.rag` is a link, and the file is
 * private to the user (0o600: a typed cell may hold a key or a password).
 */
import { dirname } from "node:path";
import { writeProjectFile } from "../registry/project-file.js";
import { readTextFile } from "../runtime/read-text-file.js";

/** Largest history file read, bytes (1,000 entries of long cells fit well within it). */
const MAX_HISTORY_BYTES = 8 * 1024 * 1024;

/** The file's text; `""` when it is absent, not a regular file, or over `MAX_HISTORY_BYTES`. */
export function readHistoryFile(path: string): string {
  try {
    return readTextFile(path, MAX_HISTORY_BYTES, { noFollow: true });
  } catch {
    return "";
  }
}

/**
 * Replaces the file with `text`, mode 0o600, never writing through a link at its name or
 * at the temporary one. `root` is the folder taken as it is (the project's, or the file's
 * own when a user named it): the folders below it are made as needed, and when one is a
 * link nothing is written (returns false).
 * @throws the file system's error (EACCES, ENOSPC, …).
 */
export function writeHistoryFile(path: string, text: string, root: string = dirname(path)): boolean {
  return writeProjectFile(path, text, { root, mode: 0o600 });
}

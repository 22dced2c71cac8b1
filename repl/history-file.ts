/**
 * The prompt's history file (`rag repl`: `.rag/repl_history` of the project). The folder
 * is the project's, which a cloned repository may fill: the file is read only when it is
 * a regular file of bounded size (a link to /dev/zero, or a FIFO, hung the prompt at
 * start), and written through a temporary file and a rename, so a link planted at its
 * name is replaced rather than written through (a link to `~/.bashrc` took every typed
 * cell there at exit).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { replaceFile } from "../registry/replace-file.js";
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

/** Replaces the file with `text` (its folder made as needed), never writing through a link at its name or at the temporary one. */
export function writeHistoryFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  replaceFile(path, text);
}

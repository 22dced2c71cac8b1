/**
 * The blueprints a studio approval keeps beside the approvals file
 * (`.rag/approved/<hex of the hash>.json`), for the review's diff against the last
 * approved version. The folder is the project's, which a cloned repository may fill:
 * a kept file is read only when it is a regular file (not a link, a FIFO or a device)
 * of bounded size, and written by `writeProjectFile` (registry/project-file.ts), so a
 * link planted at its name is replaced rather than written through (a link to
 * `~/.bashrc` took the blueprint's JSON there at the next approval), and nothing is kept
 * when `.rag` or `.rag/approved` is a link.
 */
import type { Blueprint } from "../compiler/index.js";
import { writeProjectFile } from "../registry/project-file.js";
import { readTextFile } from "../runtime/read-text-file.js";

/** Largest kept blueprint read, bytes (a 1 MiB source's blueprint is well under it). */
const MAX_KEPT_BYTES = 32 * 1024 * 1024;

/** The blueprint kept at `path`; undefined when there is none, or it is not a regular file of at most `MAX_KEPT_BYTES` holding a JSON object. */
export function readKeptBlueprint(path: string): Blueprint | undefined {
  try {
    const v: unknown = JSON.parse(readTextFile(path, MAX_KEPT_BYTES, { noFollow: true }));
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Blueprint) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps `bp` at `path`, replacing whatever is there — a link included — without
 * following it. `root` is the folder taken as it is (the project's, holding `.rag`): the
 * folders below it are made as needed, and nothing is kept when one is a link (the
 * record's source still gives the review its diff). Returns whether it was kept.
 * @throws the file system's error (EACCES, ENOSPC, …).
 */
export function writeKeptBlueprint(path: string, bp: Blueprint, root: string): boolean {
  return writeProjectFile(path, JSON.stringify(bp), { root });
}

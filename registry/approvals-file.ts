/**
 * An `ApprovalStore` kept in a JSON file (the CLI's `.rag/approvals.json` beside the
 * project's rag.config.ts): `{"version": 1, "approvals": [Approval, …]}`. A record may
 * carry the approved `source` text (added later; still version 1: older records without
 * it read as before, and a `source` that is not a string is dropped on read). Read at
 * construction, written (pretty-printed, via a temporary file and a rename, so a crash
 * never leaves half a file) on every change. A file in a `.rag` folder is written only when
 * that `.rag` is a real folder of the project, never a link (a cloned repository's `.rag`
 * may point anywhere; project-file.ts, as the REPL history and kept blueprints are).
 * Node-only, unlike approvals.ts.
 */
import { readFileSync, statSync } from "node:fs";
import { basename, dirname } from "node:path";
import { MemoryApprovalStore, type Approval } from "./approvals.js";
import { RegistryError } from "./registry-error.js";
import { writeProjectFile } from "./project-file.js";

export class FileApprovalStore extends MemoryApprovalStore {
  /** The file's identity when it was last read or written (`""`: absent). */
  private stamp: string;

  /** @throws RegistryError when the file exists but is not an approvals file. */
  constructor(readonly path: string) {
    super(readApprovals(path));
    this.stamp = stampOf(path);
  }

  /**
   * True when `hash` is approved in the file as it is now: a file another process changed
   * (`rag approve --revoke`, the studio) is read again first. A long-lived holder — a
   * `rag worker`, a host's registry — read it once at start and kept running a blueprint
   * after its approval was revoked (issue 10, second red-team round).
   * @throws RegistryError when the file was replaced by one that is not an approvals file.
   */
  override isApproved(hash: string): boolean {
    this.refresh();
    return super.isApproved(hash);
  }

  override list(): Approval[] {
    this.refresh();
    return super.list();
  }

  override approve(...args: Parameters<MemoryApprovalStore["approve"]>): Approval {
    this.refresh();
    const a = super.approve(...args);
    this.save();
    return a;
  }

  override revoke(hash: string): boolean {
    this.refresh();
    const had = super.revoke(hash);
    if (had) this.save();
    return had;
  }

  /** Reads the file again when its identity (inode, size, mtime) changed since last read or written. */
  private refresh(): void {
    const now = stampOf(this.path);
    if (now === this.stamp) return;
    const fresh = readApprovals(this.path);
    this.byHash.clear();
    for (const a of fresh) this.byHash.set(a.hash, a);
    this.stamp = now;
  }

  /** @throws RegistryError when a folder between the project and the file is a link. */
  private save(): void {
    const dir = dirname(this.path);
    const root = basename(dir) === ".rag" ? dirname(dir) : dir;
    const text = JSON.stringify({ version: 1, approvals: super.list() }, null, 2) + "\n";
    if (!writeProjectFile(this.path, text, { root })) {
      this.stamp = "\0"; // what is held now is not what the file says: read it again
      this.refresh();
      throw new RegistryError(`${this.path} was not written: ${dir} is a link or not a folder (approvals are kept only in the project's own .rag folder)`);
    }
    this.stamp = stampOf(this.path);
  }
}

/** The file's inode, size and modification time in nanoseconds, or `""` when it is absent. */
function stampOf(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return "";
  }
}

/** Largest approvals file read, bytes. */
const MAX_APPROVALS_BYTES = 64 * 1024 * 1024;

function readApprovals(path: string): Approval[] {
  let text: string;
  try {
    // The project's own file, but a FIFO or a device there must not hang or flood `check`/`run`.
    const st = statSync(path);
    if (!st.isFile()) throw new RegistryError(`${path} is not a regular file`);
    if (st.size > MAX_APPROVALS_BYTES) throw new RegistryError(`${path} is ${st.size} bytes, over the limit of ${MAX_APPROVALS_BYTES}`);
    text = readFileSync(path, "utf8");
  } catch (e) {
    if (e instanceof RegistryError) throw e;
    return [];
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new RegistryError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const list = data && typeof data === "object" ? (data as { approvals?: unknown }).approvals : undefined;
  if (!Array.isArray(list) || !list.every((a) => a && typeof a === "object" && typeof (a as Approval).hash === "string")) {
    throw new RegistryError(`${path} is not an approvals file: expected {"version": 1, "approvals": [{"hash": …}, …]}`);
  }
  return (list as Approval[]).map((a) => {
    if (a.source === undefined || typeof a.source === "string") return a;
    const { source: _dropped, ...rest } = a;
    void _dropped;
    return rest;
  });
}

/**
 * An `ApprovalStore` kept in a JSON file (the CLI's `.rag/approvals.json` beside the
 * project's rag.config.ts): `{"version": 1, "approvals": [Approval, …]}`. A record may
 * carry the approved `source` text (added later; still version 1: older records without
 * it read as before, and a `source` that is not a string is dropped on read). Read at
 * construction, written (pretty-printed, via a temporary file and a rename, so a crash
 * never leaves half a file) on every change. Node-only, unlike approvals.ts.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { MemoryApprovalStore, type Approval } from "./approvals.js";
import { RegistryError } from "./registry-error.js";

export class FileApprovalStore extends MemoryApprovalStore {
  /** @throws RegistryError when the file exists but is not an approvals file. */
  constructor(readonly path: string) {
    super(readApprovals(path));
  }

  override approve(...args: Parameters<MemoryApprovalStore["approve"]>): Approval {
    const a = super.approve(...args);
    this.save();
    return a;
  }

  override revoke(hash: string): boolean {
    const had = super.revoke(hash);
    if (had) this.save();
    return had;
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, approvals: this.list() }, null, 2) + "\n");
    renameSync(tmp, this.path);
  }
}

function readApprovals(path: string): Approval[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new RegistryError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const list = (data as { approvals?: unknown }).approvals;
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

/**
 * Signed cancellations: a worker stops a run (or one branch job) only when a holder of the
 * deployment's queue secret asked. Cancellations travel through Redis — a key read when a
 * job starts (`P:run:{runId}:cancel`) and a pub/sub message to running workers (`P:cancel`)
 * — and anyone who can write to Redis could set that key or publish that message: a Redis
 * writer cancelled any run on any machine. Each now carries a tag, the HMAC-SHA256
 * (RFC 2104) of what it cancels under the queue secret (`job-signature.ts` says where the
 * secret lives); a worker checks it (`timingSafeEqual`) and ignores a cancellation whose
 * tag does not match, reporting it (`RunWorkerOptions.onNotice`, `forged_cancel`).
 *
 * What a tag names: `run:<runId>` (a whole run: run ids are never reused, so a tag read
 * from Redis and published again cancels only the run it was made for, which its owner
 * already cancelled) or `branch:<runId>:<jobId>` (one branch job its run stopped waiting
 * for: a branch job id comes back when a resume hands the branch over again, under a new
 * run id, so an old tag does not abort it).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** What a cancellation stops: a run, or one branch job of a run. */
export type CancelTarget = { readonly run: string } | { readonly run: string; readonly branchJob: string };

/** The text a target is tagged and published as (`run:<runId>`, `branch:<runId>:<jobId>`). */
export function cancelTargetText(t: CancelTarget): string {
  return "branchJob" in t ? `branch:${t.run}:${t.branchJob}` : `run:${t.run}`;
}

/** The tag of a cancellation of `target`: hex HMAC-SHA256 under the queue secret (64 characters). */
export function cancelTag(secret: Uint8Array, target: CancelTarget): string {
  return createHmac("sha256", secret).update("ragraph-queue-cancel-v1\0").update(cancelTargetText(target)).digest("hex");
}

/** True when `tag` (as read from Redis: anything) is the tag of `target` under `secret`. */
export function cancelTagValid(secret: Uint8Array, target: CancelTarget, tag: unknown): boolean {
  if (typeof tag !== "string" || !/^[0-9a-f]{64}$/.test(tag)) return false;
  const given = Buffer.from(tag, "hex");
  const expected = Buffer.from(cancelTag(secret, target), "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A cancellation message as published: the target's text, a space, its tag. */
export function cancelMessage(secret: Uint8Array, target: CancelTarget): string {
  return `${cancelTargetText(target)} ${cancelTag(secret, target)}`;
}

/**
 * A published cancellation message read back (untrusted: any Redis peer can publish),
 * checked: its target when the tag matches; `forged` with what it claimed to cancel when it
 * names a target but the tag does not match (or is missing); undefined for anything else.
 */
export function readCancelMessage(secret: Uint8Array, message: string): { target: CancelTarget } | { forged: string } | undefined {
  if (message.length > 2048) return { forged: `${message.slice(0, 64)}…` };
  const space = message.lastIndexOf(" ");
  const text = space < 0 ? message : message.slice(0, space);
  const tag = space < 0 ? undefined : message.slice(space + 1);
  let target: CancelTarget | undefined;
  if (text.startsWith("run:")) target = { run: text.slice(4) };
  else if (text.startsWith("branch:")) {
    const rest = text.slice(7);
    const colon = rest.lastIndexOf(":");
    if (colon > 0) target = { run: rest.slice(0, colon), branchJob: rest.slice(colon + 1) };
  }
  if (!target || !target.run) return { forged: text };
  return cancelTagValid(secret, target, tag) ? { target } : { forged: text };
}

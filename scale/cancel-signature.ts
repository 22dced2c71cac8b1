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
 * What a tag names: `run:<runId>` (a whole run: run ids are never reused, and a run's
 * cancellation is final — recorded in Postgres before it is published, and a worker
 * refuses any later job of that run, `PgQueueStore.claimQueueRun` — so a tag read from
 * Redis and published again reaches only a run that already ended) or
 * `branch:<runId>:<jobId>:<nonce>` (one hand-over of a branch job its run stopped waiting
 * for). A branch job id comes back — under a new run id when a resume hands the branch over
 * again, under the same run id when a later attempt of the run (its worker died) does — so
 * the tag names the hand-over too: the random `nonce` in the branch job's signed data
 * (`BranchJobData.nonce`), fresh at each hand-over. An abort replayed against a later
 * hand-over names an old nonce, and the worker refuses it (`replayed_cancel`).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** What a cancellation stops: a run, or one hand-over of a branch job of a run (`nonce`: the job's, `BranchJobData.nonce`). */
export type CancelTarget = { readonly run: string } | { readonly run: string; readonly branchJob: string; readonly nonce: string };

/** The text a target is tagged and published as (`run:<runId>`, `branch:<runId>:<jobId>:<nonce>`). */
export function cancelTargetText(t: CancelTarget): string {
  return "branchJob" in t ? `branch:${t.run}:${t.branchJob}:${t.nonce}` : `run:${t.run}`;
}

/** The tag of a cancellation of `target`: hex HMAC-SHA256 under the queue secret (64 characters). */
export function cancelTag(secret: Uint8Array, target: CancelTarget): string {
  return createHmac("sha256", secret).update("ragraph-queue-cancel-v2\0").update(cancelTargetText(target)).digest("hex");
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
    // `<runId>:<jobId>:<nonce>`: job ids and nonces hold no colon, so they are split off the end.
    const rest = text.slice(7);
    const n = rest.lastIndexOf(":");
    const j = n > 0 ? rest.lastIndexOf(":", n - 1) : -1;
    if (j > 0 && n > j + 1 && n < rest.length - 1) target = { run: rest.slice(0, j), branchJob: rest.slice(j + 1, n), nonce: rest.slice(n + 1) };
  }
  if (!target || !target.run) return { forged: text };
  return cancelTagValid(secret, target, tag) ? { target } : { forged: text };
}
